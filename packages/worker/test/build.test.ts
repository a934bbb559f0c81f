/**
 * A page importing @vellum/worker builds with plain `vite build` (no alias for
 * node:worker_threads): the Node path resolves to a stub under the `browser` condition,
 * and node:worker_threads reaches neither the page's bundle nor the worker's. The page
 * side is thin: the engine, the layers, the wasm and fflate live only in the worker's
 * chunks, even for a page that takes the whole entry (the server is `@vellum/worker/server`).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Rollup } from 'vite';
import { afterAll, expect, test } from 'vitest';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const outDirs: string[] = [];
afterAll(async () => {
  for (const dir of outDirs) await rm(dir, { recursive: true, force: true });
});

/**
 * Core modules the page side may hold: argument parsing and Stats' predicates shared with the
 * client, tree literals. Matched in core's sources and in its built dist/ alike (which one Vite
 * takes depends on whether the `vellum-source` condition is set).
 */
const PAGE_CORE = /^packages\/core\/(src|dist)\/(file-handle|stats|tree|memory-layer)\.(ts|js)$/;

/** The page's own chunks (the worker's are emitted as assets of its own build) and the files on disk. */
async function buildPage(
  page: string,
): Promise<{ outDir: string; chunks: Rollup.OutputChunk[]; assets: string[] }> {
  const outDir = await mkdtemp(join(tmpdir(), 'vellum-worker-page-'));
  outDirs.push(outDir);
  const result = (await build({
    root: join(fixtures, page),
    logLevel: 'silent',
    configFile: false,
    build: { outDir, target: 'es2022', emptyOutDir: true },
    // No `worker` setting: Vite's default worker format (iife) builds the worker only when it is
    // one chunk, which `exposeOverlay` makes it (every layer kind bundled statically).
  })) as Rollup.RollupOutput;
  const chunks = result.output.filter((o): o is Rollup.OutputChunk => o.type === 'chunk');
  return { outDir, chunks, assets: await readdir(join(outDir, 'assets')) };
}

/** What of the engine a chunk holds: modules of core outside PAGE_CORE, of @vellum/wasm, fflate, idb-keyval, wasm. */
function engineIn(chunk: Rollup.OutputChunk): string[] {
  const found = chunk.moduleIds
    .map((id) => relative(repo, id))
    .filter(
      (id) =>
        (id.startsWith('packages/core/') && !PAGE_CORE.test(id)) ||
        id.startsWith('packages/wasm/') ||
        /node_modules\/.*(fflate|idb-keyval)/.test(id),
    );
  if (/WebAssembly|\.wasm\b/.test(chunk.code)) found.push('wasm (WebAssembly or a .wasm URL in the code)');
  return found;
}

const gzipBytes = (chunks: Rollup.OutputChunk[]): number =>
  chunks.reduce((n, c) => n + gzipSync(Buffer.from(c.code)).length, 0);

test('vite build of a page with the worker client needs no stub, and ships no node:worker_threads', async () => {
  const { outDir, assets } = await buildPage('page');
  const js = assets.filter((f) => f.endsWith('.js'));
  // The page and its module worker (entry-web) are separate chunks.
  expect(js.some((f) => f.startsWith('entry-web'))).toBe(true);
  for (const f of js) {
    const code = await readFile(join(outDir, 'assets', f), 'utf8');
    // (Core's own lazy node:fs/promises for the wasm file is externalized by Vite: not this test's concern.)
    expect(code, f).not.toMatch(/node:worker_threads/);
  }
});

test.each([
  // The goal of issue 15 for an app that only calls createOverlayWorker: at most 8 KB gzip
  // of page-side code (Vite's modulepreload polyfill and Comlink included).
  ['page', 'createOverlayWorker alone', 8 * 1024],
  // Every export kept (connectSync, the Stats and Dirent classes, …): still no engine.
  ['page-all', 'a namespace import of the whole entry', 10 * 1024],
])(
  'the page bundle of %s (%s) holds no engine, no wasm, no fflate; the worker chunk does',
  async (page, _what, budget) => {
    const { outDir, chunks, assets } = await buildPage(page);
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(engineIn(chunk), chunk.fileName).toEqual([]);
    const size = gzipBytes(chunks);
    console.log(`${page}: page-side JS ${size} bytes gzip (${chunks.map((c) => c.fileName).join(', ')})`);
    expect(size).toBeLessThanOrEqual(budget);
    // The check can see the engine where it is: in the worker's chunk, which loads the wasm.
    const worker = assets.find((f) => f.startsWith('entry-web') && f.endsWith('.js')) as string;
    expect(await readFile(join(outDir, 'assets', worker), 'utf8')).toMatch(/WebAssembly/);
  },
);
