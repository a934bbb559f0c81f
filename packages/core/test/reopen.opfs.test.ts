/**
 * OpfsUpper keeps exactly what the overlay acknowledged (the in-memory OPFS stand-in, which
 * models a crash: unflushed writes kept as a random prefix, the next one torn):
 * - after EACH of a random sequence of operations the process dies and a new upper opens the
 *   workspace: same view, inode numbers and changes; fsck clean;
 * - fault injection: the process dies at a random storage step (a write left unflushed, a
 *   flush, a move or a removal not done, in an operation or in a compaction); the reopened
 *   workspace is the view after every acknowledged operation, or after the one in flight too,
 *   never anything else, and fsck is clean.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryLayer, MemoryUpper, Overlay, type Tree } from '../src/index.js';
import { OpfsUpper, type OpfsUpperOptions } from '../src/opfs/index.js';
import { applyOp, lowerTreeArb, type Op, opsArb } from './kernel/ops.js';
import { OpfsStandIn } from './opfs-stand-in.js';
import { fullView } from './view.js';

const numRuns = Number(process.env.VELLUM_OPFS_REOPEN_RUNS ?? 60);

const layers = (trees: readonly Tree[]): MemoryLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));

/** Everything a reopen must reproduce. */
async function view(ov: Overlay): Promise<string> {
  return JSON.stringify({ tree: await fullView(ov), changes: await ov.changes() });
}

/** Small limits so that compaction and chunk files happen within a few operations. */
const optionsArb: fc.Arbitrary<Omit<OpfsUpperOptions, 'name' | 'opfs'>> = fc.record({
  inlineBelow: fc.constantFrom(1, 100, 16 * 1024),
  compactBytes: fc.constantFrom(600, 4096, 8 * 1024 * 1024),
});

/** A seeded [0, 1) for the crash's choices, so a failing case replays. */
const seeded = (seed: number) => {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
};

afterEach(() => {
  vi.useRealTimers();
});

describe('reopening an OpfsUpper', () => {
  it(`after every operation, the process killed: same view, inode numbers, changes; fsck clean (${numRuns} random cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, optionsArb, fc.nat(), async (trees, ops, options, seed) => {
        const opfs = new OpfsStandIn();
        const random = seeded(seed);
        const open = () =>
          Overlay.create({
            lowers: layers(trees),
            upper: new OpfsUpper({ ...options, name: 'w', opfs: opfs.getDirectory }),
          });
        let live = await open();
        for (const op of ops) {
          await applyOp(live, '', op);
          const expected = await view(live);
          opfs.crash(random);
          live = await open();
          expect(await view(live)).toBe(expected);
          expect((await live.fsck()).problems).toEqual([]);
        }
        // A clean close compacts; the reopen reads the snapshot alone.
        const before = await view(live);
        await live.close();
        const again = await open();
        expect(await view(again)).toBe(before);
        await again.reset();
        await again.close();
        const cleared = await open();
        expect(await cleared.changes()).toEqual([]);
        expect(await cleared.usage()).toEqual({ bytes: 0, entries: 0 });
        await cleared.close();
      }),
      { numRuns },
    );
  }, 180_000);

  it(`fault injection: killed at a random storage step, a reopen is a prefix of the acknowledged operations (${numRuns} random cases)`, async () => {
    let torn = 0;
    let died = 0;
    vi.useFakeTimers({ toFake: ['Date'] });
    await fc.assert(
      fc.asyncProperty(
        lowerTreeArb,
        opsArb,
        optionsArb,
        fc.nat(),
        fc.integer({ min: 1, max: 400 }),
        async (trees, ops, options, seed, dieAfter) => {
          const opfs = new OpfsStandIn();
          let upper: OpfsUpper | undefined;
          const open = () => {
            upper = new OpfsUpper({ ...options, name: 'w', opfs: opfs.getDirectory });
            return Overlay.create({ lowers: layers(trees), upper });
          };
          // The same operations on a memory upper: the view after each of them.
          const model = await Overlay.create({ lowers: layers(trees), upper: new MemoryUpper() });
          const views = [await view(model)];
          const live = await open();
          opfs.dieAt = opfs.steps + dieAfter;
          let acked = 0;
          for (const [i, op] of ops.entries()) {
            // The model and the upper's overlay stamp the same times on the same operation.
            vi.setSystemTime(Date.UTC(2020, 0, 1) + i * 1000);
            await applyOp(model, '', op);
            views.push(await view(model));
            await applyOp(live, '', op);
            if (opfs.dead) break;
            acked++;
            // Acknowledged: the live view is the model's (the upper failed nothing silently).
            expect(await view(live)).toBe(views[acked]);
          }
          if (opfs.dead) died++;
          opfs.crash(seeded(seed));
          const reopened = await open();
          if ((upper?.tornBytes ?? 0) > 0) torn++;
          const seen = await view(reopened);
          const allowed = views.slice(acked, acked + 2);
          expect(
            allowed,
            `killed after ${acked} acknowledged of ${ops.length} (${describeOps(ops)})`,
          ).toContain(seen);
          expect((await reopened.fsck()).problems).toEqual([]);
          // It goes on from there: the next operation is stored and survives another reopen.
          await reopened.writeFile('/after-crash', 'x');
          const next = await view(reopened);
          opfs.crash(seeded(seed + 1));
          expect(await view(await open())).toBe(next);
        },
      ),
      { numRuns },
    );
    console.log(
      `fault injection: killed mid-operation in ${died} runs, a torn journal tail dropped in ${torn}`,
    );
    // The faults must land: most runs die inside an operation.
    expect(died).toBeGreaterThan(0);
  }, 180_000);
});

const describeOps = (ops: readonly Op[]): string => `${ops.length} operations`;
