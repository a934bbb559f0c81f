/**
 * The timing helper every suite uses: warm up, calibrate a batch size, run repeated
 * batches and report the median ns/op over batches.
 *
 * Why batches and a median: a single long loop hides GC pauses and JIT tier-ups in a
 * mean, while per-call timing is dominated by `hrtime` overhead for sub-µs calls. Timing
 * batches of ~`batchMs` each and taking the median batch gives a stable figure that
 * ignores the occasional batch hit by a major GC.
 */

export interface TimingOptions {
  /** Minimum wall time spent warming up (JIT, inline caches, lazy indexes) before timing. */
  readonly warmupMs?: number;
  /** Number of timed batches; the median of their ns/op is the result. */
  readonly batches?: number;
  /** Target duration of one batch; the op count per batch is calibrated from the warm-up. */
  readonly batchMs?: number;
}

export interface Timing {
  /** Median over batches of (batch time / ops in batch). */
  readonly nsPerOp: number;
  readonly minNsPerOp: number;
  readonly maxNsPerOp: number;
  readonly batches: number;
  readonly opsPerBatch: number;
}

const DEFAULTS = { warmupMs: 300, batches: 21, batchMs: 25 } as const;

/**
 * Written to by every measured op so V8 cannot prove a result unused and drop the call.
 * Exported so the write is observable from outside this module.
 */
export let sink: unknown;

const now = (): bigint => process.hrtime.bigint();

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function summarize(perOp: number[], opsPerBatch: number): Timing {
  perOp.sort((a, b) => a - b);
  return {
    nsPerOp: median(perOp),
    minNsPerOp: perOp[0] as number,
    maxNsPerOp: perOp[perOp.length - 1] as number,
    batches: perOp.length,
    opsPerBatch,
  };
}

/** Ops per batch from a warm-up rate; at least 1 so very slow ops still get timed. */
function calibrate(ops: number, elapsedNs: bigint, batchMs: number): number {
  const nsPerOp = Number(elapsedNs) / Math.max(ops, 1);
  return Math.max(1, Math.round((batchMs * 1e6) / nsPerOp));
}

/**
 * Times an async op. `op(i)` is called with a running counter so the caller can cycle
 * through a precomputed input list (`paths[i % paths.length]`); each call is awaited
 * before the next, which is how application code uses an fs/promises API.
 */
export async function timeAsync(
  op: (i: number) => Promise<unknown>,
  options: TimingOptions = {},
): Promise<Timing> {
  const { warmupMs, batches, batchMs } = { ...DEFAULTS, ...options };
  let i = 0;
  const warmStart = now();
  const warmBudget = BigInt(Math.round(warmupMs * 1e6));
  let warmOps = 0;
  while (now() - warmStart < warmBudget) {
    sink = await op(i++);
    warmOps++;
  }
  const opsPerBatch = calibrate(warmOps, now() - warmStart, batchMs);
  const perOp: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = now();
    for (let k = 0; k < opsPerBatch; k++) sink = await op(i++);
    perOp.push(Number(now() - start) / opsPerBatch);
  }
  return summarize(perOp, opsPerBatch);
}

/** Times a synchronous op; same protocol as {@link timeAsync} without the await per call. */
export function timeSync(op: (i: number) => unknown, options: TimingOptions = {}): Timing {
  const { warmupMs, batches, batchMs } = { ...DEFAULTS, ...options };
  let i = 0;
  const warmStart = now();
  const warmBudget = BigInt(Math.round(warmupMs * 1e6));
  let warmOps = 0;
  while (now() - warmStart < warmBudget) {
    sink = op(i++);
    warmOps++;
  }
  const opsPerBatch = calibrate(warmOps, now() - warmStart, batchMs);
  const perOp: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = now();
    for (let k = 0; k < opsPerBatch; k++) sink = op(i++);
    perOp.push(Number(now() - start) / opsPerBatch);
  }
  return summarize(perOp, opsPerBatch);
}

/**
 * The ratio `b / a` of two async ops' per-call times, measured in interleaved rounds (one
 * batch of each per round, the order alternating) so that load from other processes, which
 * drifts over seconds, hits both alike. Returns the median of the per-round ratios, and the
 * median ns/op of each side.
 */
export async function interleavedRatio(
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
  options: TimingOptions = {},
): Promise<{ ratio: number; aNs: number; bNs: number; minRatio: number; maxRatio: number }> {
  const { warmupMs, batches, batchMs } = { ...DEFAULTS, ...options };
  let i = 0;
  const rate = async (op: (i: number) => Promise<unknown>): Promise<number> => {
    const start = now();
    let ops = 0;
    while (now() - start < BigInt(Math.round(warmupMs * 1e6))) {
      sink = await op(i++);
      ops++;
    }
    return calibrate(ops, now() - start, batchMs);
  };
  const opsA = await rate(a);
  const opsB = await rate(b);
  const batch = async (op: (i: number) => Promise<unknown>, ops: number): Promise<number> => {
    const start = now();
    for (let k = 0; k < ops; k++) sink = await op(i++);
    return Number(now() - start) / ops;
  };
  const ratios: number[] = [];
  const aNs: number[] = [];
  const bNs: number[] = [];
  for (let r = 0; r < batches; r++) {
    let ta: number;
    let tb: number;
    if (r % 2 === 0) {
      ta = await batch(a, opsA);
      tb = await batch(b, opsB);
    } else {
      tb = await batch(b, opsB);
      ta = await batch(a, opsA);
    }
    aNs.push(ta);
    bNs.push(tb);
    ratios.push(tb / ta);
  }
  const sorted = (x: number[]): number[] => x.sort((p, q) => p - q);
  const r = sorted(ratios);
  return {
    ratio: median(r),
    aNs: median(sorted(aNs)),
    bNs: median(sorted(bNs)),
    minRatio: r[0] as number,
    maxRatio: r[r.length - 1] as number,
  };
}

/** Wall time of one run of `fn`, in ms; for one-shot operations that cannot be repeated. */
export async function timeOnce<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = now();
  const result = await fn();
  return { ms: Number(now() - start) / 1e6, result };
}
