/** measureBuild on a hand-made build output: which chunks count for the page, the worker, the wasm. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, expect, test } from 'vitest';
import { measureBuild } from './bundle-app.js';

let out: string | undefined;
afterEach(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

const gz = (text: string | Uint8Array): number => gzipSync(text, { level: 9 }).length;

function build(files: Record<string, string | Uint8Array>): string {
  out = mkdtempSync(join(tmpdir(), 'bundle-app-test-'));
  mkdirSync(join(out, 'assets'));
  writeFileSync(join(out, 'index.html'), '<script type="module" src="/assets/index-1.js"></script>');
  for (const [name, body] of Object.entries(files)) writeFileSync(join(out, 'assets', name), body);
  return out;
}

const files = {
  'index-1.js': 'import{a}from"./shared-2.js";new Worker(new URL("/assets/worker-3.js",import.meta.url));',
  'shared-2.js': 'export const a=1;const lazy=()=>import("./lazy-4.js");',
  'lazy-4.js': 'export const lazy=2;',
  'worker-3.js': 'import("./engine-5.js");',
  'engine-5.js': 'WebAssembly.instantiate(new URL("./vellum.wasm",import.meta.url));',
  'vellum.wasm': new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]),
};

test('page, worker and wasm are each the gzipped sum of their own files', () => {
  const size = measureBuild(build(files));
  const sum = (...names: (keyof typeof files)[]) => names.reduce((n, f) => n + gz(files[f]), 0);
  expect(size.page).toEqual({ bytes: sum('index-1.js', 'shared-2.js', 'lazy-4.js'), files: 3 });
  expect(size.worker).toEqual({ bytes: sum('worker-3.js', 'engine-5.js'), files: 2 });
  expect(size.wasm).toEqual({ bytes: sum('vellum.wasm'), files: 1 });
});

test('a chunk no entry reaches fails the measure instead of being left out', () => {
  expect(() => measureBuild(build({ ...files, 'orphan-6.js': 'x' }))).toThrow(
    /reachable from no entry: orphan-6\.js/,
  );
});

test('a chunk shared by the page and the worker fails the measure instead of counting twice', () => {
  const shared = { ...files, 'worker-3.js': 'import"./shared-2.js";import("./engine-5.js");' };
  expect(() => measureBuild(build(shared))).toThrow(/both the page and a worker: shared-2\.js/);
});
