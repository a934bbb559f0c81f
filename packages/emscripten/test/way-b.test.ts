/**
 * Way (b): the differential program in Pyodide in one worker_threads worker, the overlay in
 * another (@vellum/worker, an IndexedDB upper from fake-indexeddb, a zip lower held as bytes),
 * connected by @vellum/worker's SharedArrayBuffer channel (`connectSync`). It must print exactly
 * what way (a) prints (the engine's *Sync calls in Pyodide's own thread) and leave the same tree;
 * the page-side client sees the program's changes as `change` events and in `changes()`.
 */
import { type TransferListItem, Worker } from 'node:worker_threads';
import { treeToEntries } from '@vellum/core';
import { writeZip, type ZipWriteEntry } from '@vellum/core/zip';
import { createOverlayWorker } from '@vellum/worker';
import { loadPyodide } from 'pyodide';
import { expect, test, vi } from 'vitest';
import { type RunResult, runInPyodide, type StepLine, vellumMount } from './differential/runners.js';
import { SCENARIO } from './differential/scenario.js';

const boot = new URL('./fixtures/boot.mjs', import.meta.url);
const AT = '/home/pyodide/work';

/** The bottom lower of the scenario as a zip (it holds no whiteouts or hard links). */
function bottomZip(): Uint8Array {
  const entries: ZipWriteEntry[] = treeToEntries(SCENARIO[1] ?? {}).map((e) => {
    const path = e.path.slice(1);
    if (e.kind === 'file')
      return {
        path,
        kind: 'file',
        data: typeof e.data === 'string' ? new TextEncoder().encode(e.data) : e.data,
      };
    if (e.kind === 'dir') return { path, kind: 'dir' };
    throw new Error(`bottomZip: ${e.kind} at ${e.path} is not expected in the bottom lower`);
  });
  return writeZip(entries);
}

async function wayA(): Promise<RunResult> {
  const pyodide = await loadPyodide();
  await vellumMount(pyodide, SCENARIO, AT);
  return runInPyodide(pyodide, AT);
}

test('Pyodide in its own worker over an IndexedDB upper and a zip lower prints what way (a) prints', async () => {
  const fs = await createOverlayWorker({
    lowers: [
      { type: 'memory', tree: SCENARIO[0] ?? {} },
      { type: 'zip', data: bottomZip() },
    ],
    upper: { type: 'idb', name: `emscripten-way-b-${process.pid}` },
    worker: new Worker(boot, { workerData: { fixture: 'engine-worker' } }),
  });
  const changed = new Set<string>();
  fs.addEventListener('change', (e) => {
    for (const p of (e as CustomEvent<{ paths: string[] }>).detail.paths) changed.add(p);
  });
  try {
    const port = await fs.syncPort();
    const started = performance.now();
    const user = new Worker(boot, {
      workerData: { fixture: 'pyodide-worker', port, at: AT },
      // Under Node the DOM-typed port from syncPort() is Node's MessagePort.
      transferList: [port as unknown as TransferListItem],
    });
    const b = await new Promise<{ steps: StepLine[]; tree: Record<string, unknown[]> }>((resolve, reject) => {
      user.once('message', resolve);
      user.once('error', reject);
    });
    console.log(
      `way (b): Pyodide loaded and the program ran in ${Math.round(performance.now() - started)} ms`,
    );
    await user.terminate();

    const a = await wayA();
    expect(b.steps).toEqual([...a.steps.values()]);
    expect(b.tree).toEqual(a.tree);

    // The page-side client saw the program's changes as they happened, and can list them.
    // Events come on the client's own port: the worker's result can arrive before the last of them.
    await vi.waitFor(() =>
      expect([...changed]).toEqual(expect.arrayContaining(['/renamed.txt', '/copy/top.py', '/base.txt'])),
    );
    const changes = (await fs.changes()).map((c) => `${c.change} ${c.path}`);
    expect(changes).toEqual(expect.arrayContaining(['opaque /data', 'renamed /lib', 'modified /base.txt']));
    await fs.reset();
    expect(await fs.changes()).toEqual([]);
  } finally {
    fs.close();
  }
});
