// The Vite config of every app of the bundle suite (the suite adds outDir).
export default {
  // Top-level await in the apps; the same target for every app, Vellum's and the peers'.
  build: { target: 'es2022' },
  // @vellum/worker's chunks split (its layers load on use), which Vite's default worker format cannot hold.
  worker: { format: 'es' },
};
