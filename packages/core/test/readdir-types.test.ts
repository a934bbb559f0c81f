/**
 * `readdir` with file types of a lower directory makes no object per entry: the index answers
 * each name's kind and inode number. Counted as reads of the entries' metadata, which making an
 * object does.
 */
import { describe, expect, it } from 'vitest';
import { MemoryUpper, Overlay } from '../src/index.js';
import { countingLayer } from './counting-layer.js';

const COUNT = 10_000;

/** COUNT files in /d and 10 subdirectories of 10 files, counted. */
const layerOfD = (): ReturnType<typeof countingLayer> =>
  countingLayer([
    ...Array.from({ length: COUNT }, (_, i) => `/d/f${i}`),
    ...Array.from({ length: 100 }, (_, i) => `/d/s${i % 10}/g${i}`),
  ]);

describe('readdir with file types of a lower directory', () => {
  it(`makes no object per entry (${COUNT} files), and answers what lstat answers`, async () => {
    const { layer, reads } = layerOfD();
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
