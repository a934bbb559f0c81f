// Cold start of the Vellum worker: createOverlayWorker called (the worker spawns, loads the engine and
// the wasm, opens the layers) until the first `stat` of a lower file is answered. `?lower=zip` opens
// /layer.zip over HTTP Range; otherwise a memory lower.
import { createOverlayWorker } from '@vellum/worker';

const zip = new URLSearchParams(location.search).get('lower') === 'zip';
const started = performance.now();
try {
  const fs = await createOverlayWorker({
    lowers: [zip ? { type: 'zip', url: '/layer.zip' } : { type: 'memory', tree: { 'a.txt': 'hello' } }],
    upper: { type: 'memory' },
  });
  const stats = await fs.stat('/a.txt');
  const answered = performance.now();
  if (!stats.isFile()) throw new Error('/a.txt is not a file');
  Object.assign(window, { coldStart: answered - started, sinceNavigation: answered });
} catch (error) {
  Object.assign(window, { coldError: String(error) });
}
