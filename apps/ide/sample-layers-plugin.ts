/**
 * Vite plugin: builds the sample project's layers (base + lesson) as zips and serves them under
 * /layers/ — from a middleware that answers HTTP Range requests in dev (the engine's worker reads the
 * zips lazily), as emitted assets in a build. The generators write each layer as a directory tree in
 * a temporary folder and `vellum pack` (the CLI, `@vellum/cli`) packs it, as anyone would pack their
 * own project. Generated, not committed, so the repository holds the generators (a few KB) instead
 * of a few hundred files.
 *
 * Nothing here imports a workspace package: Vite's default config loader bundles this file and its
 * relative imports, and would hand a package's TypeScript sources to Node as they are.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  chmod,
  lutimes,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Plugin } from 'vite';
import {
  nodeModulesLayer,
  PREVIEW_HOST,
  PREVIEW_ORIGIN_PATH,
  PREVIEW_SW,
  previewFiles,
  startPreviewOrigin,
} from './preview-assets.js';
import type { SourceEntry } from './src/sample/entries.js';
import { lessonLayer } from './src/sample/lesson.js';
import { sampleProject } from './src/sample/project.js';

const run = promisify(execFile);

/** Fixed so that rebuilding gives the same bytes and the same layer ids (whole seconds: zip times). */
const RELEASED = Date.UTC(2025, 0, 1);

/** The stack the page mounts, topmost first (like `lowerdir=`): node_modules is a layer of its own, under the lesson. */
export const STACK: readonly { name: string; make: () => SourceEntry[] | Promise<SourceEntry[]> }[] = [
  { name: 'lesson', make: lessonLayer },
  { name: 'base', make: sampleProject },
  { name: 'node_modules', make: nodeModulesLayer },
];

interface Asset {
  body: Uint8Array;
  type: string;
}

/**
 * Writes `entries` under `dir` as an OCI layer directory does: a whiteout is an empty `.wh.<name>`
 * file, an opaque folder holds `.wh..wh..opq`. Modes and times are set explicitly (not left to the
 * umask and the clock), so the same entries always pack to the same bytes.
 */
export async function writeTree(
  entries: readonly SourceEntry[],
  dir: string,
  timeMs = RELEASED,
): Promise<void> {
  const at = new Date(timeMs);
  const encoder = new TextEncoder();
  const file = async (abs: string, data: string | Uint8Array, mode = 0o644): Promise<void> => {
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, typeof data === 'string' ? encoder.encode(data) : data);
    await chmod(abs, mode);
    await utimes(abs, at, at);
  };
  for (const e of entries) {
    const abs = join(dir, e.path.replace(/^\/+/, ''));
    switch (e.kind) {
      case 'file':
        await file(abs, e.data, e.mode);
        break;
      case 'dir':
        await mkdir(abs, { recursive: true });
        if (e.opaque) await file(join(abs, '.wh..wh..opq'), '');
        break;
      case 'symlink':
        await mkdir(dirname(abs), { recursive: true });
        await symlink(e.target, abs);
        await lutimes(abs, at, at);
        break;
      case 'whiteout':
        await file(join(dirname(abs), `.wh.${basename(abs)}`), '');
        break;
    }
  }
  // Folders last, children before parents: writing into a folder changes its times.
  const stamp = async (folder: string): Promise<void> => {
    for (const d of await readdir(folder, { withFileTypes: true }))
      if (d.isDirectory()) await stamp(join(folder, d.name));
    await chmod(folder, 0o755);
    await utimes(folder, at, at);
  };
  await stamp(dir);
}

/**
 * The `vellum` executable of `@vellum/cli` (its package.json's `bin`, the built `dist/bin.js`:
 * `pnpm dev` builds the packages first), found from the package's manifest.
 */
function vellumBin(): string {
  let at = dirname(createRequire(import.meta.url).resolve('@vellum/cli/package.json'));
  for (;;) {
    const manifest = join(at, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        bin?: Record<string, string>;
      };
      const bin = pkg.name === '@vellum/cli' ? pkg.bin?.vellum : undefined;
      if (bin !== undefined) return join(at, bin);
    }
    const up = dirname(at);
    if (up === at) throw new Error('@vellum/cli has no `vellum` bin');
    at = up;
  }
}

