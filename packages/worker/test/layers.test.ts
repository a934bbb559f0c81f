/**
 * Layer descriptors beyond memory (zip from bytes and over HTTP Range, an HTTP
 * directory) with their progress and warning events; the engine calls the client
 * forwards (revert, sync, fsck, walk with origins); the events as an async iterator.
 */
import { buildManifest, type ManifestEntry, sha256Hex } from '@vellum/core/http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXPECTED, stackDescriptors, startStackServer } from '../../core/test/descriptors/stack.js';
import { TestServer } from '../../core/test/net/server.js';
import { zipOf } from '../../core/test/zip/fixtures.js';
import {
  createOverlayWorker,
  type OverlayEvent,
  type ProgressDetail,
  type WarningDetail,
} from '../src/index.js';

const encoder = new TextEncoder();
const BASE = {
  src: { 'main.ts': 'export const main = 1;\n', 'big.txt': 'z'.repeat(5000) },
  'README.md': '# zip',
};

let server: TestServer;
beforeAll(async () => {
  server = await TestServer.start({ '/base.zip': zipOf(BASE) });
  const files: Record<string, string> = {
    'lesson.md': '# lesson\n',
    'src/main.ts': 'export const main = 2;\n',
  };
  const entries: ManifestEntry[] = [{ path: 'src', type: 'dir', mode: 0o755 }];
  for (const [path, text] of Object.entries(files)) {
    const bytes = encoder.encode(text);
    server.files.set(`/lesson/${path}`, bytes);
    entries.push({ path, type: 'file', mode: 0o644, size: bytes.length, sha256: await sha256Hex(bytes) });
  }
  server.files.set('/lesson/vellum.json', encoder.encode(JSON.stringify(await buildManifest(entries))));
});
afterAll(() => server.close());

