/**
 * Vite plugin: builds the sample project's layers (base + lesson) as zips in memory and serves them
 * under /layers/ — from a middleware that answers HTTP Range requests in dev (the page reads the zips
 * lazily), as emitted assets in a build. Generated, not committed, so the repository holds the
 * generator (a few KB) instead of a few hundred files.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';
import { type SourceEntry, zipLayerBytes } from './src/layers/sources.js';
import { lessonLayer } from './src/sample/lesson.js';
import { sampleProject } from './src/sample/project.js';

/** Fixed so that rebuilding gives the same bytes and the same layer ids. */
const RELEASED = Date.UTC(2025, 0, 1);

/** The stack the page mounts, topmost first (like `lowerdir=`). */
export const STACK: readonly { name: string; make: () => SourceEntry[] }[] = [
  { name: 'lesson', make: lessonLayer },
  { name: 'base', make: sampleProject },
];

interface Asset {
  body: Uint8Array;
  type: string;
}

function buildAssets(): Map<string, Asset> {
  const files = new Map<string, Asset>();
  for (const layer of STACK)
    files.set(`layers/${layer.name}.zip`, {
      body: zipLayerBytes(layer.make(), RELEASED),
      type: 'application/zip',
    });
  files.set('layers/stack.json', {
    body: new TextEncoder().encode(JSON.stringify({ lowers: STACK.map((l) => l.name) })),
    type: 'application/json',
  });
  return files;
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
  let assets: ReturnType<typeof buildAssets> | undefined;
  const get = (): ReturnType<typeof buildAssets> => {
    assets ??= buildAssets();
    return assets;
  };
  return {
    name: 'vellum-sample-layers',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0]?.replace(/^\//, '') ?? '';
        const file = get().get(path);
        if (!file) return next();
        serve(req, res, file);
      });
    },
    generateBundle() {
      for (const [fileName, file] of get()) this.emitFile({ type: 'asset', fileName, source: file.body });
    },
  };
}
