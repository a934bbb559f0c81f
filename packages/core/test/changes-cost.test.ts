/**
 * `changes()` looks only at what changed: after one write in a lower directory of many files it
 * makes no object per lower name. Counted as reads of the entries' metadata, which making an
 * object does (as in rm-tree.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { type LowerEntry, type LowerLayer, MemoryUpper, Overlay } from '../src/index.js';

const COUNT = 10_000;

/** A lower of COUNT files in /big (and 100 in /big/sub) whose entries count reads of their metadata. */
function countingLayer(): { layer: LowerLayer; reads: () => number } {
  let reads = 0;
  const entries: LowerEntry[] = [];
  const add = (path: string, ref: number): void => {
    entries.push({
      path,
      kind: 'file',
      size: 1,
      ref,
      ...meta(),
      get mode() {
        reads++;
        return 0o644;
      },
    });
  };
  for (let i = 0; i < COUNT; i++) add(`/big/f${i}`, i);
  for (let i = 0; i < 100; i++) add(`/big/sub/g${i}`, COUNT + i);
  entries.push({ path: '/big/link', kind: 'symlink', target: 'f0', ...meta() });
  const layer: LowerLayer = {
    id: 'counting',
    entries: () => entries,
    read: async (_ref, _offset, length) => new Uint8Array(Math.min(length, 1)),
    readSync: (_ref, _offset, length) => new Uint8Array(Math.min(length, 1)),
  };
  return { layer, reads: () => reads };
}

function meta() {
  return { mode: 0o644, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 };
}

describe('changes() of a lower directory with few changes', () => {
  it(`makes no object per lower name after one write (${COUNT} files)`, async () => {
    const { layer, reads } = countingLayer();
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
    const { layer, reads } = countingLayer();
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
