// The page's whole use of Vellum: the engine in a worker over a zip lower read by HTTP Range and an
// IndexedDB upper. `window.vellum` is what e2e/consumer.test.ts drives through Playwright.
import { createOverlayWorker } from '@vellum/worker';

/** @param {Worker | undefined} worker the worker to use (esbuild), or undefined for the package's own */
export function start(worker) {
  createOverlayWorker({
    lowers: [{ type: 'zip', url: '/layer.zip' }],
    upper: { type: 'idb', name: 'consumer-app' },
    worker,
  }).then(
    (fs) => {
      Object.assign(window, {
        vellum: {
          /** @param {string} path */
          read: (path) => fs.readFile(path, 'utf8'),
          /** @param {string} path @param {string} text */
          write: async (path, text) => {
            await fs.writeFile(path, text);
            await fs.sync();
          },
        },
      });
      document.title = 'ready';
    },
    (error) => {
      document.title = `failed: ${error instanceof Error ? error.message : error}`;
    },
  );
}
