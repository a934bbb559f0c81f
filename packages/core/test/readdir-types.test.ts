/**
 * `readdir` with file types of a lower directory makes no object per entry: the index answers
 * each name's kind and inode number. Counted as reads of the entries' metadata, which making an
 * object does.
 */
import { describe, expect, it } from 'vitest';
import { type LowerEntry, type LowerLayer, MemoryUpper, Overlay } from '../src/index.js';

const COUNT = 10_000;

/** A lower of COUNT files in /d (and 10 subdirectories of 10 files) counting reads of metadata. */
function countingLayer(): { layer: LowerLayer; reads: () => number } {
  let reads = 0;
  const entries: LowerEntry[] = [];
  const counted = (path: string, ref: number): LowerEntry => ({
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
  for (let i = 0; i < COUNT; i++) entries.push(counted(`/d/f${i}`, i));
  for (let i = 0; i < 100; i++) entries.push(counted(`/d/s${i % 10}/g${i}`, COUNT + i));
  const layer: LowerLayer = {
    id: 'counting',
    entries: () => entries,
    read: async (_ref, _offset, length) => new Uint8Array(Math.min(length, 1)),
  };
  return { layer, reads: () => reads };
}

function meta() {
  return { mode: 0o644, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 };
}

describe('readdir with file types of a lower directory', () => {
  it(`makes no object per entry (${COUNT} files), and answers what lstat answers`, async () => {
    const { layer, reads } = countingLayer();
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    try {
      const typed = await ov.readdir('/d', { withFileTypes: true });
      expect(typed).toHaveLength(COUNT + 10);
      expect(typed.filter((d) => d.isFile())).toHaveLength(COUNT);
      expect(reads()).toBeLessThan(10);
      // Recursive: only the directories descended into are made (they read no file entry).
      const deep = ov.readdirSync('/d', { withFileTypes: true, recursive: true });
      expect(deep).toHaveLength(COUNT + 110);
      expect(reads()).toBeLessThan(10);
      // After a copy-up of /d (it merges the lower names) and one name replaced: still none.
      await ov.writeFile('/d/f1', 'new');
      const before = reads();
      const again = await ov.readdir('/d', { withFileTypes: true });
      expect(reads() - before).toBeLessThan(10);
      for (const name of ['f0', 'f1', 's3']) {
        const d = again.find((e) => e.name === name);
        const st = await ov.lstat(`/d/${name}`);
        expect([d?.ino, d?.isDirectory()]).toEqual([st.ino, st.isDirectory()]);
      }
    } finally {
      await ov.close();
    }
  });
});
