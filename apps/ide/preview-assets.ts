/**
 * What the preview needs beside the sample's layers: the `node_modules` lower (the installed
 * preact package, as a layer of its own under the lesson, read lazily by Range like the others)
 * and, on the preview origin, the host page and the Service Worker (bundled with esbuild from
 * src/preview/, since Vite's dev server and build have no entry kind for a Service Worker that
 * must live at a fixed URL).
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { SourceEntry } from './src/sample/entries.js';

const ide = dirname(fileURLToPath(import.meta.url));

/** The packages the sample imports, shipped in its node_modules lower. */
const PACKAGES = ['preact'];

/** Typings, maps and sources are not what a browser imports: the layer holds what runs, and package.json. */
const SKIP = /(\.d\.ts|\.map|\.d\.mts|\.d\.cts)$|(^|\/)src\//;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  return out;
}

/** The `node_modules` lower: each package's files as installed (its package.json names its version). */
export async function nodeModulesLayer(): Promise<SourceEntry[]> {
  const require = createRequire(join(ide, 'package.json'));
  const entries: SourceEntry[] = [];
  for (const name of PACKAGES) {
    const dir = await realpath(dirname(require.resolve(`${name}/package.json`)));
    for (const abs of await listFiles(dir)) {
      const rel = relative(dir, abs).split(sep).join('/');
      if (SKIP.test(rel)) continue;
      entries.push({
        path: `/node_modules/${name}/${rel}`,
        kind: 'file',
        data: new Uint8Array(await readFile(abs)),
      });
    }
  }
  return entries;
}

/** The host page's prefix on the preview origin (src/preview/origin.ts), and the Service Worker at the origin's root level. */
export const PREVIEW_HOST = '__vellum_preview__/';
export const PREVIEW_SW = '__vellum_preview__-sw.js';

const HOST_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>Vellum preview</title>
    <style>html,body{margin:0;height:100%;font:14px system-ui,sans-serif;color:#555}#status{padding:16px}</style>
  </head>
  <body>
    <p id="status">Starting the preview…</p>
    <script type="module" src="./host.js"></script>
  </body>
</html>
`;

async function bundle(entry: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [join(ide, 'src', 'preview', entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // The workspace's packages from their sources, as the IDE's own Vite config resolves them.
    conditions: ['vellum-source'],
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const [out] = result.outputFiles;
  if (out === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
  return out.contents;
}

/** The preview origin's files, by URL path (no leading slash). */
export async function previewFiles(): Promise<Map<string, { body: Uint8Array; type: string }>> {
  const [host, sw] = await Promise.all([bundle('host.ts'), bundle('sw.ts')]);
  return new Map([
    [
      `${PREVIEW_HOST}host.html`,
      { body: new TextEncoder().encode(HOST_HTML), type: 'text/html; charset=utf-8' },
    ],
    [`${PREVIEW_HOST}host.js`, { body: host, type: 'text/javascript; charset=utf-8' }],
    [PREVIEW_SW, { body: sw, type: 'text/javascript; charset=utf-8' }],
  ]);
}

/**
 * The headers every response of the preview origin carries (host page and Service Worker alike):
 * the IDE is cross-origin isolated (for the Python runner's SharedArrayBuffer), and such a page
 * frames only documents that are isolated too and allow being loaded cross-origin.
 */
export const PREVIEW_ISOLATION: Record<string, string> = {
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** Where the IDE asks for the preview's origin (it differs per run: the preview server takes a free port). */
export const PREVIEW_ORIGIN_PATH = '__vellum_preview__/origin.json';

/**
 * The preview origin in development and under `vite preview`: a second server on the same host
 * name and another port, so the preview is another origin but the same site as the IDE. (Another
 * host name, such as localhost beside 127.0.0.1, is another site: the preview frame would be a
 * third party, whose Service Worker a browser that blocks third-party storage, as every private
 * window does, refuses.) It serves only the host page and the Service Worker; the Service Worker
 * serves everything else from the overlay.
 */
export async function startPreviewOrigin(
  host: string,
  files: () => Promise<Map<string, { body: Uint8Array; type: string }>>,
): Promise<{ port: number; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]?.replace(/^\//, '') ?? '';
    files().then(
      (map) => {
        const file = path === PREVIEW_ORIGIN_PATH ? undefined : map.get(path);
        if (file === undefined) {
          res.statusCode = 404;
          res.setHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end(
            'Not found: the preview serves the workspace from its Service Worker, once the IDE has started it.\n',
          );
          return;
        }
        res.setHeader('Content-Type', file.type);
        res.setHeader('Cache-Control', 'no-cache');
        // Its own agent cluster (process, where the browser can), though it is the IDE's site.
        res.setHeader('Origin-Agent-Cluster', '?1');
        // Framed by the cross-origin isolated IDE (vite.config.ts), which refuses a frame without these.
        for (const [k, v] of Object.entries(PREVIEW_ISOLATION)) res.setHeader(k, v);
        res.end(req.method === 'HEAD' ? undefined : Buffer.from(file.body));
      },
      (error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
