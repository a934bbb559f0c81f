/**
 * Bench worker for the `worker` suite's baselines, by `workerData.mode`:
 * - `comlink`: Comlink exposing an empty function (the bare Comlink round trip);
 * - `echo`: answers every message with itself (the bare postMessage round trip);
 * - `read`: builds an overlay over a `size`-byte lower file in this worker and, for each
 *   message, times one `readFile` of it here, with no crossing (the in-worker throughput).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

const { mode, size } = workerData as { mode: string; size: number };
const port = parentPort;
if (port === null) throw new Error('worker-baselines must run in a worker');

if (mode === 'comlink') expose({ noop(): void {} }, nodeEndpoint(port));
if (mode === 'echo') port.on('message', (m: unknown) => port.postMessage(m));
if (mode === 'read') {
  const core = await import('@vellum/core');
  const data = new Uint8Array(size).map((_, i) => i & 0xff);
  const ov = await core.Overlay.create({
    lowers: [core.MemoryLayer.fromEntries([{ path: '/big.bin', kind: 'file', data }])],
    upper: new core.MemoryUpper(),
  });
  await ov.readFile('/big.bin'); // warm-up
  // One timed read per request, so the suite can interleave them with reads through the client.
  port.on('message', async () => {
    const t = performance.now();
    const back = await ov.readFile('/big.bin');
    const ms = performance.now() - t;
    if (back.length !== size) throw new Error(`in-worker read: ${back.length} bytes`);
    port.postMessage(ms);
  });
}
