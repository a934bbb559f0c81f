/**
 * `changes()` looks only at what changed: after one write in a lower directory of many files it
 * makes no object per lower name. Counted as reads of the entries' metadata, which making an
 * object does (as in rm-tree.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { MemoryUpper, Overlay } from '../src/index.js';
import { countingLayer, plainEntry } from './counting-layer.js';

const COUNT = 10_000;

/** COUNT files in /big and 100 in /big/sub, counted, and /big/link. */
const layerOfBig = (): ReturnType<typeof countingLayer> =>
  countingLayer(
    [
      ...Array.from({ length: COUNT }, (_, i) => `/big/f${i}`),
      ...Array.from({ length: 100 }, (_, i) => `/big/sub/g${i}`),
    ],
    [plainEntry('/big/link', 0, 'f0')],
  );

describe('changes() of a lower directory with few changes', () => {
  it(`makes no object per lower name after one write (${COUNT} files)`, async () => {
    const { layer, reads } = layerOfBig();
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    try {
      await ov.writeFile('/big/new.txt', 'x');
      const before = reads();
      expect(await ov.changes()).toEqual([{ path: '/big/new.txt', type: 'file', change: 'added' }]);
      expect(reads() - before).toBeLessThan(10);
    } finally {
      await ov.close();
    }
  });

  it('reports deletes (with the lower kind), copy-ups in place and nested directories without the rest', async () => {
    const { layer, reads } = layerOfBig();
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    try {
      await ov.appendFile('/big/f1', 'y');
      await ov.chmod('/big/f2', 0o600);
      await ov.unlink('/big/f3');
      await ov.unlink('/big/link');
      await ov.writeFile('/big/sub/new', 'z');
      await ov.rm('/big/sub/g7');
      const before = reads();
      expect(await ov.changes()).toEqual([
        { path: '/big/f1', type: 'file', change: 'modified' },
        { path: '/big/f2', type: 'file', change: 'metadata' },
        { path: '/big/f3', type: 'file', change: 'deleted' },
        { path: '/big/link', type: 'symlink', change: 'deleted' },
        { path: '/big/sub/g7', type: 'file', change: 'deleted' },
        { path: '/big/sub/new', type: 'file', change: 'added' },
      ]);
      expect(reads() - before).toBeLessThan(10);
    } finally {
      await ov.close();
    }
  });
});
