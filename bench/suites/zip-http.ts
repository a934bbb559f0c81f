/**
 * Lower layers over the network, on loopback (a node:http server with Range support, counting
 * requests and body bytes): listing a 10,000-entry zip and reading 10 files through a ZipLayer,
 * against @zenfs/archives' Zip, which needs the whole archive in memory first (fetched in one
 * GET). (Fed a Range-reading data source instead, that Zip made 50,003 requests and took 83 s for
 * the same work on loopback — one request per header field read — so it is not run here.) Then
 * 1,000 files read from an HttpLayer with the cache cold and warm (Vellum only).
 */
import { MemoryUpper, Overlay } from '@vellum/core';
import { buildManifest, HttpLayer, type ManifestEntry, sha256Hex } from '@vellum/core/http';
import { writeZip, ZipLayer } from '@vellum/core/zip';
import { Zip } from '@zenfs/archives';
import { TestServer } from '../../packages/core/test/net/server.js';
import type { Suite } from '../lib/harness.js';
import { timeOnce } from '../lib/timing.js';

const ENTRIES = 10_000;
const READS = 10;
const MANIFEST_FILES = 1_000;
const encoder = new TextEncoder();

interface Run {
  requests: number;
  bytes: number;
  ms: number;
}

interface State {
  server: TestServer;
  zipSize: number;
  paths: string[];
  vellum?: Promise<Run>;
  zenWhole?: Promise<Run>;
  http?: Promise<{ cold: Run; warm: Run }>;
}

function fileText(i: number): Uint8Array {
  return encoder.encode(`// file ${i}\n${`export const v${i} = ${i};\n`.repeat(40 + (i % 80))}`);
}

async function counted(state: State, fn: () => Promise<void>): Promise<Run> {
  state.server.reset();
  const { ms } = await timeOnce(fn);
  return { requests: state.server.requests.length, bytes: state.server.bytesSent, ms };
}

function runVellum(state: State): Promise<Run> {
  state.vellum ??= counted(state, async () => {
    const layer = await ZipLayer.open(state.server.url('/big.zip'));
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    for (const p of state.paths) await ov.readFile(`/${p}`);
  });
  return state.vellum;
}

/** What the peer is read through: ZipFS's own async backend calls. */
interface ZenZip {
  stat(path: string): Promise<{ size: number }>;
  read(path: string, buffer: Uint8Array, offset: number, end: number): Promise<void>;
}

async function zenRead(fs: ZenZip, paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    const st = await fs.stat(`/${p}`);
    await fs.read(`/${p}`, new Uint8Array(st.size), 0, st.size);
  }
}

function runZenWhole(state: State): Promise<Run> {
  state.zenWhole ??= counted(state, async () => {
    const data = new Uint8Array(await (await fetch(state.server.url('/big.zip'))).arrayBuffer());
    const fs = await Zip.create({ data, name: 'big.zip' });
    await fs.ready();
    await zenRead(fs, state.paths);
  });
  return state.zenWhole;
}

function runHttp(state: State): Promise<{ cold: Run; warm: Run }> {
  state.http ??= (async () => {
    const layer = await HttpLayer.open(state.server.url('/site/'));
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    const all = async (): Promise<void> => {
      await Promise.all(Array.from({ length: MANIFEST_FILES }, (_, i) => ov.readFile(`/f/${i}.ts`)));
    };
    const cold = await counted(state, all);
    const warm = await counted(state, all);
    return { cold, warm };
  })();
  return state.http;
}

export const zipHttpSuite: Suite<State> = {
  name: 'zip-http',
  title: 'Network lowers: a 10,000-entry zip over HTTP Range, and an HttpLayer',
  description: `List a ${ENTRIES.toLocaleString('en')}-entry zip served on loopback and read ${READS} of its files (deflated, 0.6–2.8 KB each): Vellum's ZipLayer (Range requests) vs @zenfs/archives 1.3.6 \`Zip\` given the whole archive (one GET, as its docs use it). Requests and body bytes are counted by the server; times are one cold run each (ms, loopback, so they say little about a real network). Last rows: ${MANIFEST_FILES.toLocaleString('en')} files read from an HttpLayer, cache cold then warm.`,
  async setup(ctx) {
    const entries = Array.from({ length: ENTRIES }, (_, i) => ({
      path: `pkg/${String(i % 100).padStart(2, '0')}/file-${i}.ts`,
      kind: 'file' as const,
      data: fileText(i),
    }));
    const zip = writeZip(entries);
    ctx.log(`zip: ${ENTRIES} entries, ${zip.length} bytes`);
    const server = await TestServer.start({ '/big.zip': zip });
    const manifest: ManifestEntry[] = [];
    for (let i = 0; i < MANIFEST_FILES; i++) {
      const data = fileText(i);
      server.files.set(`/site/f/${i}.ts`, data);
      manifest.push({
        path: `f/${i}.ts`,
        type: 'file',
        size: data.length,
        mode: 0o644,
        mtime: 0,
        sha256: await sha256Hex(data),
      });
    }
    server.files.set('/site/vellum.json', encoder.encode(JSON.stringify(await buildManifest(manifest))));
    const paths = Array.from({ length: READS }, (_, k) => entries[(k * 997) % ENTRIES]?.path as string);
    return { server, zipSize: zip.length, paths };
  },
  cases: () => [
    {
      id: 'archive',
      figure: 'archive size (bytes)',
      unit: 'bytes',
      vellum: async (s) => s.zipSize,
      ratio: 'none',
    },
    {
      figure: `list + read ${READS} files: requests (peer: whole archive)`,
      unit: 'count',
      vellum: async (s) => (await runVellum(s)).requests,
      peer: async (s) => (await runZenWhole(s)).requests,
    },
    {
      figure: `list + read ${READS} files: bytes transferred (peer: whole archive)`,
      unit: 'bytes',
      vellum: async (s) => (await runVellum(s)).bytes,
      peer: async (s) => (await runZenWhole(s)).bytes,
    },
    {
      figure: `list + read ${READS} files: time (peer: whole archive)`,
      unit: 'ms',
      vellum: async (s) => (await runVellum(s)).ms,
      peer: async (s) => (await runZenWhole(s)).ms,
    },
    {
      figure: `HttpLayer: ${MANIFEST_FILES} files, cold cache: requests`,
      unit: 'count',
      vellum: async (s) => (await runHttp(s)).cold.requests,
      ratio: 'none',
    },
    {
      figure: `HttpLayer: ${MANIFEST_FILES} files, cold cache: time`,
      unit: 'ms',
      vellum: async (s) => (await runHttp(s)).cold.ms,
      ratio: 'none',
    },
    {
      figure: `HttpLayer: ${MANIFEST_FILES} files, warm cache: requests`,
      unit: 'count',
      vellum: async (s) => (await runHttp(s)).warm.requests,
      ratio: 'none',
    },
    {
      figure: `HttpLayer: ${MANIFEST_FILES} files, warm cache: time`,
      unit: 'ms',
      vellum: async (s) => (await runHttp(s)).warm.ms,
      ratio: 'none',
    },
  ],
  notes(_s, _rows, ctx) {
    ctx.note(
      '@zenfs/archives Zip given a ZipDataSource whose get() makes one Range request per call (measured once, not rerun: 83 s): 50,003 requests, 1,849,238 bytes for list + 10 reads.',
    );
  },
  async teardown(s) {
    await s.server.close();
  },
};
