/**
 * One cold start of a transpiler, in a fresh process (run by suites/transpile.ts): the time from
 * nothing loaded to the first module compiled. Prints `{ ms }` as JSON on its last line.
 * Argument: `sucrase` (@vellum/preview's transpile) or `esbuild-wasm` (its browser build, wasm
 * compiled here as a Service Worker would after fetching it).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const side = process.argv[2];
const source =
  "import { h } from 'preact';\nexport const App = (props: { n: number }) => <b>{props.n}</b>;\n";
const started = performance.now();
if (side === 'sucrase') {
  const { transpile } = await import('../../packages/preview/src/transpile.js');
  transpile(source, '/src/App.tsx', { runtime: 'automatic', importSource: 'preact' });
} else if (side === 'esbuild-wasm') {
  const require = createRequire(import.meta.url);
  const esbuild = await import('esbuild-wasm/esm/browser.js');
  // The browser build runs its Go runtime against `self`, a worker's global: here, Node's.
  (globalThis as { self?: unknown }).self ??= globalThis;
  const wasm = readFileSync(join(dirname(require.resolve('esbuild-wasm/package.json')), 'esbuild.wasm'));
  await esbuild.initialize({ wasmModule: await WebAssembly.compile(wasm), worker: false });
  await esbuild.transform(source, {
    loader: 'tsx',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: 'inline',
  });
} else {
  throw new Error(`unknown side ${side}`);
}
console.log(JSON.stringify({ ms: performance.now() - started }));
process.exit(0);
