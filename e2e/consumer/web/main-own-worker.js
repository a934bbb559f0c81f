// esbuild and Rollup do not follow `new Worker(new URL(…))` into a package: the app builds the
// package's worker script (worker-entry.js) as its own entry point and passes the worker in, with
// the wasm module copied beside the output.
import { start } from './start.js';

start(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
