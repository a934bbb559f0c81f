/**
 * `{ type: 'zip', url }` and `{ type: 'http', url }` descriptors against a real
 * server on loopback: the backend opens the layers over the network, and ZenFS's
 * `fs` reads and writes through them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildManifest, sha256Hex } from '@vellum/core/http';
import { writeZip } from '@vellum/core/zip';
import { fs, mount, resolveMountConfig, umount } from '@zenfs/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXPECTED, stackDescriptors, startStackServer } from '../../core/test/descriptors/stack.js';
import { Vellum } from '../src/index.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const files = new Map<string, Uint8Array>();
let server: Server;
let base = '';

beforeAll(async () => {
  files.set(
    '/template.zip',
    writeZip([
      { path: 'src/main.ts', kind: 'file', data: text('export const fromZip = true;\n') },
      { path: 'README.md', kind: 'file', data: text('# from the zip\n') },
    ]),
  );
  const lesson = text('# lesson 2\n');
  files.set('/lesson/notes.md', lesson);
  const manifest = await buildManifest([
    {
      path: 'notes.md',
      type: 'file',
      size: lesson.length,
      mode: 0o644,
      mtime: 0,
      sha256: await sha256Hex(lesson),
    },
  ]);
  files.set('/lesson/vellum.json', text(JSON.stringify(manifest)));
  // A plain static server: whole files only (no Range), which the zip layer must cope with.
  server = createServer((req, res) => {
    const body = files.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length, etag: `"${body.length}"` }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('URL descriptors', () => {
  test('a zip and an HTTP directory over loopback, stacked under a memory upper', async () => {
    const backend = await resolveMountConfig({
      backend: Vellum,
      lowers: [
        { type: 'http', url: `${base}/lesson/` },
        { type: 'zip', url: `${base}/template.zip` },
      ],
      upper: { type: 'memory' },
    });
    mount('/net', backend);
    try {
      expect((await fs.promises.readdir('/net')).sort()).toEqual(['README.md', 'notes.md', 'src']);
      expect(await fs.promises.readFile('/net/src/main.ts', 'utf8')).toBe('export const fromZip = true;\n');
      expect(await fs.promises.readFile('/net/notes.md', 'utf8')).toBe('# lesson 2\n');
      await fs.promises.writeFile('/net/README.md', '# mine\n');
      expect(await fs.promises.readFile('/net/README.md', 'utf8')).toBe('# mine\n');
      const ov = await backend.overlay;
      expect(ov.origin('/notes.md').layer).toBe(0);
      expect(ov.origin('/src/main.ts').layer).toBe(1);
      expect(await ov.changes()).toEqual([{ path: '/README.md', type: 'file', change: 'modified' }]);
    } finally {
      umount('/net');
    }
  });

  test('a URL that is not there fails the mount with a clear error', async () => {
    await expect(
      resolveMountConfig({ backend: Vellum, lowers: [{ type: 'zip', url: `${base}/missing.zip` }] }),
    ).rejects.toThrow(/ENOENT.*missing\.zip/);
  });
});

describe("core's descriptors, unchanged", () => {
  test('the stack core opens (memory, http, zip by url and from bytes) mounts the same through Vellum', async () => {
    const stackServer = await startStackServer();
    try {
      const backend = await resolveMountConfig({
        backend: Vellum,
        lowers: stackDescriptors(stackServer),
        upper: { type: 'memory' },
      });
      mount('/core-stack', backend);
      for (const [path, text] of Object.entries(EXPECTED)) {
        expect(await fs.promises.readFile(`/core-stack${path}`, 'utf8')).toBe(text);
      }
      expect(fs.existsSync('/core-stack/big.txt')).toBe(false);
      umount('/core-stack');
    } finally {
      await stackServer.close();
    }
  });
});
