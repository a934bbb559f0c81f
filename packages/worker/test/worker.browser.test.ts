/** The worker client in real Chromium: a module Web Worker started by the client, served by Vite. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { overlay } from '../../core/test/helpers.js';
import { createOverlayWorker, type OverlayClient, WorkerGoneError } from '../src/index.js';
import { type AnyFs, answer, descriptors, SCRIPT, TREES } from './script.js';

const MiB = 1024 * 1024;

describe('the engine through the client (Chromium module worker)', () => {
  let fs: OverlayClient;
  beforeAll(async () => {
    fs = await createOverlayWorker({
      lowers: descriptors(TREES),
      upper: { type: 'memory' },
      chunkSize: 4096,
    });
  });
  afterAll(() => fs.close());

  test('every call answers as the in-process engine does, errors included', async () => {
    const { ov } = await overlay(TREES, { chunkSize: 4096 });
    for (const step of SCRIPT) {
      const local = await answer(ov as unknown as AnyFs, step);
      const remote = await answer(fs as unknown as AnyFs, step);
      expect(remote, JSON.stringify(step)).toEqual(local);
    }
  });

  test('bulk calls and events', async () => {
    const seen: unknown[] = [];
    fs.addEventListener('change', (e) => void seen.push((e as CustomEvent).detail));
    await fs.writeMany(
      [
        { path: '/b/x.txt', data: 'x' },
        { path: '/b/y.txt', data: new Uint8Array([1]) },
      ],
      { parents: true },
    );
    expect(seen).toEqual([{ op: 'writeMany', paths: ['/b/x.txt', '/b/y.txt'] }]);
    expect((await fs.walk('/b')).map((e) => [e.path, e.type, e.stats.size])).toEqual([
      ['/b/x.txt', 'file', 1],
      ['/b/y.txt', 'file', 1],
    ]);
    expect(await fs.readMany(['/b/x.txt'], 'utf8')).toEqual(['x']);
  });
});

test('a 16 MiB read is transferred: the worker’s buffer is detached, not cloned', async () => {
  const big = new Uint8Array(16 * MiB).map((_, i) => i & 0xff);
  const fs = await createOverlayWorker({
    lowers: [{ type: 'memory', tree: { 'big.bin': big } }],
    upper: { type: 'memory' },
    worker: new Worker(new URL('./fixtures/probe-web.ts', import.meta.url), { type: 'module' }),
  });
  const probes: unknown[] = [];
  fs.addEventListener('probe', (e) => void probes.push((e as CustomEvent).detail));
  const data = await fs.readFile('/big.bin');
  expect(data.length).toBe(16 * MiB);
  expect(data[1000]).toBe(1000 & 0xff);
  await fs.ping();
  expect(probes).toEqual([{ bytes: 16 * MiB, detached: true }]);
  fs.close();
});

test('terminating the worker from outside mid-call rejects the pending calls (Web Locks notice it)', async () => {
  const worker = new Worker(new URL('../src/entry-web.ts', import.meta.url), { type: 'module' });
  const fs = await createOverlayWorker({
    lowers: [{ type: 'memory', tree: { 'big.bin': new Uint8Array(8 * MiB) } }],
    upper: { type: 'memory' },
    worker,
  });
  const pending = [fs.readFile('/big.bin'), fs.stat('/'), fs.walk('/')];
  worker.terminate();
  for (const p of pending) await expect(p).rejects.toBeInstanceOf(WorkerGoneError);
  await expect(fs.stat('/')).rejects.toThrow(/was terminated; the call stat\(\) cannot complete/);
});

test('close() ends the worker; a module that fails to load rejects creation', async () => {
  const fs = await createOverlayWorker({ lowers: [], upper: { type: 'memory' } });
  const inFlight = fs.readdir('/');
  fs.close();
  await expect(inFlight).rejects.toThrow(/was closed/);
  const broken = new Worker(new URL('./fixtures/missing-module.ts', import.meta.url), { type: 'module' });
  await expect(
    createOverlayWorker({ lowers: [], upper: { type: 'memory' }, worker: broken }),
  ).rejects.toThrow(/crashed/);
});

test('synchronous access from another worker: writes and chunked reads through shared memory', async () => {
  const fs = await createOverlayWorker({ lowers: [], upper: { type: 'memory' } });
  const port = await fs.syncPort();
  const user = new Worker(new URL('./fixtures/sync-user-web.ts', import.meta.url), { type: 'module' });
  const result = await new Promise<Record<string, unknown>>((resolve) => {
    user.addEventListener('message', (e) => resolve(e.data));
    user.postMessage({ port }, [port]);
  });
  user.terminate();
  // The browser project serves COOP/COEP headers (vite.config.ts); the refusal without them is tested under Node.
  expect(globalThis.crossOriginIsolated).toBe(true);
  expect(result).toEqual({ isolated: true, read: 10_000, stat: 10_000 });
  fs.close();
});
