/**
 * `@vellum/worker/server`: the worker side, for a worker script of your own. It holds
 * the engine (core, the layers, the wasm), so only the worker's bundle imports it;
 * the page imports `createOverlayWorker` from `@vellum/worker`, which stays thin.
 *
 * @example
 * ```ts
 * // my-worker.ts, started with new Worker(new URL('./my-worker.ts', import.meta.url), { type: 'module' })
 * import { exposeOverlay } from '@vellum/worker/server';
 * exposeOverlay(self);
 * ```
 *
 * @module
 */
export { type ExposeOverlayOptions, exposeOverlay } from '../server.js';
