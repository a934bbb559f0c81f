/**
 * OpfsUpper in Chromium's real OPFS, in a dedicated worker: random operation sequences
 * (fast-check), the workspace closed and reopened after every operation (each close compacts:
 * snapshot written beside and moved in), same view and inode numbers, fsck clean.
 */
import { expect, it } from 'vitest';
import type { ModelReply, ModelRequest } from './opfs-worker/model.js';

const numRuns = Number(import.meta.env.VITE_VELLUM_OPFS_MODEL_RUNS ?? 8);

it(`random sequences, reopened after every operation: same view, fsck clean (${numRuns} cases)`, async () => {
  const worker = new Worker(new URL('./opfs-worker/model.ts', import.meta.url), { type: 'module' });
  try {
    const reply = await new Promise<ModelReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<ModelReply>) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(`the worker failed: ${event.message}`));
      worker.postMessage({ numRuns, seed: Date.now() | 0 } satisfies ModelRequest);
    });
    if (!reply.ok) throw new Error(reply.error);
    expect(reply.runs).toBeGreaterThanOrEqual(numRuns);
    expect(reply.reopens).toBeGreaterThan(numRuns);
  } finally {
    worker.terminate();
  }
}, 120_000);
