/**
 * The preview's transpiler: sucrase (what @vellum/preview runs in its Service Worker) against
 * esbuild-wasm 0.28.2 (the other candidate the issue names), on the same TSX modules with the
 * same job (types stripped, JSX for preact's automatic runtime, an inline source map). Also what
 * each costs before its first module: esbuild-wasm's module to fetch and compile, sucrase's
 * import.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The browser build (what a Service Worker would load): in Node, esbuild-wasm's main entry runs its
// wasm in a child process, which is not what a page or a worker gets.
import * as esbuild from 'esbuild-wasm/esm/browser.js';
import { boardApp } from '../../apps/ide/src/sample/board.js';
import { transpile } from '../../packages/preview/src/transpile.js';
import { SOURCE_NODE_FLAG } from '../../scripts/source-condition.mjs';
import type { Suite } from '../lib/harness.js';
import { timeAsync, timeSync } from '../lib/timing.js';

interface Module {
  name: string;
  path: string;
  source: string;
}

interface State {
  modules: Module[];
  wasmBytes: number;
  /** Cold start to the first module compiled, in fresh processes: median ms per side. */
  coldSucrase: number;
  coldEsbuild: number;
}

const COLD_RUNS = 5;

/** One cold start of `side` in a fresh process (lib/transpile-cold-child.ts), in ms. */
function cold(side: 'sucrase' | 'esbuild-wasm'): number {
  const script = fileURLToPath(new URL('../lib/transpile-cold-child.ts', import.meta.url));
  const run = spawnSync(process.execPath, [SOURCE_NODE_FLAG, '--import', 'tsx', script, side], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  if (run.status !== 0) throw new Error(`${side}: ${run.stderr.slice(-2000)}`);
  return (JSON.parse(run.stdout.trim().split('\n').pop() as string) as { ms: number }).ms;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** A component file as a large app has them: `n` small components with props types and JSX. */
function bigModule(n: number): string {
  const parts = ["import { useState } from 'preact/hooks';", ''];
  for (let i = 0; i < n; i++)
    parts.push(
      `export interface Props${i} { title: string; count: number; items: readonly { id: number; label: string }[] }`,
      `export function Widget${i}({ title, count, items }: Props${i}) {`,
      `  const [open, setOpen] = useState<boolean>(false);`,
      `  return (<section class="w${i}" onClick={() => setOpen(!open)}><h2>{title} ({count as number})</h2>`,
      `    {open && <ul>{items.map((it) => <li key={it.id}>{it.label}</li>)}</ul>}</section>);`,
      '}',
    );
  return parts.join('\n');
}

const JSX = { runtime: 'automatic', importSource: 'preact' } as const;

export const transpileSuite: Suite<State> = {
  name: 'transpile',
  title: 'The preview’s transpiler: sucrase vs esbuild-wasm',
  description:
    'One module compiled per call, as the preview does per request: TypeScript types stripped, JSX for preact’s automatic runtime, an inline source map. “Vellum” is sucrase 3.35.1 through @vellum/preview’s `transpile`; the peer is esbuild-wasm 0.28.2 `transform` (loader tsx, jsx automatic, sourcemap inline), initialized once in this process (its wasm compiled on the main thread, as in a Service Worker); the first row is each side’s cold start in fresh processes, alternating. The sample’s modules are the IDE’s preact board; the large one is 200 components in one file (about 1,200 lines). Median ms per module over batches.',
  async setup(ctx) {
    const require = createRequire(import.meta.url);
    const wasmPath = join(dirname(require.resolve('esbuild-wasm/package.json')), 'esbuild.wasm');
    const wasmBytes = statSync(wasmPath).size;
    // The browser build runs its Go runtime against `self`, a worker's global: here, Node's.
    (globalThis as { self?: unknown }).self ??= globalThis;
    await esbuild.initialize({
      wasmModule: await WebAssembly.compile(readFileSync(wasmPath)),
      worker: false,
    });
    // Alternating, each in a fresh process: what a restarted Service Worker pays before its first module.
    const coldRuns: Record<'sucrase' | 'esbuild-wasm', number[]> = { sucrase: [], 'esbuild-wasm': [] };
    for (let i = 0; i < COLD_RUNS; i++)
      for (const side of i % 2 === 0
        ? (['sucrase', 'esbuild-wasm'] as const)
        : (['esbuild-wasm', 'sucrase'] as const))
        coldRuns[side].push(cold(side));
    ctx.log(
      `cold starts, ms: sucrase ${coldRuns.sucrase.map((x) => x.toFixed(0)).join(', ')}; esbuild-wasm ${coldRuns['esbuild-wasm'].map((x) => x.toFixed(0)).join(', ')}`,
    );
    const sample = boardApp().flatMap((e) =>
      e.kind === 'file' && /\.tsx$/.test(e.path) && typeof e.data === 'string'
        ? [{ name: e.path.slice(e.path.lastIndexOf('/') + 1), path: e.path, source: e.data }]
        : [],
    );
    const big = { name: 'Widgets.tsx (200 components)', path: '/src/Widgets.tsx', source: bigModule(200) };
    // Both must compile every module (a failure would make a fast figure meaningless).
    for (const m of [...sample, big]) {
      transpile(m.source, m.path, JSX);
      await esbuild.transform(m.source, {
        loader: 'tsx',
        jsx: 'automatic',
        jsxImportSource: 'preact',
        sourcemap: 'inline',
      });
    }
    return {
      modules: [...sample, big],
      wasmBytes,
      coldSucrase: median(coldRuns.sucrase),
      coldEsbuild: median(coldRuns['esbuild-wasm']),
    };
  },
  cases: (state) => [
    {
      figure:
        'cold start to the first module compiled (a fresh process: load, and for esbuild-wasm compile its wasm)',
      unit: 'ms',
      vellum: async (s) => ({ value: s.coldSucrase, detail: `median of ${COLD_RUNS} processes` }),
      peer: async (s) => ({
        value: s.coldEsbuild,
        detail: `median of ${COLD_RUNS} processes; ${(s.wasmBytes / 1024 / 1024).toFixed(1)} MiB of wasm, its download not counted`,
      }),
    },
    ...state.modules.map((m) => ({
      figure: `compile ${m.name} (${m.source.length.toLocaleString('en')} chars)`,
      unit: 'ms' as const,
      vellum: async () => {
        const t = timeSync(() => transpile(m.source, m.path, JSX));
        return { value: t.nsPerOp / 1e6, timing: t };
      },
      peer: async () => {
        const t = await timeAsync(() =>
          esbuild.transform(m.source, {
            loader: 'tsx',
            jsx: 'automatic',
            jsxImportSource: 'preact',
            sourcemap: 'inline',
          }),
        );
        return { value: t.nsPerOp / 1e6, timing: t };
      },
    })),
  ],
  async teardown() {
    await esbuild.stop();
  },
};
