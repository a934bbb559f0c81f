/** `ov.revert(path)`: one name back to what the lowers show, and nothing else touched. */
import { describe, expect, it } from 'vitest';
import { hardlink, type Tree } from '../src/index.js';
import { overlay, rejection, reopen, text } from './helpers.js';

const base = (): Tree[] => [
  { d: { f: 'base f', g: 'base g', sub: { deep: 'deep' } }, top: 'top' },
  { d: { low: 'low' } },
];

describe('revert', () => {
  it('brings back a deleted file, a modified file, a metadata change; removes an added file', async () => {
    const { ov, upper } = await overlay(base());
    await ov.unlink('/d/f');
    await ov.writeFile('/d/g', 'changed');
    await ov.chmod('/top', 0o600);
    await ov.writeFile('/d/new', 'new');
    const inoG = (await ov.stat('/d/g')).ino;
    for (const p of ['/d/f', '/d/g', '/top', '/d/new']) await ov.revert(p);
    expect(await ov.readdir('/d')).toEqual(['f', 'g', 'low', 'sub']);
    expect(await text(ov, '/d/f')).toBe('base f');
    expect(await text(ov, '/d/g')).toBe('base g');
    expect((await ov.stat('/d/g')).ino).toBe(inoG);
    expect((await ov.stat('/top')).mode & 0o777).toBe(0o644);
    expect(await ov.changes()).toEqual([]);
    expect(ov.origin('/d/g')).toEqual({ layer: 0, copiedUp: false, metacopy: false });
    expect((await upper.usage()).bytes).toBe(0);
    const again = await reopen(base(), upper);
    expect(await again.changes()).toEqual([]);
    expect(await text(again, '/d/g')).toBe('base g');
  });

  it('reverts a whole directory, replaced or changed inside, and leaves its siblings alone', async () => {
    const { ov, upper } = await overlay(base());
    await ov.writeFile('/top', 'kept change');
    await ov.writeFile('/d/sub/deep', 'changed');
    await ov.writeFile('/d/sub/extra', 'x');
    await ov.unlink('/d/low');
    await ov.revert('/d');
    expect(await ov.readdir('/d')).toEqual(['f', 'g', 'low', 'sub']);
    expect(await ov.readdir('/d/sub')).toEqual(['deep']);
    expect(await text(ov, '/d/sub/deep')).toBe('deep');
    expect(await ov.changes()).toEqual([{ path: '/top', type: 'file', change: 'modified' }]);
    await ov.rm('/d', { recursive: true });
    await ov.mkdir('/d');
    await ov.revert('/d');
    expect(await ov.readdir('/d')).toEqual(['f', 'g', 'low', 'sub']);
    const again = await reopen(base(), upper);
    expect(await again.readdir('/d')).toEqual(['f', 'g', 'low', 'sub']);
    expect(await again.changes()).toEqual([{ path: '/top', type: 'file', change: 'modified' }]);
  });

  it('keeps hard links one object, refuses a renamed directory, and fails on a name nobody has', async () => {
    const trees = [{ a: 'shared', b: hardlink('/a'), d: { x: '1' } }];
    const { ov } = await overlay(trees);
    await ov.writeFile('/a', 'changed');
    await ov.revert('/b');
    expect(await text(ov, '/a')).toBe('shared');
    await ov.rename('/d', '/moved');
    expect((await rejection(ov.revert('/moved'))).code).toBe('EINVAL');
    expect((await rejection(ov.revert('/nothing'))).code).toBe('ENOENT');
  });
});
