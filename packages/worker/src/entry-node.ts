/** The worker_threads worker `createOverlayWorker` starts under Node. */
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { exposeOverlay } from './server/index.js';

if (parentPort === null) throw new Error('@vellum/worker: entry-node must run in a worker_threads worker');
exposeOverlay(nodeEndpoint(parentPort));