describe('zip and http lowers', () => {
  test('an http directory over a zip read by range, with progress and warnings', async () => {
    const progress: ProgressDetail[] = [];
    const warnings: WarningDetail[] = [];
    const fs = await createOverlayWorker({
      lowers: [
        { type: 'http', url: server.url('/lesson/') },
        { type: 'zip', url: server.url('/base.zip'), maxEntrySize: 1000 },
      ],
      upper: { type: 'memory' },
      onProgress: (e) => void progress.push(e),
      onWarning: (w) => void warnings.push(w),
    });
    try {
      // big.txt is over the zip's maxEntrySize: left out, with a warning naming lower 1.
      expect(warnings).toEqual([
        expect.objectContaining({ layer: 1, kind: 'rejected-entry', code: 'EFBIG' }),
      ]);
      // The listings' transfers arrived before createOverlayWorker resolved.
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)?.totalLoaded).toBeGreaterThan(0);
      expect(await fs.readdir('/src')).toEqual(['main.ts']);
      expect(await fs.readFile('/src/main.ts', 'utf8')).toBe('export const main = 2;\n');
      expect(await fs.readFile('/README.md', 'utf8')).toBe('# zip');
      expect(await fs.origin('/README.md')).toMatchObject({ layer: 1 });

      // Reads report progress too (held back up to 50 ms, so the zip's may still come first).
      const seen = fs.events(['progress']);
      await fs.readFile('/lesson.md');
      let heard = false;
      for await (const e of seen) {
        heard = e.type === 'progress' && e.detail.source === server.url('/lesson/');
        if (heard) break;
      }
      expect(heard).toBe(true);
      await seen.return?.();
    } finally {
      await fs.close();
    }
  });

  test('a zip from bytes the page holds', async () => {
    const fs = await createOverlayWorker({
      lowers: [{ type: 'zip', data: zipOf(BASE) }],
      upper: { type: 'memory' },
    });
    expect(await fs.readFile('/src/big.txt', 'utf8')).toBe('z'.repeat(5000));
    await fs.close();
  });

  test('a zip that is not there rejects createOverlayWorker with ENOENT, and ends the worker', async () => {
    await expect(
      createOverlayWorker({
        lowers: [{ type: 'zip', url: server.url('/none.zip') }],
        upper: { type: 'memory' },
      }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('engine calls through the client', () => {
  test('revert, sync, fsck, and walk with origins', async () => {
    const fs = await createOverlayWorker({
      lowers: [{ type: 'memory', tree: { a: { 'x.txt': 'x', 'y.txt': 'y' } } }],
      upper: { type: 'memory' },
    });
    const changes: OverlayEvent[] = [];
    fs.addEventListener(
      'change',
      (e) => void changes.push({ type: 'change', detail: (e as CustomEvent).detail }),
    );
    await fs.writeFile('/a/x.txt', 'changed');
    await fs.chmod('/a/y.txt', 0o600);
    await fs.writeFile('/new.txt', 'n');

    const walked = await fs.walk('/', { origins: true });
    const byPath = Object.fromEntries(walked.map((e) => [e.path, e]));
    for (const e of walked) expect(e.origin).toEqual(await fs.origin(e.path));
    expect(byPath['/a/y.txt']?.origin).toEqual({
      layer: 'upper',
      copiedUp: true,
      metacopy: true,
      lowerLayer: 0,
    });
    expect(byPath['/new.txt']?.origin).toEqual({ layer: 'upper', copiedUp: false, metacopy: false });
    expect((await fs.walk('/'))[0]).not.toHaveProperty('origin');
    await expect(fs.walk('/new.txt')).rejects.toMatchObject({ code: 'ENOTDIR' });

    await fs.revert('/a/x.txt');
    expect(await fs.readFile('/a/x.txt', 'utf8')).toBe('x');
    expect(changes.at(-1)).toEqual({ type: 'change', detail: { op: 'revert', paths: ['/a/x.txt'] } });
    expect((await fs.changes()).map((c) => c.path)).toEqual(['/a/y.txt', '/new.txt']);
    await fs.sync();
    expect(await fs.fsck()).toMatchObject({ ok: true, problems: [] });
    await fs.close();
  });
});

describe('events as an async iterator', () => {
  test('yields changes in order, then close, then ends', async () => {
    const fs = await createOverlayWorker({ lowers: [], upper: { type: 'memory' } });
    const stream = fs.events();
    await fs.writeFile('/a', 'a');
    await fs.mkdir('/d');
    const closing = fs.close();
    const got: OverlayEvent[] = [];
    for await (const e of stream) got.push(e);
    await closing;
    expect(got).toEqual([
      { type: 'change', detail: { op: 'writeFile', paths: ['/a'] } },
      { type: 'change', detail: { op: 'mkdir', paths: ['/d'] } },
      { type: 'close', detail: { reason: 'was closed' } },
    ]);
    // On a closed client the stream is over at once.
    expect(await fs.events().next()).toEqual({ done: true, value: undefined });
  });

  test('stops on break and on its signal, and filters by type', async () => {
    const fs = await createOverlayWorker({ lowers: [], upper: { type: 'memory' } });
    const controller = new AbortController();
    const changes = fs.events(['change'], { signal: controller.signal });
    const pending = changes.next();
    await fs.writeFile('/a', 'a');
    expect((await pending).value).toEqual({ type: 'change', detail: { op: 'writeFile', paths: ['/a'] } });
    const waiting = changes.next();
    controller.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });

    let n = 0;
    const loop = (async () => {
      for await (const _ of fs.events(['change'])) if (++n === 1) break;
    })();
    await fs.writeFile('/b', 'b');
    await loop;
    expect(n).toBe(1);
    await fs.close();
  });
});

describe("core's descriptors, unchanged", () => {
  test('the stack core opens (memory, http, zip by url and from bytes) opens the same in the worker', async () => {
    const stackServer = await startStackServer();
    const warnings: WarningDetail[] = [];
    const fs = await createOverlayWorker({
      lowers: stackDescriptors(stackServer),
      upper: { type: 'memory' },
      onWarning: (w) => void warnings.push(w),
    });
    try {
      for (const [path, text] of Object.entries(EXPECTED)) expect(await fs.readFile(path, 'utf8')).toBe(text);
      await expect(fs.stat('/big.txt')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(warnings).toEqual([expect.objectContaining({ layer: 2, kind: 'rejected-entry' })]);
      expect((await fs.stat('/top.txt')).mtimeMs).toBe(1000);
    } finally {
      await fs.close();
      await stackServer.close();
    }
  });
});
