/**
 * IndexedDBUpper keeps exactly what the overlay acknowledged: after EACH of a
 * random sequence of operations, an overlay opened on a new connection to the
 * same database (as after a reload) shows the same tree, inode numbers and
 * changes, and fsck finds nothing wrong. In write-back mode, a reload without
 * sync() shows the view after some prefix of the operations, never a part of one.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexedDBUpper } from '../src/idb/index.js';
import { MemoryLayer, Overlay, type Tree } from '../src/index.js';
import { frozenImage } from './idb-env.js';
import { applyOp, lowerTreeArb, opsArb } from './kernel/ops.js';
import { fullView } from './view.js';

const numRuns = Number(process.env.VELLUM_IDB_REOPEN_RUNS ?? 60);

const layers = (trees: readonly Tree[]): MemoryLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));

/** Everything a reopen must reproduce. */
async function view(ov: Overlay): Promise<unknown> {
  return { tree: await fullView(ov), changes: await ov.changes() };
}

describe('reopening an IndexedDBUpper', () => {
  it(`after every operation: same view, inode numbers, changes; fsck clean (${numRuns} random cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, async (trees, ops) => {
        // One factory per case: nothing leaks between cases.
        const factory = new IDBFactory();
        const live = await Overlay.create({
          lowers: layers(trees),
          upper: new IndexedDBUpper({ name: 'w', factory }),
        });
        for (const op of ops) {
          await applyOp(live, '', op);
          const again = await Overlay.create({
            lowers: layers(trees),
            upper: new IndexedDBUpper({ name: 'w', factory }),
          });
          expect(await view(again)).toEqual(await view(live));
          const fsck = await again.fsck();
          expect(fsck.problems).toEqual([]);
        }
        await live.reset();
        const cleared = await Overlay.create({
          lowers: layers(trees),
          upper: new IndexedDBUpper({ name: 'w', factory }),
        });
        expect(await cleared.changes()).toEqual([]);
        expect(await cleared.usage()).toEqual({ bytes: 0, entries: 0 });
      }),
      { numRuns },
    );
  }, 120_000);

  it(`write-back without sync(): a reload shows the view after a prefix of the operations (${numRuns} random cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, fc.nat(), async (trees, ops, cutSeed) => {
        const factory = new IDBFactory();
        const upper = new IndexedDBUpper({ name: 'w', factory, writeBack: { delayMs: 1, maxOps: 4 } });
        const live = await Overlay.create({ lowers: layers(trees), upper });
        const views = [JSON.stringify(await view(live))];
        const cut = cutSeed % (ops.length + 1);
        for (const op of ops.slice(0, cut)) {
          await applyOp(live, '', op);
          views.push(JSON.stringify(await view(live)));
        }
        // A crash now: whatever the group commits have stored so far, frozen in one read.
        const reloaded = await Overlay.create({
          lowers: layers(trees),
          upper: await frozenImage('w', factory),
        });
        expect(views).toContain(JSON.stringify(await view(reloaded)));
        expect((await reloaded.fsck()).problems).toEqual([]);
        // After sync(), nothing acknowledged is missing.
        await live.sync();
        const synced = await Overlay.create({
          lowers: layers(trees),
          upper: new IndexedDBUpper({ name: 'w', factory }),
        });
        expect(JSON.stringify(await view(synced))).toBe(views[views.length - 1]);
      }),
      { numRuns },
    );
  }, 120_000);
});
