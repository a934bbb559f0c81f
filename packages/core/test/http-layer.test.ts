/**
 * HttpLayer against a real server on 127.0.0.1: the manifest (shape, digest, identity), one
 * request per file read, the LRU byte budget, integrity against the manifest's SHA-256, a base
 * changed mid-session (If-Match → 412, a new size, a new hash) and the network failures.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildManifest,
  type HttpError,
  HttpLayer,
  type HttpLayerOptions,
  type ManifestEntry,
  type ProgressEvent,
  sha256Hex,
  TransferMeter,
} from '../src/http/index.js';
import { MemoryUpper, Overlay } from '../src/index.js';
import { rejection } from './helpers.js';
import { TestServer } from './net/server.js';

const encoder = new TextEncoder();
const T = Date.UTC(2024, 0, 2, 3, 4, 5);

/** Puts a directory on the server under `prefix`: its files and its vellum.json. */
async function serve(
  server: TestServer,
  prefix: string,
  files: Record<string, string>,
  extra: ManifestEntry[] = [],
): Promise<void> {
  const entries: ManifestEntry[] = [...extra];
  for (const [path, text] of Object.entries(files)) {
    const bytes = encoder.encode(text);
    server.files.set(`${prefix}/${path}`, bytes);
    entries.push({
      path,
      type: 'file',
      mode: 0o644,
      size: bytes.length,
      mtime: T,
      sha256: await sha256Hex(bytes),
    });
  }
  server.files.set(`${prefix}/vellum.json`, encoder.encode(JSON.stringify(await buildManifest(entries))));
}

