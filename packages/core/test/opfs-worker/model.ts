/**
 * Runs in a dedicated worker (real OPFS, FileSystemSyncAccessHandle): random operation
 * sequences on an OpfsUpper, closing and reopening the workspace after each operation, and
 * posts back whether every reopen showed the same view with fsck clean.
 */
import fc from 'fast-check';
import { MemoryLayer, Overlay, type Tree } from '../../src/index.js';
import { OpfsUpper, type OpfsUpperOptions } from '../../src/opfs/index.js';
import { applyOp, lowerTreeArb, opsArb } from '../kernel/ops.js';
import { fullView } from '../view.js';

/** What the page asks for. */
export interface ModelRequest {
  numRuns: number;
  seed: number;
}

/** What the worker answers. */
export type ModelReply = { ok: true; runs: number; reopens: number } | { ok: false; error: string };

const layers = (trees: readonly Tree[]): MemoryLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));

const view = async (ov: Overlay): Promise<string> =>
  JSON.stringify({ tree: await fullView(ov), changes: await ov.changes() });

const optionsArb: fc.Arbitrary<Omit<OpfsUpperOptions, 'name'>> = fc.record({
  inlineBelow: fc.constantFrom(1, 16 * 1024),
  compactBytes: fc.constantFrom(600, 8 * 1024 * 1024),
});

self.onmessage = async (event: MessageEvent<ModelRequest>) => {
  const { numRuns, seed } = event.data;
  let runs = 0;
  let reopens = 0;
  try {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, optionsArb, async (trees, ops, options) => {
        runs++;
        const name = `model-${crypto.randomUUID()}`;
        const open = () =>
          Overlay.create({ lowers: layers(trees), upper: new OpfsUpper({ ...options, name }) });
        let live = await open();
        try {
          for (const op of ops) {
            await applyOp(live, '', op);
            const expected = await view(live);
            await live.close();
            live = await open();
            reopens++;
            const seen = await view(live);
            if (seen !== expected)
              throw new Error(`reopen differs after ${ops.length} ops:\n${seen}\n!=\n${expected}`);
            const { problems } = await live.fsck();
            if (problems.length > 0) throw new Error(`fsck: ${JSON.stringify(problems)}`);
          }
        } finally {
          await live.close();
          await OpfsUpper.delete(name);
        }
      }),
      { numRuns, seed },
    );
    self.postMessage({ ok: true, runs, reopens } satisfies ModelReply);
  } catch (error) {
    self.postMessage({
      ok: false,
      error: String(error instanceof Error ? error.message : error),
    } satisfies ModelReply);
  }
};
