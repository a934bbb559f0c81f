/**
 * Page-side timing for Chromium suites: the same protocol and result shape as
 * `bench/lib/timing.ts` (warm-up, a batch calibrated to `batchMs`, the median ns/op over
 * batches), timed with `performance.now()` because a page has no `process.hrtime`.
 * In the cross-origin-isolated bench page its resolution is 5 µs, far below a batch.
 * Nothing here needs a page: Node suites use `interleave` too (the `worker` suite).
 */
import type { Timing, TimingOptions } from '../lib/timing.js';

export type { Timing, TimingOptions };

const DEFAULTS = { warmupMs: 300, batches: 21, batchMs: 25 } as const;

/** Written to by every measured op so the engine cannot prove a result unused. */
export let sink: unknown;

function summarize(perOp: number[], opsPerBatch: number): Timing {
  perOp.sort((a, b) => a - b);
  const mid = perOp.length >> 1;
  const median =
    perOp.length % 2 === 1
      ? (perOp[mid] as number)
      : ((perOp[mid - 1] as number) + (perOp[mid] as number)) / 2;
  return {
    nsPerOp: median,
    minNsPerOp: perOp[0] as number,
    maxNsPerOp: perOp[perOp.length - 1] as number,
    batches: perOp.length,
    opsPerBatch,
  };
}

/**
 * Times an async op awaited one call at a time; `op(i)` gets a running counter to cycle
 * through a precomputed input list. Same contract as `timeAsync` in `bench/lib/timing.ts`.
 */
export async function timeAsync(
  op: (i: number) => Promise<unknown>,
  options: TimingOptions = {},
): Promise<Timing> {
  const { warmupMs, batches, batchMs } = { ...DEFAULTS, ...options };
  let i = 0;
  let warmOps = 0;
  const warmStart = performance.now();
  while (performance.now() - warmStart < warmupMs) {
    sink = await op(i++);
    warmOps++;
  }
  const msPerOp = (performance.now() - warmStart) / Math.max(warmOps, 1);
  const opsPerBatch = Math.max(1, Math.round(batchMs / msPerOp));
  const perOp: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = performance.now();
    for (let k = 0; k < opsPerBatch; k++) sink = await op(i++);
    perOp.push(((performance.now() - start) * 1e6) / opsPerBatch);
  }
  return summarize(perOp, opsPerBatch);
}

/** Wall time of one run of `fn`, in ms; for one-shot operations. */
export async function timeOnce<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

/** What {@link interleave} measured for one side. */
export interface SideTiming extends Timing {
  /** This side's ns/op ÷ the first side's, per round, sorted (the first side's are all 1). */
  readonly ratios: readonly number[];
}

/**
 * Times several ops side by side: after a warm-up of each (which calibrates its batch
 * to ~`batchMs`), every round times one batch of each side, in an order that rotates
 * from round to round. A load burst from another process then lands on all sides of
 * a round alike, so the per-round ratios stay meaningful on a busy machine where
 * figures taken seconds apart differ by 2×. Each side's `nsPerOp` is its median batch.
 */
export async function interleave(
  sides: readonly (readonly [name: string, op: (i: number) => Promise<unknown>])[],
  options: { warmupMs?: number; rounds?: number; batchMs?: number } = {},
): Promise<Record<string, SideTiming>> {
  const { warmupMs = 300, rounds = 21, batchMs = 25 } = options;
  let i = 0;
  const perBatch: number[] = [];
  for (const [, op] of sides) {
    let ops = 0;
    const start = performance.now();
    while (performance.now() - start < warmupMs || ops === 0) {
      sink = await op(i++);
      ops++;
    }
    perBatch.push(Math.max(1, Math.round(batchMs / ((performance.now() - start) / ops))));
  }
  const perOp: number[][] = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < sides.length; k++) {
      const s = (k + r) % sides.length;
      const op = sides[s]?.[1] as (i: number) => Promise<unknown>;
      const n = perBatch[s] as number;
      const start = performance.now();
      for (let j = 0; j < n; j++) sink = await op(i++);
      perOp[s]?.push(((performance.now() - start) * 1e6) / n);
    }
  }
  const first = perOp[0] as number[];
  const out: Record<string, SideTiming> = {};
  sides.forEach(([name], s) => {
    const mine = perOp[s] as number[];
    const ratios = mine.map((x, r) => x / (first[r] as number)).sort((a, b) => a - b);
    out[name] = { ...summarize([...mine], perBatch[s] as number), ratios };
  });
  return out;
}
