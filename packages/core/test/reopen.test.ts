/**
 * The upper's records must rebuild exactly the view that produced them: after
 * random operations, a second overlay opened on the same upper (as after a page
 * reload) shows the same tree, inode numbers and change list; `reset()` brings
 * back the lowers' own view. No kernel needed: the live overlay is the oracle.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryLayer, MemoryUpper, Overlay, type Tree } from '../src/index.js';
import { applyOp, lowerTreeArb, opsArb } from './kernel/ops.js';
import { snapshot } from './kernel/snapshot.js';
import { inodes } from './view.js';

const numRuns = Number(process.env.VELLUM_REOPEN_RUNS ?? 300);

const layers = (trees: readonly Tree[]): MemoryLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));

describe('reopening an upper', () => {
  it(`rebuilds the same view, inode numbers and changes (${numRuns} random cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, async (trees, ops) => {
        const upper = new MemoryUpper();
        const live = await Overlay.create({ lowers: layers(trees), upper });
        for (const op of ops) await applyOp(live, '', op);
        const again = await Overlay.create({ lowers: layers(trees), upper });
        expect(await snapshot(again, '')).toEqual(await snapshot(live, ''));
        expect(await inodes(again)).toEqual(await inodes(live));
        expect(await again.changes()).toEqual(await live.changes());

        await live.reset();
        const fresh = await Overlay.create({ lowers: layers(trees), upper: new MemoryUpper() });
        expect(await snapshot(live, '')).toEqual(await snapshot(fresh, ''));
        expect(await inodes(live)).toEqual(await inodes(fresh));
        expect(await live.changes()).toEqual([]);
      }),
      { numRuns },
    );
  }, 120_000);

  it('refuses an upper built on other lowers unless told to open anyway', async () => {
    const upper = new MemoryUpper();
    const ov = await Overlay.create({
      lowers: [MemoryLayer.fromTree({ a: 'v1' }, { id: 'base-v1' })],
      upper,
    });
    await ov.writeFile('/b', 'mine');
    const changed = [MemoryLayer.fromTree({ a: 'v2' }, { id: 'base-v2' })];
    await expect(Overlay.create({ lowers: changed, upper })).rejects.toMatchObject({ code: 'EINVAL' });
    const opened = await Overlay.create({ lowers: changed, upper, onLowerChange: 'open' });
    expect(await opened.readFile('/b', 'utf8')).toBe('mine');
    // Also when the only change is a copy-up (nothing new allocated).
    const copiedOnly = new MemoryUpper();
    const first = await Overlay.create({
      lowers: [MemoryLayer.fromTree({ a: 'v1' }, { id: 'base-v1' })],
      upper: copiedOnly,
    });
    await first.writeFile('/a', 'edited');
    await expect(Overlay.create({ lowers: changed, upper: copiedOnly })).rejects.toMatchObject({
      code: 'EINVAL',
    });
  });
});

describe('what a reopen cleans and keeps', () => {
  it('drops a file that lost its last name while open (a crash left it), and keeps the root as it was', async () => {
    const trees: Tree[] = [{ keep: 'k' }];
    const upper = new MemoryUpper();
    const ov = await Overlay.create({ lowers: layers(trees), upper });
    await ov.writeFile('/doomed', 'still open');
    const fh = await ov.open('/doomed', 'r');
    await ov.unlink('/doomed');
    expect(await fh.readFile('utf8')).toBe('still open'); // the open handle still reads it
    const root = await ov.stat('/');
    // No close(): the page crashed here. The record of the open, nameless file is still stored.
    expect((await ov.fsck()).ok).toBe(false);
    const again = await Overlay.create({ lowers: layers(trees), upper });
    const report = await again.fsck();
    expect(report.problems).toEqual([]);
    expect(await again.readdir('/')).toEqual(['keep']);
    const rootAgain = await again.stat('/');
    expect([rootAgain.ino, rootAgain.mtimeMs, rootAgain.mode]).toEqual([root.ino, root.mtimeMs, root.mode]);
  });
});
