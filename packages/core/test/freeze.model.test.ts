/**
 * `ov.freeze()`: the merged changes as a zip layer. Property: after random operations over random
 * lowers, the frozen layer stacked on the same lowers under an empty upper shows the same merged
 * tree — paths, kinds, contents, permission bits and symlink targets (what a zip layer carries;
 * owners, hard links and sub-second times it does not). Plus the descriptor form, a chain of two
 * freezes (lesson 1 → lesson 2 → lesson 3), an IndexedDB upper, and bad options.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LowerLayer, MemoryLayer, MemoryUpper, Overlay, openLower, type Tree } from '../src/index.js';
import { freeze } from '../src/zip/index.js';
import { applyOp, lowerTreeArb, opsArb } from './kernel/ops.js';
import { idbUpper, memoryUpper, type UpperKind } from './upper-kinds.js';
import { fullView } from './view.js';

const numRuns = Number(process.env.VELLUM_FREEZE_RUNS ?? 150);
const idbRuns = Number(process.env.VELLUM_FREEZE_IDB_RUNS ?? 30);

const lowersOf = (trees: readonly Tree[]): LowerLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));

/** Path → [kind, permission bits, content digest or symlink target]: what a frozen layer must keep. */
async function shape(ov: Overlay): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [p, v] of Object.entries(await fullView(ov))) out[p] = [v.kind, v.mode & 0o7777, v.content];
  return out;
}

async function frozenSame(trees: readonly Tree[], ops: Parameters<typeof applyOp>[2][], kind: UpperKind) {
  const ov = await Overlay.create({ lowers: lowersOf(trees), upper: kind().upper });
  try {
    for (const op of ops) await applyOp(ov, '', op); // failed ops leave the tree as it is
    const want = await shape(ov);
    const { layer, changes } = await ov.freeze();
    expect(changes).toBe((await ov.changes()).length);
    const again = await Overlay.create({ lowers: [layer, ...lowersOf(trees)], upper: new MemoryUpper() });
    try {
      expect(await shape(again)).toEqual(want);
      expect(await again.changes()).toEqual([]);
    } finally {
      await again.close();
    }
  } finally {
    await ov.close();
  }
}

describe('freeze: the frozen layer over the same lowers is the same merged tree', () => {
  it(`random lowers and operations, memory upper (${numRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, (trees, ops) => frozenSame(trees, ops, memoryUpper)),
      { numRuns },
    );
  }, 600_000);

  it(`the same over an IndexedDB upper (${idbRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, (trees, ops) => frozenSame(trees, ops, idbUpper('freeze'))),
      { numRuns: idbRuns },
    );
  }, 600_000);

  it('chains: lesson 2 starts from lesson 1 frozen, lesson 3 from lesson 2 frozen (as descriptors)', async () => {
    const base = (): LowerLayer[] =>
      lowersOf([{ src: { 'main.ts': 'v0\n', 'old.ts': 'old\n' }, README: 'r' }]);
    const one = await Overlay.create({ lowers: base(), upper: new MemoryUpper() });
    await one.writeFile('/src/main.ts', 'v1\n');
    await one.rm('/src/old.ts');
    await one.symlink('src/main.ts', '/latest');
    const f1 = await one.freeze({ id: 'lesson-1-solution' });
    expect(f1.layer.id).toBe('lesson-1-solution');

    const two = await Overlay.create({
      lowers: [await openLower(f1.descriptor), ...base()],
      upper: new MemoryUpper(),
    });
    expect(await two.readFile('/src/main.ts', 'utf8')).toBe('v1\n');
    expect(await two.readdir('/src')).toEqual(['main.ts']);
    await two.rm('/src', { recursive: true });
    await two.mkdir('/src', { mode: 0o700 });
    await two.writeFile('/src/index.ts', 'v2\n');
    const want = await shape(two);
    const f2 = await two.freeze({ level: 0 });

    const three = await Overlay.create({
      lowers: [f2.layer, f1.layer, ...base()],
      upper: new MemoryUpper(),
    });
    expect(await shape(three)).toEqual(want);
    expect(await three.readdir('/src')).toEqual(['index.ts']);
    expect((await three.lstat('/src')).mode & 0o777).toBe(0o700);
    expect(await three.readlink('/latest')).toBe('src/main.ts');
  });

  it('an overlay without changes freezes to an empty layer; bad options are EINVAL', async () => {
    const ov = await Overlay.create({ lowers: lowersOf([{ a: 'a' }]), upper: new MemoryUpper() });
    const empty = await freeze(ov);
    expect(empty.changes).toBe(0);
    const listed = [];
    for await (const e of empty.layer.entries()) listed.push(e);
    expect(listed).toEqual([]);
    await expect(ov.freeze({ level: 12 as 0 })).rejects.toMatchObject({ code: 'EINVAL', syscall: 'freeze' });
    await expect(ov.freeze({ id: '' })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(freeze(ov, null as unknown as object)).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
