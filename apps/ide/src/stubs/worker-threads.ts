/**
 * Stands in for `node:worker_threads` in the page's production bundle: `@vellum/worker` imports it
 * (dynamically) only on its Node path, which a page never takes, but Rollup still has to resolve the
 * named import. Remove when the worker package ships a browser build without it.
 */
export class Worker {
  constructor() {
    throw new Error('node:worker_threads is not available in a browser');
  }
}
