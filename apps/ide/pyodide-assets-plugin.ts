/**
 * Vite plugin: cross-origin isolation on request (`isolate`), and serves the npm `pyodide` package's runtime files (the wasm, its JS glue, the
 * standard library zip, the lock file) under /pyodide/ — from a middleware in dev, as assets with
 * their own names in a build (Pyodide finds them by name next to its `indexURL`, so they keep
 * their names instead of getting hashed ones). No CDN: the page runs offline from its own origin.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { ISOLATION_COOKIE_NAME } from './src/python/isolation.js';

/** Where the page finds Pyodide's files, relative to the app's base. */
export const PYODIDE_DIR = 'pyodide/';

/** The files `loadPyodide` fetches from its `indexURL` (no extra packages are loaded). */
const FILES: Record<string, string> = {
  'pyodide.asm.js': 'text/javascript; charset=utf-8',
  'pyodide.asm.wasm': 'application/wasm',
  'python_stdlib.zip': 'application/zip',
  'pyodide-lock.json': 'application/json',
};

/** The cookie with which the page asks to be served cross-origin isolated (see `isolate`). */
const ISOLATION_COOKIE = `${ISOLATION_COOKIE_NAME}=1`;

/**
 * Cross-origin isolation, on request: the Python runner's worker blocks on a SharedArrayBuffer
 * while the engine worker answers its file calls (`connectSync`), and browsers give
 * SharedArrayBuffer only to isolated pages. Not always on, because `Cross-Origin-Opener-Policy:
 * same-origin` severs the IDE from a window of another origin that it opens: the preview's "Open
 * in new tab" (a tab on the preview origin, fed by the IDE through its window handle) cannot work
 * on an isolated page. So the page opts in with a cookie (the Run button offers the reload); the
 * preview frame carries COEP/CORP headers (preview-assets.ts, sw.ts) and works either way.
 */
function isolate(req: IncomingMessage, res: ServerResponse): void {
  if (!(req.headers.cookie ?? '').split(/;\s*/).includes(ISOLATION_COOKIE)) return;
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
}

function packageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
}

export function pyodideAssets(): Plugin {
  return {
    name: 'vellum-pyodide-assets',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        isolate(req, res);
        next();
      });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        isolate(req, res);
        const path = (req.url ?? '').split('?')[0] ?? '';
        const name = path.startsWith(`/${PYODIDE_DIR}`) ? path.slice(PYODIDE_DIR.length + 1) : '';
        const type = FILES[name];
        if (type === undefined) return next();
        res.setHeader('Content-Type', type);
        res.setHeader('Cache-Control', 'no-cache');
        res.end(readFileSync(join(packageDir(), name)));
      });
    },
    generateBundle() {
      for (const name of Object.keys(FILES))
        this.emitFile({
          type: 'asset',
          fileName: `${PYODIDE_DIR}${name}`,
          source: readFileSync(join(packageDir(), name)),
        });
    },
  };
}
