/**
 * The lower index makes no JS object per lower entry until the entry is used: listing names,
 * opening the overlay and copying up a directory (a write into it) read no entry's metadata;
 * a stat reads one; a listing with file types reads none (the index knows kinds and inode numbers).
 */
import { describe, expect, it } from 'vitest';
import { MemoryUpper, Overlay } from '../src/index.js';
import { countingLayer } from './counting-layer.js';

const COUNT = 1000;

/** COUNT files in /d, counted. */
const layerOfD = (): ReturnType<typeof countingLayer> =>
  countingLayer(Array.from({ length: COUNT }, (_, i) => `/d/f${i}`));

describe('lower objects are made on first use', () => {
  it('opening, listing names and copying up a directory make none; stat makes one; withFileTypes makes none', async () => {
    const { layer, reads } = layerOfD();
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    try {
      expect(reads()).toBe(0);
      expect(await ov.readdir('/d')).toHaveLength(COUNT);
      expect(reads()).toBe(0);
      await ov.writeFile('/d/new.txt', 'x');
      expect(reads()).toBe(0);
      expect((await ov.stat('/d/f7')).size).toBe(1);
      expect(reads()).toBe(1);
      expect((await ov.readFile('/d/f7')).length).toBe(1);
      expect(reads()).toBe(1);
      const typed = await ov.readdir('/d', { withFileTypes: true });
      expect(typed.filter((d) => d.isFile())).toHaveLength(COUNT + 1);
      // The index answers kinds and inode numbers: no object made (only /d/f7's so far).
      expect(reads()).toBe(1);
      await ov.stat('/d/f8');
      expect(reads()).toBe(2);
      // Made once, kept: a second stat reads nothing.
      await ov.stat('/d/f8');
      expect(reads()).toBe(2);
    } finally {
      await ov.close();
    }
  });
});
