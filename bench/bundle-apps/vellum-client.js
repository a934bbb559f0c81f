// Page side of an app that only calls createOverlayWorker: the engine, its layers and the wasm are
// the worker's chunks (which hold every layer kind the worker can open: memory, zip, http, idb).
import { createOverlayWorker } from '@vellum/worker';

const fs = await createOverlayWorker({ lowers: [{ type: 'memory' }], upper: { type: 'memory' } });
await fs.writeFile('/a.txt', 'hello');
document.title = await fs.readFile('/a.txt', 'utf8');
