/** Starting (or adopting) a worker_threads worker under Node. */
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { NodeWorkerLike } from './create.js';
import type { WorkerLink } from './link.js';

/** A link to `worker`, or to a new worker running this package's `entry-node`. */
export function spawnNode(given?: NodeWorkerLike): WorkerLink {
  // What `createOverlayWorker` was given under Node is a worker_threads Worker (see NodeWorkerLike).
  const worker = given as Worker | undefined;
  // From TypeScript sources (this package's `exports` point at .ts) the worker needs a loader.
  const entry = import.meta.url.endsWith('.ts') ? './entry-node-source.mjs' : './entry-node.js';
  const w = worker ?? new Worker(new URL(entry, import.meta.url));
  const callbacks: ((reason: string) => void)[] = [];
  const gone = (reason: string): void => {
    for (const callback of callbacks.splice(0)) callback(reason);
  };
  // 'error' (an uncaught throw) is always followed by 'exit'; the first reason wins.
  w.on('error', (error: Error) => gone(`crashed: ${error.message}`));
  w.on('exit', (code: number) => gone(`exited (code ${code})`));
  w.on('messageerror', () => {
    void w.terminate();
    gone('sent a message that could not be deserialized');
  });
  return {
    endpoint: nodeEndpoint(w),
    terminate: () => void w.terminate(),
    onGone: (callback) => void callbacks.push(callback),
  };
}
