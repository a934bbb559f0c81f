/**
 * The module worker of the `worker-chromium` suite: @vellum/worker's own server, as its
 * `entry-web.ts` runs it, plus two baselines answered on the same port (same thread,
 * same heap, same listeners), before the overlay's listeners see them:
 * - a number is echoed at once: the bare `postMessage` round trip;
 * - `{ inWorkerRead: path }` runs one `readFile` on the served overlay itself, timed
 *   here, and answers `{ inWorkerRead: ms, bytes }`: the engine's read without the crossing.
 */
import type { Overlay } from '@vellum/core';
import { exposeOverlay } from '@vellum/worker/server';
import type { Endpoint } from 'comlink';

// The project's lib is DOM, which types `self` as a Window; in a worker it is the endpoint.
const scope = self as unknown as Endpoint;
let overlay: Overlay | undefined;

scope.addEventListener('message', (event) => {
  const data: unknown = (event as MessageEvent).data;
  if (typeof data === 'number') {
    event.stopImmediatePropagation();
    scope.postMessage(data);
    return;
  }
  if (typeof data === 'object' && data !== null && 'inWorkerRead' in data) {
    event.stopImmediatePropagation();
    void readHere(String(data.inWorkerRead));
  }
});

async function readHere(path: string): Promise<void> {
  if (overlay === undefined) throw new Error('inWorkerRead before the overlay is built');
  const start = performance.now();
  const bytes = await overlay.readFile(path);
  const ms = performance.now() - start;
  scope.postMessage({ inWorkerRead: ms, bytes: bytes.byteLength, last: bytes[bytes.byteLength - 1] });
}

exposeOverlay(scope, {
  onReady: (ov) => {
    overlay = ov;
  },
});
