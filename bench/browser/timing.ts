/**
 * Page-side timing for Chromium suites: the same protocol and result shape as
 * `bench/lib/timing.ts` (warm-up, a batch calibrated to `batchMs`, the median ns/op over
 * batches), timed with `performance.now()` because a page has no `process.hrtime`.
 * In the cross-origin-isolated bench page its resolution is 5 µs, far below a batch.
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
