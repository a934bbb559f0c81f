// The worker's chunk splits (its zip, http and idb layers are imported on use), which Vite's
// default worker format, iife, cannot hold: 'es' is the one setting a Vite app needs.
export default { worker: { format: 'es' } };
