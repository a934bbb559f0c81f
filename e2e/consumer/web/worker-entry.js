// The esbuild and Rollup apps' worker: the package's ready-made worker script.
import '@vellum/worker/web-worker';