let server: TestServer;
const files: Record<string, string> = {
  'src/main.ts': 'export const main = 1;\n',
  'src/util.ts': 'export const util = 2;\n'.repeat(100),
  'docs/a b.md': '# spaces in names\n',
  'big.txt': 'x'.repeat(50_000),
};
beforeAll(async () => {
  server = await TestServer.start();
  await serve(server, '/base', files, [
    { path: 'src', type: 'dir', mode: 0o750, mtime: T },
    { path: 'latest', type: 'symlink', mode: 0o777, mtime: T, target: 'src/main.ts' },
    { path: 'gone', type: 'whiteout' },
  ]);
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function refOf(layer: HttpLayer, path: string): unknown {
  for (const e of layer.entries()) if (e.kind === 'file' && e.path === `/${path}`) return e.ref;
  throw new Error(`no ${path}`);
}

const fast: HttpLayerOptions = { retryDelayMs: 1, maxRetryDelayMs: 5 };

describe('HttpLayer', () => {
  it('opens with one request (the manifest) and lists its entries; the id is the manifest digest', async () => {
    const layer = await HttpLayer.open(server.url('/base/'), fast);
    expect(server.requests.map((r) => r.path)).toEqual(['/base/vellum.json']);
    expect(layer.id).toMatch(/^http:sha256-[0-9a-f]{64}$/);
    expect(layer.id).toBe(`http:${layer.manifest.digest}`);
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    expect((await ov.stat('/src')).mode & 0o7777).toBe(0o750);
    expect((await ov.stat('/src/main.ts')).mtimeMs).toBe(T);
    expect(await ov.readlink('/latest')).toBe('src/main.ts');
    expect(server.requests).toHaveLength(1);
  });

  it('fetches a file on first read with one request, then serves it from memory', async () => {
    const layer = await HttpLayer.open(server.url('/base'), fast);
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    server.reset();
    expect(await ov.readFile('/src/util.ts', 'utf8')).toBe(files['src/util.ts']);
    expect(await ov.readFile('/docs/a b.md', 'utf8')).toBe('# spaces in names\n');
    expect(await ov.readFile('/latest', 'utf8')).toBe(files['src/main.ts']);
    expect(server.requests.map((r) => r.path)).toEqual([
      '/base/src/util.ts',
      '/base/docs/a b.md',
      '/base/src/main.ts',
    ]);
    await ov.readFile('/src/util.ts');
    await ov.readFile('/big.txt');
    await ov.readFile('/big.txt');
    expect(server.requests).toHaveLength(4);
    expect(layer.stats.requests).toBe(5);
  });

  it('keeps the cache under its byte budget (LRU) and refetches with If-Match', async () => {
    const layer = await HttpLayer.open(server.url('/base'), { ...fast, cacheBytes: 51_000 });
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    server.reset();
    await ov.readFile('/src/main.ts'); // 23 B
    await ov.readFile('/src/util.ts'); // 2.3 KB
    await ov.readFile('/src/main.ts'); // cached, and now more recent than util.ts
    expect(server.requests).toHaveLength(2);
    await ov.readFile('/big.txt'); // 50 KB: over budget, the least recently used (util.ts) goes
    expect(layer.readSync(refOf(layer, 'src/util.ts'), 0, 1)).toBeUndefined();
    expect(layer.readSync(refOf(layer, 'src/main.ts'), 0, 1)).toEqual(encoder.encode('e'));
    await ov.readFile('/src/util.ts');
    expect(server.requests.map((r) => r.path)).toEqual([
      '/base/src/main.ts',
      '/base/src/util.ts',
      '/base/big.txt',
      '/base/src/util.ts',
    ]);
    expect(server.requests[3]?.ifMatch).toMatch(/^"[0-9a-f]{16}"$/);
  });

  it('a base changed on the server mid-session is EIO saying so', async () => {
    const layer = await HttpLayer.open(server.url('/base'), { ...fast, cacheBytes: 0 });
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    await ov.readFile('/src/main.ts');
    await ov.readFile('/src/util.ts'); // evicts main.ts (a zero budget keeps only the newest)
    server.reset();
    // Same path, new ETag: the refetch carries If-Match and the server answers 412.
    server.faults.etag = '"v2"';
    const e = await rejection(ov.readFile('/src/main.ts'));
    expect(e.code).toBe('EIO');
    expect((e.cause as HttpError).kind).toBe('changed');
    expect(server.requests[0]?.ifMatch).toMatch(/^"[0-9a-f]{16}"$/);
    expect(server.requests[0]?.status).toBe(412);
    server.faults = {};
    // New content of another length: EIO naming the mismatch.
    server.files.set('/base/big.txt', encoder.encode('y'.repeat(10)));
    const e2 = await rejection(ov.readFile('/big.txt'));
    expect(e2.code).toBe('EIO');
    expect(String((e2.cause as Error).message)).toMatch(
      /10 bytes, the manifest says 50000: the base changed/,
    );
    server.files.set('/base/big.txt', encoder.encode(files['big.txt'] as string));
  });

  it('checks integrity against the manifest (and can be told not to)', async () => {
    server.files.set('/base/src/main.ts', encoder.encode('export const main = 9;\n'));
    try {
      const checked = await HttpLayer.open(server.url('/base'), fast);
      const e = await rejection(checked.read(refOf(checked, 'src/main.ts'), 0, 100));
      expect(e.code).toBe('EIO');
      expect(String((e.cause as Error).message)).toMatch(/SHA-256 differs/);
      const unchecked = await HttpLayer.open(server.url('/base'), { ...fast, integrity: false });
      expect(new TextDecoder().decode(await unchecked.read(refOf(checked, 'src/main.ts'), 0, 100))).toBe(
        'export const main = 9;\n',
      );
    } finally {
      server.files.set('/base/src/main.ts', encoder.encode(files['src/main.ts'] as string));
    }
  });

  it('404 for a listed file is EIO with the status; 5xx is retried; a timeout is ETIMEDOUT', async () => {
    const layer = await HttpLayer.open(server.url('/base'), { ...fast, timeoutMs: 100 });
    server.reset();
    server.failNext('/base/src/main.ts', 404);
    const e = await rejection(layer.read(refOf(layer, 'src/main.ts'), 0, 10));
    expect(e.code).toBe('EIO');
    expect((e.cause as HttpError).status).toBe(404);
    server.failNext('/base/src/main.ts', 502, 2);
    expect(new TextDecoder().decode(await layer.read(refOf(layer, 'src/main.ts'), 0, 6))).toBe('export');
    expect(server.requests.map((r) => r.status)).toEqual([404, 502, 502, 200]);
    server.faults.delayMs = 1000;
    expect((await rejection(layer.read(refOf(layer, 'src/util.ts'), 0, 10))).code).toBe('ETIMEDOUT');
  });

  it('refuses a missing manifest (ENOENT) and one whose digest does not match (EIO)', async () => {
    expect((await rejection(HttpLayer.open(server.url('/nothing/'), fast))).code).toBe('ENOENT');
    const m = JSON.parse(new TextDecoder().decode(server.files.get('/base/vellum.json')));
    m.entries[0].size += 1;
    server.files.set('/tampered/vellum.json', encoder.encode(JSON.stringify(m)));
    const e = await rejection(HttpLayer.open(server.url('/tampered/'), fast));
    expect(e.code).toBe('EIO');
    expect(String((e.cause as Error).message)).toMatch(/digest/);
    const evil = await buildManifest([{ path: '../etc/passwd', type: 'file', size: 1 }]);
    server.files.set('/evil/vellum.json', encoder.encode(JSON.stringify(evil)));
    expect(
      String(((await rejection(HttpLayer.open(server.url('/evil/'), fast))).cause as Error).message),
    ).toMatch(/safe relative path/);
  });

  it('reports progress per layer and in total over layers sharing a meter', async () => {
    const events: ProgressEvent[] = [];
    const meter = new TransferMeter((e) => events.push(e));
    const a = await HttpLayer.open(server.url('/base'), { ...fast, meter });
    const b = await HttpLayer.open(server.url('/base/'), { ...fast, meter, id: 'second' });
    await a.read(refOf(a, 'big.txt'), 0, 1);
    await b.read(refOf(b, 'src/util.ts'), 0, 1);
    const last = events[events.length - 1] as ProgressEvent;
    expect(last.source).toBe(server.url('/base/'));
    expect(last.totalLoaded).toBe(a.stats.bytes + b.stats.bytes);
    expect(last.totalExpected).toBe(last.totalLoaded);
    expect(last.loaded).toBe(b.stats.bytes);
    expect(events.some((e) => e.loaded > e.expected || e.totalLoaded > e.totalExpected)).toBe(false);
  });
});
