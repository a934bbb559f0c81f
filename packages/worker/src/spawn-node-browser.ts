/**
 * What `#spawn-node` is in a browser build (package.json `imports`, `browser`
 * condition): the Node path without `node:worker_threads`, so a page's bundler never
 * has to resolve a Node built-in. A page never takes this path (it has `Worker`); it is
 * reached only with a worker_threads Worker passed in, which cannot exist in a page.
 */
import type { WorkerLink } from './link.js';

export function spawnNode(_worker?: unknown): WorkerLink {
  throw new TypeError(
    '@vellum/worker: worker_threads are not available in this build (browser); pass a module Web Worker, or run under Node',
  );
}
