/** The boundary itself under Node: transfers, a worker's end, the synchronous channel. */
import { file } from '@vellum/core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  connectOverlay,
  connectSync,
  createOverlayWorker,
  type OverlayClient,
  WorkerGoneError,
} from '../src/index.js';
import { fixtureWorker } from './workers.js';

const MiB = 1024 * 1024;
const big = new Uint8Array(16 * MiB).map((_, i) => (i * 7) & 0xff);

describe('a probing worker', () => {
  let fs: OverlayClient;
  beforeAll(async () => {
    fs = await createOverlayWorker({
      lowers: [{ type: 'memory', tree: { 'big.bin': big, 'a.txt': 'a' } }],
      upper: { type: 'memory' },
      worker: fixtureWorker('probe'),
    });
  });
  afterAll(() => fs.close());

  test('a 16 MiB read is transferred: the worker’s buffer is detached, not cloned', async () => {
    const probes: { bytes: number; detached: boolean }[] = [];
    fs.addEventListener('probe', (e) => void probes.push((e as CustomEvent).detail));
    const data = await fs.readFile('/big.bin');
    expect(data.length).toBe(big.length);
    expect(data[12345]).toBe(big[12345]);
    // The probe event is posted right after the answer, on the same port.
    await fs.ping();
    expect(probes).toEqual([{ bytes: 16 * MiB, detached: true }]);
  });

  test('a write leaves the caller’s buffer usable', async () => {
    const mine = new Uint8Array([1, 2, 3]);
    await fs.writeFile('/mine.bin', mine);
    expect(mine.byteLength).toBe(3);
    expect([...(await fs.readFile('/mine.bin'))]).toEqual([1, 2, 3]);
  });
});

test('code in the worker gets the served overlay itself (exposeOverlay onReady)', async () => {
  const worker = fixtureWorker('direct');
  const fs = await createOverlayWorker({
    lowers: [{ type: 'memory', tree: { 'a.txt': 'lower' } }],
    upper: { type: 'memory' },
    worker,
  });
  try {
    await fs.writeFile('/a.txt', 'from the client');
    const direct = new Promise((resolve) => {
      const listen = (m: unknown): void => {
        if (typeof m !== 'object' || m === null || !('direct' in m)) return;
        worker.off('message', listen);
        resolve(m.direct);
      };
      worker.on('message', listen);
    });
    worker.postMessage({ direct: '/a.txt' });
    // Read in the worker, no crossing: the very overlay the client wrote to.
    expect(await direct).toBe('from the client');
  } finally {
    await fs.close();
  }
});

describe('the worker’s end', () => {
  test('terminating the worker mid-call rejects every pending call, and every later one', async () => {
    const worker = fixtureWorker('probe');
    const fs = await createOverlayWorker({
      lowers: [{ type: 'memory', tree: { 'big.bin': big } }],
      upper: { type: 'memory' },
      worker,
    });
    const closed = new Promise((resolve) =>
      fs.addEventListener('close', (e) => resolve((e as CustomEvent).detail)),
    );
    const pending = [fs.readFile('/big.bin'), fs.stat('/big.bin'), fs.writeFile('/x', 'x'), fs.walk('/')];
    void worker.terminate();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(WorkerGoneError);
    await expect(pending[0]).rejects.toThrow(
      /the overlay worker exited \(code 1\); the call readFile\(\) cannot complete/,
    );
    expect(await closed).toEqual({ reason: 'exited (code 1)' });
    await expect(fs.stat('/')).rejects.toMatchObject({ code: 'ERR_VELLUM_WORKER_GONE' });
  });

  test('a crash rejects pending calls with the crash’s message', async () => {
    const worker = fixtureWorker('probe');
    const fs = await createOverlayWorker({ lowers: [], upper: { type: 'memory' }, worker });
    const closed = new Promise((resolve) =>
      fs.addEventListener('close', (e) => resolve((e as CustomEvent).detail)),
    );
    let settled = false;
    const pending = fs.readdir('/').finally(() => {
      settled = true;
    });
    pending.catch(() => {});
    worker.postMessage('crash');
    expect(await closed).toEqual({ reason: 'crashed: boom' });
    await new Promise((r) => setTimeout(r, 0));
    // The call may have been answered before the crash; it must have settled either way.
    expect(settled).toBe(true);
    await expect(fs.stat('/')).rejects.toThrow(
      /the overlay worker crashed: boom; the call stat\(\) cannot complete/,
    );
  });

  test('close() terminates the worker; calls after it reject', async () => {
    const fs = await createOverlayWorker({ lowers: [], upper: { type: 'memory' } });
    const inFlight = fs.readdir('/');
    fs.close();
    await expect(inFlight).rejects.toThrow(/was closed/);
    await expect(fs.readdir('/')).rejects.toThrow(/was closed; the call readdir\(\) cannot complete/);
    expect(fs.closed).toBe('was closed');
  });
});

