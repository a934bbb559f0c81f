/** The module Web Worker `createOverlayWorker` starts in a page. */
import type { Endpoint } from 'comlink';
import { exposeOverlay } from './server/index.js';

// The project's lib is DOM, which types `self` as a Window; in a worker it is the endpoint.
exposeOverlay(self as unknown as Endpoint);
