/**
 * The worker of the `worker` suite: @vellum/worker's server (`exposeOverlay`, as its
 * entry-node does) for the suite's client, plus baselines on the same port that the
 * overlay's listeners never see: a number is echoed at once (the bare postMessage round
 * trip), and `{ inWorkerRead: path }` times one `readFile` on the served overlay itself
 * (`onReady`) and answers `{ inWorkerRead: ms, bytes, last }`. The server's `noop` is the
 * bare Comlink baseline. Same thread, heap and port for every figure.
 */
import { parentPort } from 'node:worker_threads';
import type { Overlay } from '@vellum/core';
import { exposeOverlay } from '@vellum/worker/server';
import type { Endpoint } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

const port = parentPort;
if (port === null) throw new Error('worker-baselines must run in a worker');

const isBaseline = (m: unknown): boolean =>
  typeof m === 'number' || (typeof m === 'object' && m !== null && 'inWorkerRead' in m);
let overlay: Overlay | undefined;
port.on('message', async (m: unknown) => {
  if (typeof m === 'number') port.postMessage(m);
  else if (isBaseline(m)) {
    if (overlay === undefined) throw new Error('inWorkerRead before the overlay is built');
    const start = performance.now();
    const bytes = await overlay.readFile(String((m as { inWorkerRead: unknown }).inWorkerRead));
    const ms = performance.now() - start;
    port.postMessage({ inWorkerRead: ms, bytes: bytes.byteLength, last: bytes[bytes.byteLength - 1] });
  }
});
// The overlay's listeners (its calls, Comlink's) are handed every message except the baselines'.
const ep = nodeEndpoint(port);
const listeners = new Map<EventListenerOrEventListenerObject, EventListener>();
const filtered: Endpoint = {
  postMessage: (message: unknown, transfer?: Transferable[]) => ep.postMessage(message, transfer),
  addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
    const only: EventListener = (event) => {
      if (isBaseline((event as MessageEvent).data)) return;
      if (typeof listener === 'function') listener(event);
      else listener.handleEvent(event);
    };
    listeners.set(listener, only);
    ep.addEventListener(type, only);
  },
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject) {
    const only = listeners.get(listener);
    if (only !== undefined) ep.removeEventListener(type, only);
    listeners.delete(listener);
  },
};
exposeOverlay(filtered, {
  onReady: (ov) => {
    overlay = ov;
  },
});
