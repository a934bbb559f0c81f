/**
 * One stack of layer descriptors, every kind at once, that the core, worker and ZenFS
 * tests each open unchanged (the descriptor module is core's; the other packages
 * derive from it): a memory lower, an HTTP directory and a zip by URL from a loopback
 * server, a zip from bytes, with options beside the fields as every package takes them.
 */
import type { LowerDescriptor } from '@vellum/core';
import { buildManifest, type ManifestEntry, sha256Hex } from '@vellum/core/http';
import { TestServer } from '../net/server.js';
import { zipOf } from '../zip/fixtures.js';

const encoder = new TextEncoder();

/** What each path of the merged stack reads (topmost lower wins). */
export const EXPECTED: Record<string, string> = {
  '/top.txt': 'memory',
  '/lesson.md': '# lesson\n',
  '/shared.txt': 'from http',
  '/url.txt': 'zip by url',
  '/bytes.txt': 'zip from bytes',
};

/** Starts the server the URL descriptors point at. */
export async function startStackServer(): Promise<TestServer> {
  const server = await TestServer.start({
    '/base.zip': zipOf({
      'url.txt': 'zip by url',
      'shared.txt': 'from the zip',
      'big.txt': 'z'.repeat(5000),
    }),
  });
  const files: Record<string, string> = { 'lesson.md': '# lesson\n', 'shared.txt': 'from http' };
  const entries: ManifestEntry[] = [];
  for (const [path, text] of Object.entries(files)) {
    const bytes = encoder.encode(text);
    server.files.set(`/lesson/${path}`, bytes);
    entries.push({ path, type: 'file', mode: 0o644, size: bytes.length, sha256: await sha256Hex(bytes) });
  }
  server.files.set('/lesson/vellum.json', encoder.encode(JSON.stringify(await buildManifest(entries))));
  return server;
}

/** The lowers, topmost first: plain data, typed by core's descriptor types. */
export function stackDescriptors(server: TestServer): LowerDescriptor[] {
  return [
    { type: 'memory', tree: { 'top.txt': 'memory' }, id: 'top', mtimeMs: 1000 },
    { type: 'http', url: server.url('/lesson/'), integrity: true, retries: 1 },
    // big.txt is over maxEntrySize: left out, whoever opens the descriptor.
    { type: 'zip', url: server.url('/base.zip'), maxEntrySize: 1000, whiteouts: 'none' },
    { type: 'zip', data: zipOf({ 'bytes.txt': 'zip from bytes' }), cacheBytes: 1 << 20 },
  ];
}