/** One layer as a zip: its entries written to a temporary folder, packed by `vellum pack`. */
export async function packLayer(entries: readonly SourceEntry[]): Promise<Uint8Array> {
  const work = await mkdtemp(join(tmpdir(), 'vellum-ide-layer-'));
  try {
    const tree = join(work, 'tree');
    const zip = join(work, 'layer.zip');
    await mkdir(tree);
    await writeTree(entries, tree);
    await run(process.execPath, [vellumBin(), 'pack', tree, '-o', zip]);
    return new Uint8Array(await readFile(zip));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function buildAssets(): Promise<Map<string, Asset>> {
  const files = new Map<string, Asset>();
  const zips = await Promise.all(STACK.map(async (layer) => packLayer(await layer.make())));
  for (const [i, layer] of STACK.entries())
    files.set(`layers/${layer.name}.zip`, { body: zips[i] as Uint8Array, type: 'application/zip' });
  files.set('layers/stack.json', {
    body: new TextEncoder().encode(JSON.stringify({ lowers: STACK.map((l) => l.name) })),
    type: 'application/json',
  });
  for (const [path, file] of await previewFiles()) files.set(path, file);
  return files;
}

/**
 * The engine's worker parses zip directories with `@vellum/wasm`, whose module is a build output
 * (not committed): a fresh checkout builds it here, once, so `pnpm dev` is all it takes.
 */
async function ensureWasm(): Promise<void> {
  const pkg = fileURLToPath(new URL('../../packages/wasm/', import.meta.url));
  if (existsSync(join(pkg, 'build', 'vellum.wasm'))) return;
  await run('npm', ['run', '--silent', '--prefix', pkg, 'build']);
}

/**
 * The byte range a `Range` header asks for, as [start, end) within `size`; `undefined` for no header
 * or one we do not serve (several ranges), which gets the whole file like a server without Range;
 * `null` for a range that cannot be satisfied (416).
 */
export function parseRange(header: string | undefined, size: number): [number, number] | undefined | null {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    // A suffix: the last N bytes (answered properly, unlike sirv, so ZipLayer lists in one request).
    const n = Number(b);
    return n === 0 ? null : [Math.max(0, size - n), size];
  }
  const start = Number(a);
  const end = b === '' ? size : Math.min(size, Number(b) + 1);
  return start >= size || end <= start ? null : [start, end];
}

function serve(req: IncomingMessage, res: ServerResponse, file: Asset): void {
  const size = file.body.length;
  const range = parseRange(req.headers.range, size);
  res.setHeader('Content-Type', file.type);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'no-cache');
  if (range === null) {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${size}`);
    res.end();
    return;
  }
  const [start, end] = range ?? [0, size];
  if (range) {
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end - 1}/${size}`);
  }
  res.setHeader('Content-Length', String(end - start));
  res.end(
    req.method === 'HEAD'
      ? undefined
      : Buffer.from(file.body.buffer, file.body.byteOffset + start, end - start),
  );
}

export function sampleLayers(): Plugin {
  let assets: Promise<Map<string, Asset>> | undefined;
  const get = (): Promise<Map<string, Asset>> => {
    assets ??= buildAssets();
    return assets;
  };
  /**
   * Starts the preview origin beside a dev or preview server, and answers the IDE's question
   * where it is (with the host name the IDE was loaded from: same site).
   */
  const withPreviewOrigin = (
    server: {
      httpServer: import('node:http').Server | null;
      middlewares: {
        use: (
          fn: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void,
        ) => void;
      };
    },
    host: string,
  ): void => {
    const started = startPreviewOrigin(host, get);
    server.httpServer?.once('close', () => void started.then((s) => s.close()));
    server.middlewares.use((req, res, next) => {
      if ((req.url ?? '').split('?')[0] !== `/${PREVIEW_ORIGIN_PATH}`) return next();
      started.then(
        ({ port }) => {
          const hostname = new URL(`http://${req.headers.host ?? host}`).hostname;
          res.setHeader('Content-Type', 'application/json');
          res.setHeader('Cache-Control', 'no-store');
          res.end(JSON.stringify({ origin: `http://${hostname}:${port}` }));
        },
        (error: unknown) => next(error),
      );
    });
  };
  return {
    name: 'vellum-sample-layers',
    async buildStart() {
      await ensureWasm();
    },
    configureServer(server) {
      withPreviewOrigin(server as never, String(server.config.server.host ?? '127.0.0.1'));
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0]?.replace(/^\//, '') ?? '';
        if (!path.startsWith('layers/') && !path.startsWith(PREVIEW_HOST) && path !== PREVIEW_SW)
          return next();
        get().then(
          (files) => {
            const file = files.get(path);
            if (file) serve(req, res, file);
            else next();
          },
          (error: unknown) => next(error),
        );
      });
    },
    configurePreviewServer(server) {
      withPreviewOrigin(server as never, String(server.config.preview.host ?? '127.0.0.1'));
    },
    async generateBundle() {
      for (const [fileName, file] of await get())
        this.emitFile({ type: 'asset', fileName, source: file.body });
    },
  };
}
