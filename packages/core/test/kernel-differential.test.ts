/**
 * Vellum against the kernel: random lowers and random op sequences run on a real overlayfs
 * mount (`redirect_dir=on,index=on,metacopy=on`) and on a Vellum Overlay over the same trees.
 * Every op must give the same outcome (ok, or the same errno code) and the merged trees must
 * end up identical (see kernel/snapshot.ts for what "identical" covers).
 *
 * Needs Linux, root and overlayfs; elsewhere it is skipped and says why.
 *
 * Knobs (environment):
 * - VELLUM_DIFF_RUNS: number of cases, 300 by default;
 * - VELLUM_DIFF_SEED and VELLUM_DIFF_PATH: replay a reported failure (fast-check prints both).
 *
 * A failure prints the shrunk lowers and ops as tree.ts/fs literals, then the first diverging
 * op (or the final tree diff), with both sides' view of the tree.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { MemoryLayer, MemoryUpper, Overlay } from '../src/index.js';
import type { Tree } from '../src/tree.js';
import { compareWithKernel, type Subject } from './kernel/compare.js';
import { canMountOverlay } from './kernel/mount.js';
import { lowerTreeArb, opsArb } from './kernel/ops.js';

const mountCheck = canMountOverlay();
if (!mountCheck.ok)
  console.warn(`kernel-differential: skipped, cannot mount overlayfs: ${mountCheck.reason}`);

const numRuns = Number(process.env.VELLUM_DIFF_RUNS ?? 300);
const seed = process.env.VELLUM_DIFF_SEED === undefined ? undefined : Number(process.env.VELLUM_DIFF_SEED);
const replayPath = process.env.VELLUM_DIFF_PATH;

// One case (mount, populate, ~30 ops on both sides, snapshots, unmount) takes tens of
// milliseconds, so 300 runs take well under a minute. The limits only bound a pathological
// shrink or a hanging op: fast-check stops at SEARCH_LIMIT_MS and still reports the smallest
// counterexample found so far, before Vitest's own timeout.
const TEST_TIMEOUT_MS = 8 * 60_000;
const SEARCH_LIMIT_MS = 6 * 60_000;
const CASE_TIMEOUT_MS = 60_000;

async function vellumSubject(lowers: readonly Tree[]): Promise<Subject> {
  const ov = await Overlay.create({
    lowers: lowers.map((tree) => MemoryLayer.fromTree(tree)),
    upper: new MemoryUpper(),
  });
  return { fs: ov, root: '' };
}

describe('Vellum vs Linux overlayfs (redirect_dir, index, metacopy)', () => {
  it.skipIf(!mountCheck.ok)(
    `random lowers and ops: same outcomes, same final tree (${numRuns} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(lowerTreeArb, opsArb, (lowers, ops) =>
          compareWithKernel(lowers, ops, vellumSubject),
        ),
        {
          numRuns,
          ...(seed === undefined ? {} : { seed }),
          ...(replayPath === undefined ? {} : { path: replayPath }),
          // The reason of the failure (first diverging op, tree diff) goes into the message itself.
          includeErrorInReport: true,
          timeout: CASE_TIMEOUT_MS,
          interruptAfterTimeLimit: SEARCH_LIMIT_MS,
          markInterruptAsFailure: true,
        },
      );
    },
    TEST_TIMEOUT_MS,
  );
});
