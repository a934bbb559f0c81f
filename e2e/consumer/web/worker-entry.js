// The esbuild app's worker: the package's ready-made worker script.
import '@vellum/worker/web-worker';
