/**
 * Sampling for suites that compare Vellum, ZenFS and the kernel's overlayfs on fresh state per
 * sample (dir-copy-up, rm-tree): each side builds a fixture once per size, then the samples are
 * taken in rotating order within each round, so load drift on a shared machine hits every side
 * alike. One call per size; the fixtures are disposed before it returns.
 */
import type { Timing } from './timing.js';
import { type Settled, settle } from './vellum.js';

export type SideName = 'vellum' | 'zenfs' | 'kernel';
export const SIDES: readonly SideName[] = ['vellum', 'zenfs', 'kernel'];

/** A side's state for one size, from which fresh samples are made. */
export interface Fixture<S> {
  sample(): Promise<S>;
  dispose(): Promise<void>;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const now = (): bigint => process.hrtime.bigint();

/** Runs `fn` after a GC and returns its wall time in ns with its result. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ns: number; result: T }> {
  gc();
  const start = now();
  const result = await fn();
  return { ns: Number(now() - start), result };
}

/** The middle value (of an odd count: a sample). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

/** Single-call samples as a Timing (one op a batch). */
export function toTiming(ns: readonly number[]): Timing {
  const sorted = [...ns].sort((a, b) => a - b);
  return {
    nsPerOp: median(sorted),
    minNsPerOp: sorted[0] as number,
    maxNsPerOp: sorted[sorted.length - 1] as number,
    batches: sorted.length,
    opsPerBatch: 1,
  };
}

/**
 * Builds every side's fixture (the kernel's only when `kernelSkip` is null, else it fails with
 * that reason), takes `samples` samples of each in rotating order (after a discarded warm-up
 * round when `warmUp`: a side's first run of its code is not a sample), disposes them, and
 * summarizes each side's samples. A side whose fixture, a sample or its disposal fails gets that
 * error instead. `built` says how long each build took, for the suite's log.
 */
export async function sampleSides<S, R>(
  builders: Readonly<Record<SideName, () => Promise<Fixture<S>>>>,
  options: { readonly samples: number; readonly warmUp: boolean; readonly kernelSkip: string | null },
  summarize: (samples: readonly S[], buildMs: number) => R,
): Promise<{ sides: Record<SideName, Settled<R>>; built: string }> {
  gc();
  const build = (side: SideName): Promise<Fixture<S>> =>
    side === 'kernel' && options.kernelSkip !== null
      ? Promise.reject(new Error(`skipped: ${options.kernelSkip}`))
      : builders[side]();
  const fixtures = {} as Record<SideName, Settled<Fixture<S>>>;
  const buildMs = {} as Record<SideName, number>;
  for (const side of SIDES) {
    const start = performance.now();
    fixtures[side] = await settle(() => build(side));
    buildMs[side] = performance.now() - start;
  }
  const got: Record<SideName, S[]> = { vellum: [], zenfs: [], kernel: [] };
  const failed: Partial<Record<SideName, unknown>> = {};
  try {
    for (let s = options.warmUp ? -1 : 0; s < options.samples; s++) {
      for (let k = 0; k < SIDES.length; k++) {
        const side = SIDES[(s + 1 + k) % SIDES.length] as SideName;
        const fixture = fixtures[side];
        if (!fixture.ok || side in failed) continue;
        try {
          const sample = await fixture.value.sample();
          if (s >= 0) got[side].push(sample);
        } catch (error) {
          failed[side] = error;
        }
      }
    }
  } finally {
    for (const side of SIDES) {
      const fixture = fixtures[side];
      if (!fixture.ok) continue;
      try {
        await fixture.value.dispose();
      } catch (error) {
        failed[side] ??= error;
      }
    }
  }
  const sides = {} as Record<SideName, Settled<R>>;
  for (const side of SIDES) {
    const fixture = fixtures[side];
    sides[side] = !fixture.ok
      ? fixture
      : side in failed
        ? { ok: false, error: failed[side] }
        : { ok: true, value: summarize(got[side], buildMs[side]) };
  }
  const built = SIDES.map((s) => `${s} ${fixtures[s].ok ? `${buildMs[s].toFixed(0)} ms` : 'not built'}`);
  return { sides, built: built.join(', ') };
}
