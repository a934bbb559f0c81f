/**
 * Page module of the harness's own check (`bench/lib/browser.test.ts`): what a suite's page
 * module looks like, and proof that the page is isolated and timing works there.
 */
import { timeAsync } from './timing.js';

/** Whether SharedArrayBuffer and Atomics work here (they need cross-origin isolation). */
export function isolation(): { crossOriginIsolated: boolean; sharedBuffer: boolean } {
  let sharedBuffer = false;
  try {
    const view = new Int32Array(new SharedArrayBuffer(4));
    sharedBuffer = Atomics.add(view, 0, 1) === 0 && view[0] === 1;
  } catch {}
  return { crossOriginIsolated: globalThis.crossOriginIsolated, sharedBuffer };
}

/** Echoes its arguments (checks that `call` passes them through structured clone). */
export function echo(...args: unknown[]): unknown[] {
  return args;
}

/** ns per resolved-promise await, with the page-side timer. */
export async function awaitCost(): Promise<number> {
  return (await timeAsync(() => Promise.resolve(), { warmupMs: 20, batches: 3, batchMs: 5 })).nsPerOp;
}
