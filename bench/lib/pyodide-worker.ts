/**
 * Way (b) for the `emscripten` suite: Pyodide in this worker_threads worker, the overlay in
 * another (@vellum/worker), reached through `connectSync`. Answers `{ op, args }` messages with
 * what the Python op returned.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mountOverlay } from '@vellum/emscripten';
import { connectSync } from '@vellum/worker';
import { loadPyodide } from 'pyodide';
import { PY_OPS } from './pyodide-ops.js';

const { port, at } = workerData as { port: MessagePort; at: string };
const pyodide = await loadPyodide();
mountOverlay(pyodide.FS, connectSync(port, { timeoutMs: 600_000 }), at);
pyodide.runPython(PY_OPS);
parentPort?.on('message', ({ op, args }: { op: string; args: unknown[] }) => {
  try {
    const fn = pyodide.globals.get(`bench_${op}`) as (...a: unknown[]) => { toJs(): number[] };
    const result = fn(...args.map((a) => (Array.isArray(a) ? pyodide.toPy(a) : a)));
    parentPort?.postMessage({ result: result.toJs() });
  } catch (error) {
    parentPort?.postMessage({ error: String(error) });
  }
});
parentPort?.postMessage('ready');
