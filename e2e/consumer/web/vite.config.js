// What a Vite app needs for @vellum/worker (both are gaps against "zero configuration", issue 15):
// - worker.format 'es': the worker's chunk splits (its zip, http and idb layers are imported on
//   use), which Vite's default worker format, iife, cannot hold;
// - optimizeDeps.exclude (dev only): pre-bundling moves the package's code into .vite/deps, where
//   `new Worker(new URL('./entry-web.js', import.meta.url))` no longer finds its file.
export default { worker: { format: 'es' }, optimizeDeps: { exclude: ['@vellum/worker'] } };
