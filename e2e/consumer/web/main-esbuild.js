// esbuild does not follow `new Worker(new URL(…))`: the worker is built as its own entry point
// (worker-entry.js) and passed in, with vellum.wasm copied beside it.
import { start } from './start.js';

start(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
