/**
 * Removing a lower directory recursively makes no object per entry: the index lists the names
 * that need the engine (objects made, hard links, files with more than one link) and the rest go
 * with the name above them. Counted as reads of the entries' metadata, which making an object does.
 */
import { describe, expect, it } from 'vitest';
import { type LowerEntry, MemoryUpper, Overlay } from '../src/index.js';
import { writeZip, ZipLayer } from '../src/zip/index.js';
import { countingLayer, plainEntry } from './counting-layer.js';

const COUNT = 10_000;

/** COUNT files under /d (100 subdirectories), counted, and /keep. */
const layerOfD = (): ReturnType<typeof countingLayer> =>
  countingLayer(
    Array.from({ length: COUNT }, (_, i) => `/d/s${i % 100}/f${i}`),
    [plainEntry('/keep', 0)],
  );

describe('rm -r of a lower directory', () => {
  it(`makes no object per entry (${COUNT} files): only what was used before`, async () => {
    const { layer, reads } = layerOfD();
    const upper = new MemoryUpper();
    const ov = await Overlay.create({ lowers: [layer], upper });
    try {
      await ov.stat('/d/s3/f3'); // one object made before: it is the one the removal looks at
      expect(reads()).toBe(1);
      await ov.rm('/d', { recursive: true });
      expect(reads()).toBeLessThan(10);
      await expect(ov.lstat('/d')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await ov.readFile('/keep', 'utf8')).toHaveLength(1);
      // A whiteout for /d, the root's record, the meta record: nothing per entry.
      expect((await upper.usage()).entries).toBeLessThan(5);
    } finally {
      await ov.close();
    }
  });

  it('rmSync too, and after a copy-up of the directory', async () => {
    const { layer, reads } = layerOfD();
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    try {
      ov.writeFileSync('/d/s1/new', 'x');
      ov.unlinkSync('/d/s2/f2');
      ov.rmSync('/d', { recursive: true });
      expect(reads()).toBeLessThan(10);
      expect(ov.existsSync('/d')).toBe(false);
      expect(ov.existsSync('/keep')).toBe(true);
    } finally {
      await ov.close();
    }
  });

  it('revert of a copied-up directory makes no object for the lower names it merges', async () => {
    const { layer, reads } = layerOfD();
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    try {
      await ov.writeFile('/d/s1/new', 'x'); // copies /d and /d/s1 (100 lower files) up
      await ov.revert('/d');
      expect(reads()).toBeLessThan(10);
      expect(await ov.readdir('/d/s1')).toHaveLength(COUNT / 100);
      expect(await ov.changes()).toEqual([]);
    } finally {
      await ov.close();
    }
  });

  it(`over a zip lower too (${COUNT} files): no entry is rebuilt from the table`, async () => {
    const files = Array.from({ length: COUNT }, (_, i) => ({
      path: `d/s${i % 100}/f${i}`,
      kind: 'file' as const,
      data: new Uint8Array([i & 0xff]),
    }));
    const zip = await ZipLayer.open(
      writeZip([...files, { path: 'keep', kind: 'file', data: new Uint8Array([1]) }]),
    );
    // The engine makes a zip name's object from the entry the layer rebuilds from its table
    // (bulk-lower.ts): count those.
    const key = Symbol.for('vellum.bulkLower');
    let rebuilt = 0;
    const layer = new Proxy(zip, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (prop === key) {
          const bulk = value as { table: unknown; entry: (ref: number) => LowerEntry };
          return {
            table: bulk.table,
            entry: (ref: number) => {
              rebuilt++;
              return bulk.entry(ref);
            },
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    try {
      await ov.rm('/d', { recursive: true });
      expect(rebuilt).toBeLessThan(10);
      await expect(ov.lstat('/d')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(Array.from(await ov.readFile('/keep'))).toEqual([1]);
    } finally {
      await ov.close();
    }
  });
});