describe('synchronous access from another worker', () => {
  test('connectSync: reads, writes, stats, errors; payloads larger than the buffer come in chunks', async () => {
    const fs = await createOverlayWorker({
      lowers: [{ type: 'memory', tree: { 'a.txt': 'from the lower', dir: { 'f.txt': file('f') } } }],
      upper: { type: 'memory' },
    });
    const changes: string[] = [];
    fs.addEventListener(
      'change',
      (e) => void changes.push(...(e as CustomEvent<{ paths: string[] }>).detail.paths),
    );
    const port = await fs.syncPort();
    const user = fixtureWorker('sync-user', { port, capacity: 4096 }, [port]);
    const out = await new Promise<Record<string, unknown>>((resolve, reject) => {
      user.once('message', resolve);
      user.once('error', reject);
    });
    await user.terminate();
    const dirIno = (await fs.stat('/dir')).ino;
    expect(out).toEqual({
      read: 'from the lower',
      stat: { dir: true, file: false, ino: dirIno },
      readdir: ['f.txt'],
      dirents: [['f.txt', true]],
      exists: [true, false],
      mkdir: '/made',
      write: undefined,
      writeBig: true,
      rename: undefined,
      unlink: undefined,
      missing: {
        error: {
          code: 'ENOENT',
          syscall: 'stat',
          path: '/nope',
          message: "ENOENT: no such file or directory, stat '/nope'",
        },
      },
      eisdir: {
        error: { code: 'EISDIR', syscall: 'read', message: 'EISDIR: illegal operation on a directory, read' },
      },
    });
    expect(await fs.readFile('/made/w2.txt', 'utf8')).toBe('written synchronously');
    expect(changes).toContain('/big.bin');
    fs.close();
  });

  test('without SharedArrayBuffer, or on a page’s main thread, it refuses at once instead of hanging', () => {
    const { port1 } = new MessageChannel();
    vi.stubGlobal('crossOriginIsolated', false);
    expect(() => connectSync(port1)).toThrow(/cross-origin isolated/);
    vi.unstubAllGlobals();
    vi.stubGlobal('document', {});
    expect(() => connectSync(port1)).toThrow(/in a worker/);
    vi.unstubAllGlobals();
    port1.close();
  });
});

describe('a shared port', () => {
  test('connectOverlay: a second client on the same worker sees the same overlay; closing it leaves the worker serving', async () => {
    const fs = await createOverlayWorker({
      lowers: [{ type: 'memory', tree: { 'a.txt': 'from the lower' } }],
      upper: { type: 'memory' },
    });
    const changes: string[] = [];
    fs.addEventListener(
      'change',
      (e) => void changes.push(...(e as CustomEvent<{ paths: string[] }>).detail.paths),
    );
    const other = connectOverlay(await fs.port());
    await other.ping();
    expect(await other.readFile('/a.txt', 'utf8')).toBe('from the lower');
    await other.writeFile('/b.txt', 'from the port');
    expect(await fs.readFile('/b.txt', 'utf8')).toBe('from the port');
    await fs.writeFile('/a.txt', 'changed by the first');
    expect(await other.readFile('/a.txt', 'utf8')).toBe('changed by the first');
    // The port's own change reaches the client that owns the worker.
    expect(changes).toContain('/b.txt');
    await expect(other.stat('/nope')).rejects.toMatchObject({ code: 'ENOENT', syscall: 'stat' });
    await other.close();
    await expect(other.stat('/a.txt')).rejects.toThrow(/was closed/);
    expect((await fs.stat('/a.txt')).size).toBe('changed by the first'.length);
    expect(fs.closed).toBeUndefined();
    await fs.close();
  });
});
