// The Rollup app: the page and the package's worker script built as two separate bundles (Rollup
// leaves `new Worker(new URL(…))` alone, and two builds share no chunk, so the page loads none of
// the worker's code), resolved the browser's way and minified; the wasm module is copied beside them.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const plugins = [nodeResolve({ browser: true }), terser()];

export default [
  { input: { page: 'main-own-worker.js' }, output: { dir: 'dist-rollup', format: 'es' }, plugins },
  { input: { worker: 'worker-entry.js' }, output: { dir: 'dist-rollup', format: 'es' }, plugins },
];
