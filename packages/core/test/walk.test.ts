/** `ov.walk(dir)`: the whole subtree with stats in one call, in readdir order. */
import { describe, expect, it } from 'vitest';
import { symlink } from '../src/index.js';
import { overlay, rejection } from './helpers.js';

describe('walk', () => {
  it('lists every entry below a directory with lstat-like stats, depth first', async () => {
    const { ov } = await overlay([
      { src: { 'b.ts': 'bb', a: { 'x.ts': 'x' }, link: symlink('b.ts') } },
      { src: { 'c.ts': 'c' } },
    ]);
    await ov.unlink('/src/c.ts');
    await ov.writeFile('/src/a/y.ts', 'yy');
    const entries = await ov.walk('/src');
    expect(entries.map((e) => e.path)).toEqual([
      '/src/a',
      '/src/a/x.ts',
      '/src/a/y.ts',
      '/src/b.ts',
      '/src/link',
    ]);
    for (const e of entries) expect(e.stats).toEqual(await ov.lstat(e.path));
    expect(entries.find((e) => e.path === '/src/link')?.stats.isSymbolicLink()).toBe(true);
    expect((await ov.walk('/')).length).toBe(6);
    expect((await rejection(ov.walk('/src/b.ts'))).code).toBe('ENOTDIR');
  });

  it("gives each entry's type, and its origin when asked (the worker client's WalkEntry shape)", async () => {
    const { ov } = await overlay([{ src: { 'b.ts': 'bb', a: {}, link: symlink('b.ts') } }]);
    await ov.writeFile('/src/new.ts', 'n');
    const plain = await ov.walk('/src');
    expect(plain.map((e) => [e.path, e.type])).toEqual([
      ['/src/a', 'dir'],
      ['/src/b.ts', 'file'],
      ['/src/link', 'symlink'],
      ['/src/new.ts', 'file'],
    ]);
    expect(plain.every((e) => e.origin === undefined)).toBe(true);
    const withOrigins = await ov.walk('/src', { origins: true });
    for (const e of withOrigins) expect(e.origin).toEqual(ov.origin(e.path));
    expect(withOrigins.find((e) => e.path === '/src/new.ts')?.origin?.layer).toBe('upper');
    expect(withOrigins.find((e) => e.path === '/src/b.ts')?.origin?.layer).toBe(0);
  });
});
