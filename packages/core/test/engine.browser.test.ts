/** The engine in real Chromium: no Buffer, no node:fs — only what a page has. */
import { describe, expect, it } from 'vitest';
import { dir, hardlink, MemoryLayer, MemoryUpper, Overlay, symlink, whiteout } from '../src/index.js';

const decoder = new TextDecoder();

describe('@vellum/core in the browser', () => {
  it('runs in a page without Node globals', () => {
    expect(typeof (globalThis as { Buffer?: unknown }).Buffer).toBe('undefined');
    expect(typeof navigator.userAgent).toBe('string');
  });

  it('merges, copies up, renames and reopens', async () => {
    const lowers = () => [
      MemoryLayer.fromTree(
        { lesson: { 'step.md': '# step 2' }, gone: whiteout() },
        { id: 'lesson', mtimeMs: 1 },
      ),
      MemoryLayer.fromTree(
        {
          lesson: { 'step.md': '# step 1', 'code.js': 'x = 1' },
          gone: 'old',
          same: hardlink('/lesson/code.js'),
        },
        { id: 'base', mtimeMs: 1 },
      ),
    ];
    const upper = new MemoryUpper();
    const ov = await Overlay.create({ lowers: lowers(), upper });
    expect(await ov.readdir('/')).toEqual(['lesson', 'same']);
    expect(await ov.readFile('/lesson/step.md', 'utf8')).toBe('# step 2');
    const bytes = await ov.readFile('/lesson/code.js');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(decoder.decode(bytes)).toBe('x = 1');

    await ov.writeFile('/same', 'x = 2');
    expect(await ov.readFile('/lesson/code.js', 'utf8')).toBe('x = 2');
    await ov.rename('/lesson', '/done');
    await ov.mkdir('/lesson');
    await ov.symlink('/done/step.md', '/lesson/link');
    expect(await ov.readFile('/lesson/link', 'utf8')).toBe('# step 2');

    const again = await Overlay.create({ lowers: lowers(), upper });
    expect(await again.readdir('/')).toEqual(['done', 'lesson', 'same']);
    expect(await again.readdir('/lesson')).toEqual(['link']);
    expect(await again.readFile('/done/code.js', 'utf8')).toBe('x = 2');
    expect((await again.stat('/same')).nlink).toBe(2);
    expect(await again.changes()).toContainEqual({
      path: '/done',
      type: 'dir',
      change: 'renamed',
      from: '/lesson',
    });
  });

  it('copies one chunk for a one-byte write into a large lower file', async () => {
    const big = new Uint8Array(8 * 65536).fill(1);
    const upper = new MemoryUpper();
    const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree({ big: dir({ f: big }) })], upper });
    const fh = await ov.open('/big/f', 'r+');
    await fh.write(new Uint8Array([9]), 0, 1, 200_000);
    await fh.close();
    expect((await upper.usage()).bytes).toBe(65536);
    const back = await ov.readFile('/big/f');
    expect(back[200_000]).toBe(9);
    expect(back[200_001]).toBe(1);
    expect(ov.origin('/big/f')).toMatchObject({ layer: 'upper', copiedUp: true });
  });

  it('reports errors with Node codes', async () => {
    const ov = await Overlay.create({
      lowers: [MemoryLayer.fromTree({ loop: symlink('loop') })],
      upper: new MemoryUpper(),
    });
    await expect(ov.stat('/loop')).rejects.toMatchObject({ code: 'ELOOP', syscall: 'stat', path: '/loop' });
    await expect(ov.readFile('/missing')).rejects.toMatchObject({ code: 'ENOENT', errno: -2 });
  });
});
