/**
 * The differential program in Chromium: Pyodide in a module Web Worker, the overlay in another
 * (@vellum/worker) over a real IndexedDB upper and the scenario's lowers (the bottom one a zip),
 * through the SharedArrayBuffer channel. It prints what the same program prints on an overlay in
 * Pyodide's own thread (way (a)), and the page's client sees the changes.
 */
import { treeToEntries } from '@vellum/core';
import { writeZip, type ZipWriteEntry } from '@vellum/core/zip';
import { createOverlayWorker } from '@vellum/worker';
import { expect, test, vi } from 'vitest';
import { SCENARIO } from './differential/scenario.js';

function bottomZip(): Uint8Array {
  return writeZip(
    treeToEntries(SCENARIO[1] ?? {}).map((e): ZipWriteEntry => {
      const path = e.path.slice(1);
      if (e.kind === 'file')
        return {
          path,
          kind: 'file',
          data: typeof e.data === 'string' ? new TextEncoder().encode(e.data) : e.data,
        };
      if (e.kind === 'dir') return { path, kind: 'dir' };
      throw new Error(`bottomZip: ${e.kind} at ${e.path}`);
    }),
  );
}

test('Pyodide in a Web Worker over an IndexedDB upper through connectSync prints what way (a) prints', {
  timeout: 120_000,
}, async () => {
  expect(globalThis.crossOriginIsolated).toBe(true);
  const name = `emscripten-${Date.now()}`;
  const lowers = [
    { type: 'memory', tree: SCENARIO[0] ?? {} },
    { type: 'zip', data: bottomZip() },
  ] as const;
  const fs = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'idb', name } });
  try {
    const changed = new Set<string>();
    fs.addEventListener('change', (e) => {
      for (const p of (e as CustomEvent<{ paths: string[] }>).detail.paths) changed.add(p);
    });
    const script = await (await fetch(new URL('./differential/script.py', import.meta.url))).text();
    // The npm package's own files, served by Vite (no CDN): the directory of one of them.
    const asm = new URL('../node_modules/pyodide/pyodide.asm.js', import.meta.url).href;
    const indexURL = asm.slice(0, asm.lastIndexOf('/') + 1);
    const port = await fs.syncPort();
    const user = new Worker(new URL('./fixtures/pyodide-web-worker.ts', import.meta.url), { type: 'module' });
    const out = await new Promise<{ a?: string[]; b?: string[]; ms?: number; error?: string }>((resolve) => {
      user.addEventListener('message', (e) => resolve(e.data));
      user.postMessage({ port, indexURL, script }, [port]);
    });
    user.terminate();
    expect(out.error).toBeUndefined();
    console.log(`Chromium, way (b) over IndexedDB: the program ran in ${Math.round(out.ms ?? 0)} ms`);
    expect(out.b?.length).toBeGreaterThan(80);
    expect(out.b).toEqual(out.a);
    // Events come on the client's own port: the worker's result can arrive before the last of them.
    await vi.waitFor(() =>
      expect([...changed]).toEqual(expect.arrayContaining(['/renamed.txt', '/base.txt'])),
    );
    const changes = (await fs.changes()).map((c) => `${c.change} ${c.path}`);
    expect(changes).toEqual(expect.arrayContaining(['opaque /data', 'renamed /lib', 'modified /base.txt']));
    // The program's changes are in IndexedDB: a new engine on the same upper (a reload) has them.
    fs.close();
    const again = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'idb', name } });
    try {
      expect((await again.changes()).map((c) => `${c.change} ${c.path}`)).toEqual(changes);
      expect(await again.readFile('/lib/top.py', 'utf8')).toBe('TOZZ= 1\n');
    } finally {
      again.close();
    }
  } finally {
    fs.close();
  }
});
