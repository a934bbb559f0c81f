/**
 * ZipLayer over HTTP Range against a real server on 127.0.0.1 (test/net/server.ts): request
 * counts and bytes for listing and reads, coalescing, the concurrency cap, and every failure the
 * issue names — no Range support, 404, 500 then 200, persistent 5xx, a cut-off body, a wrong
 * Content-Length, a slow first byte, an ETag change, an abort.
 *
 * The same suite runs in Node (zip-http.test.ts, server in the test file) and in Chromium
 * (zip-http.browser.test.ts, server started by the browser project's globalSetup and driven over
 * its control endpoint), so every server call here is async.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FsError, type LowerEntry, MemoryUpper, Overlay } from '../src/index.js';
import { HttpError, type LayerWarning, writeZip, ZipLayer, type ZipLayerOptions } from '../src/zip/index.js';
import { rejection, sameBytes } from './helpers.js';
import type { FaultServer } from './net/harness.js';

const encoder = new TextEncoder();
const noise = (n: number, seed: number): Uint8Array => {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

const small = writeZip([
  { path: 'src', kind: 'dir' },
  ...Array.from({ length: 20 }, (_, i) => ({
    path: `src/f${i}.txt`,
    kind: 'file' as const,
    data: encoder.encode(`file ${i}\n`.repeat(20)),
  })),
  { path: 'big.bin', kind: 'file', data: noise(300_000, 1) },
  { path: 'stored.bin', kind: 'file', data: noise(2_000_000, 2) },
  { path: 'link', kind: 'symlink', target: 'src/f1.txt' },
]);
// Long names push the central directory past the 64 KiB tail.
const wide = writeZip(
  Array.from({ length: 1500 }, (_, i) => ({
    path: `dir/${'n'.repeat(60)}-${i}.txt`,
    kind: 'file' as const,
    data: encoder.encode(`${i}`),
  })),
);

const fast: ZipLayerOptions = { retryDelayMs: 1, maxRetryDelayMs: 5 };

async function refOf(layer: ZipLayer, path: string): Promise<unknown> {
  for await (const e of layer.entries() as Iterable<LowerEntry>)
    if (e.path === path && e.kind === 'file') return e.ref;
  throw new Error(`no ${path}`);
}

/** Every test below, against the server `get` returns (called once the suite's hooks have run). */
export function zipHttpSuite(name: string, get: () => FaultServer): void {
  describe(name, () => {
    let server: FaultServer;
    beforeAll(async () => {
      server = get();
      await server.putFile('/small.zip', small);
      await server.putFile('/wide.zip', wide);
    });
    beforeEach(() => server.reset());

    describe('ZipLayer over HTTP: requests and bytes', () => {
      it('lists with one suffix request when the directory fits the tail, and reads an entry with one more', async () => {
        const layer = await ZipLayer.open(server.url('/small.zip'), fast);
        // The symlink target is read at listing too: one more request.
        expect((await server.requests()).map((r) => r.range?.replace(/\d+-\d+/, 'a-b'))).toEqual([
          'bytes=-65577',
          'bytes=a-b',
        ]);
        await server.reset();
        const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
        expect(sameBytes(await ov.readFile('/big.bin'), noise(300_000, 1))).toBe(true);
        expect(await server.requests()).toHaveLength(1);
        // Local header, name, a bounded over-read and the data: never much more than the entry.
        expect(await server.bytesSent()).toBeLessThan(300_000 + 30 + 7 + 256 + 1);
        expect(layer.stats.requests).toBe(3);
        // Served from the cache now.
        await ov.readFile('/big.bin');
        expect(await server.requests()).toHaveLength(1);
      });

      it('lists with two requests when the directory is larger than the tail', async () => {
        expect(wide.length).toBeGreaterThan(100_000);
        const layer = await ZipLayer.open(server.url('/wide.zip'), fast);
        expect(await server.requests()).toHaveLength(2);
        expect((await server.requests())[0]?.range).toBe('bytes=-65577');
        expect([...(layer.entries() as Iterable<LowerEntry>)]).toHaveLength(1500);
        // The second request ends where the tail begins: nothing is fetched twice.
        expect(await server.bytesSent()).toBeLessThan(wide.length);
      });

      it('a server that answers a suffix range from the start (sirv) costs one more request, nothing else', async () => {
        await server.setFaults({ suffixFromStart: true });
        const layer = await ZipLayer.open(server.url('/wide.zip'), fast);
        expect((await server.requests()).map((r) => r.range)).toEqual([
          'bytes=-65577',
          `bytes=${wide.length - 65577}-${wide.length - 1}`,
          expect.stringMatching(/^bytes=\d+-\d+$/),
        ]);
        expect([...(layer.entries() as Iterable<LowerEntry>)]).toHaveLength(1500);
      });

      it('coalesces small neighbours read together into one request', async () => {
        const layer = await ZipLayer.open(server.url('/small.zip'), fast);
        const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
        await server.reset();
        const texts = await Promise.all(
          Array.from({ length: 10 }, (_, i) => ov.readFile(`/src/f${i + 5}.txt`, 'utf8')),
        );
        expect(texts[3]).toBe('file 8\n'.repeat(20));
        expect(await server.requests()).toHaveLength(1);
      });

      it('reads ranges of a large stored entry without fetching all of it', async () => {
        const layer = await ZipLayer.open(server.url('/small.zip'), fast);
        const ref = await refOf(layer, '/stored.bin');
        await server.reset();
        expect(await layer.read(ref, 1_500_000, 100)).toEqual(
          noise(2_000_000, 2).subarray(1_500_000, 1_500_100),
        );
        expect(await layer.read(ref, 10, 10)).toEqual(noise(2_000_000, 2).subarray(10, 20));
        // One header probe, then one request per range.
        expect(await server.requests()).toHaveLength(3);
        expect(await server.bytesSent()).toBeLessThan(1000);
      });

      it('caps concurrent requests (default 6, configurable)', async () => {
        const layer = await ZipLayer.open(server.url('/wide.zip'), {
          ...fast,
          concurrency: 3,
          coalesceGap: 0,
          maxCoalesced: 1,
        });
        const refs = [...(layer.entries() as Iterable<LowerEntry>)]
          .flatMap((e) => (e.kind === 'file' ? [e.ref] : []))
          .filter((_, i) => i % 10 === 0)
          .slice(0, 12);
        await server.reset();
        await server.setFaults({ delayMs: 20 });
        await Promise.all(refs.map((r) => layer.read(r, 0, 10)));
        expect(await server.requests()).toHaveLength(12);
        expect(await server.maxActive()).toBe(3);
      });
    });

    describe('ZipLayer over HTTP: failures', () => {
      it('a server that ignores Range: the archive is downloaded once, with a warning', async () => {
        await server.setFaults({ noRange: true });
        const warnings: LayerWarning[] = [];
        const layer = await ZipLayer.open(server.url('/small.zip'), {
          ...fast,
          onWarning: (w) => warnings.push(w),
        });
        expect(warnings).toEqual([expect.objectContaining({ kind: 'no-range' })]);
        expect(layer.lazy).toBe(false);
        const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
        for (let i = 0; i < 10; i++) await ov.readFile(`/src/f${i}.txt`);
        await ov.readFile('/stored.bin');
        expect(await server.requests()).toHaveLength(1);
        expect(await server.bytesSent()).toBe(small.length);
      });

      it('404 for a listed entry is EIO with the status in the cause; the next read tries again', async () => {
        const layer = await ZipLayer.open(server.url('/small.zip'), fast);
        const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
        await server.reset();
        await server.failNext('/small.zip', 404);
        const e = await rejection(ov.readFile('/big.bin'));
        expect(e.code).toBe('EIO');
        expect(e.path).toBe('/big.bin');
        expect(e.cause).toBeInstanceOf(HttpError);
        expect((e.cause as HttpError).status).toBe(404);
        expect(await server.requests()).toHaveLength(1);
        expect(await ov.readFile('/big.bin')).toHaveLength(300_000);
      });

      it('500 then 200: retried, and the read succeeds', async () => {
        const layer = await ZipLayer.open(server.url('/small.zip'), fast);
        await server.reset();
        await server.failNext('/small.zip', 500, 2);
        expect(await layer.read(await refOf(layer, '/big.bin'), 0, 5)).toEqual(noise(5, 1));
        expect((await server.requests()).map((r) => r.status)).toEqual([500, 500, 206]);
      });

      it('persistent 5xx: bounded retries, then EIO', async () => {
        const layer = await ZipLayer.open(server.url('/small.zip'), { ...fast, retries: 2 });
        await server.reset();
        await server.failNext('/small.zip', 503, 10);
        const e = await rejection(layer.read(await refOf(layer, '/big.bin'), 0, 5));
        expect(e.code).toBe('EIO');
        expect((e.cause as HttpError).status).toBe(503);
        expect(await server.requests()).toHaveLength(3);
      });

      it('a cut-off body is EIO (after the retries) and poisons nothing', async () => {
        const layer = await ZipLayer.open(server.url('/small.zip'), { ...fast, retries: 1 });
        const ref = await refOf(layer, '/big.bin');
        await server.reset();
        await server.setFaults({ truncateAt: 1000 });
        const e = await rejection(layer.read(ref, 0, 300_000));
        expect(e.code).toBe('EIO');
        expect((e.cause as HttpError).kind).toBe('truncated');
        expect(await server.requests()).toHaveLength(2);
        await server.setFaults({});
        expect(sameBytes(await layer.read(ref, 0, 300_000), noise(300_000, 1))).toBe(true);
      });

      it.each([-100, 100])('a wrong Content-Length (%i) is EIO', async (delta) => {
        const layer = await ZipLayer.open(server.url('/small.zip'), { ...fast, retries: 0 });
        const ref = await refOf(layer, '/big.bin');
        await server.reset();
        await server.setFaults({ contentLengthDelta: delta });
        const e = await rejection(layer.read(ref, 0, 300_000));
        expect(e.code).toBe('EIO');
        expect((e.cause as HttpError).kind).toBe('truncated');
        expect(await server.requests()).toHaveLength(1);
      });

      it('a slow first byte times out: ETIMEDOUT, not retried', async () => {
        // The timeout covers the opening too: 1 s, so that a loaded machine opens in time, and a
        // first byte 4 s late is still far past it.
        const layer = await ZipLayer.open(server.url('/small.zip'), { ...fast, timeoutMs: 1000 });
        const ref = await refOf(layer, '/big.bin');
        await server.reset();
        await server.setFaults({ delayMs: 4000 });
        const e = await rejection(layer.read(ref, 0, 10));
        expect(e).toBeInstanceOf(FsError);
        expect(e.code).toBe('ETIMEDOUT');
        expect(await server.requests()).toHaveLength(1);
      });

      it('an archive that changed on the server mid-session is EIO saying so (If-Match → 412)', async () => {
        const layer = await ZipLayer.open(server.url('/small.zip'), fast);
        const ref = await refOf(layer, '/big.bin');
        await server.reset();
        await server.setFaults({ etag: '"a-new-version"' });
        const e = await rejection(layer.read(ref, 0, 10));
        expect(e.code).toBe('EIO');
        expect((e.cause as HttpError).kind).toBe('changed');
        expect(String((e.cause as Error).message)).toMatch(/changed on the server/);
        expect((await server.requests())[0]?.ifMatch).toMatch(/^"[0-9a-f]{16}"$/);
      });

      it('an abort signal cancels requests in flight', async () => {
        const controller = new AbortController();
        const layer = await ZipLayer.open(server.url('/small.zip'), { ...fast, signal: controller.signal });
        const ref = await refOf(layer, '/big.bin');
        await server.reset();
        await server.setFaults({ delayMs: 5000 });
        const pending = layer.read(ref, 0, 10);
        while ((await server.requests()).length === 0) await new Promise((r) => setTimeout(r, 5));
        const started = Date.now();
        controller.abort();
        const e = await rejection(pending);
        expect(e.name).toBe('AbortError');
        expect(Date.now() - started).toBeLessThan(2000);
        expect(await server.requests()).toHaveLength(1);
      });

      it('a missing archive fails to open with ENOENT; garbage with EIO', async () => {
        expect((await rejection(ZipLayer.open(server.url('/nope.zip'), fast))).code).toBe('ENOENT');
        await server.putFile('/junk.zip', encoder.encode('junk'));
        expect((await rejection(ZipLayer.open(server.url('/junk.zip'), fast))).code).toBe('EIO');
      });
    });
  });
}
