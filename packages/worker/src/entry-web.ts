/** The module Web Worker `createOverlayWorker` starts in a page. */
import { exposeOverlay } from './server/index.js';

exposeOverlay(self);
