/**
 * A page importing @vellum/worker builds with plain `vite build` (no alias for
 * node:worker_threads): the Node path resolves to a stub under the `browser` condition,
 * and node:worker_threads reaches neither the page's bundle nor the worker's.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, expect, test } from 'vitest';

const root = fileURLToPath(new URL('./fixtures/page/', import.meta.url));
let outDir: string | undefined;
afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

test('vite build of a page with the worker client needs no stub, and ships no node:worker_threads', async () => {
  outDir = await mkdtemp(join(tmpdir(), 'vellum-worker-page-'));
  await build({
    root,
    logLevel: 'silent',
    configFile: false,
    build: { outDir, target: 'es2022', emptyOutDir: true },
    worker: { format: 'es' },
  });
  const assets = await readdir(join(outDir, 'assets'));
  const js = assets.filter((f) => f.endsWith('.js'));
  // The page and its module worker (entry-web) are separate chunks.
  expect(js.some((f) => f.startsWith('entry-web'))).toBe(true);
  for (const f of js) {
    const code = await readFile(join(outDir, 'assets', f), 'utf8');
    // (Core's own lazy node:fs/promises for the wasm file is externalized by Vite: not this test's concern.)
    expect(code, f).not.toMatch(/node:worker_threads/);
  }
});
