// What a fresh app outside the workspace is built from, shared by e2e/consumer.test.ts (which checks
// the installed packages) and bench/suites/bundle.ts (which measures what an app built from them ships):
// packing every package as `pnpm pack` does for a publish, serving a built app with byte ranges, and
// following the chunks of a built entry.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGES } from './build-packages.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const PNPM = ['-y', 'pnpm@10.34.8'];

/**
 * Packs every package of {@link PACKAGES} (already built) into `destination` with `pnpm pack`, which
 * turns `workspace:*` into versions as a publish does.
 * @param {string} destination an existing, empty directory
 * @returns {Map<string, string>} package directory name (`core`) → tarball path
 */
export function packPackages(destination) {
  for (const name of PACKAGES) {
    const r = spawnSync('npx', [...PNPM, 'pack', '--pack-destination', destination], {
      cwd: join(root, 'packages', name),
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`pnpm pack of @vellum/${name} failed:\n${r.stdout}\n${r.stderr}`);
  }
  /** @type {Map<string, string>} */
  const tarballs = new Map();
  for (const file of readdirSync(destination)) {
    const name = /^vellum-(\w+)-\d/.exec(file)?.[1];
    if (name) tarballs.set(name, join(destination, file));
  }
  return tarballs;
}

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
};

/**
 * Serves `dir` on 127.0.0.1 (a free port) with byte ranges (`a-b`, `a-`, `-n`) and no caching;
 * records the path of every Range request.
 * @param {string} dir
 * @returns {Promise<{ origin: string, ranges: string[], close: () => Promise<void> }>}
 */
export async function serveDirectory(dir) {
  /** @type {string[]} */
  const ranges = [];
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    readFile(file).then(
      (body) => {
        /** @type {Record<string, string | number>} */
        const headers = {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Accept-Ranges': 'bytes',
          'Cache-Control': 'no-store',
        };
        const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
        if (range && (range[1] !== '' || range[2] !== '')) {
          ranges.push(path);
          const suffix = range[1] === '';
          const start = suffix ? Math.max(0, body.length - Number(range[2])) : Number(range[1]);
          const end =
            suffix || range[2] === '' ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
          res.writeHead(206, {
            ...headers,
            'Content-Range': `bytes ${start}-${end}/${body.length}`,
            'Content-Length': end - start + 1,
          });
          res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
          return;
        }
        res.writeHead(200, { ...headers, 'Content-Length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    ranges,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

/**
 * The chunks one built entry pulls in, statically or lazily: every `"./x.js"` named in a chunk,
 * followed from `entry`, in `dir` (a bundler's flat output directory).
 * @param {string} dir
 * @param {string} entry file name of the entry chunk in `dir`
 * @returns {Map<string, string>} file name → code
 */
export function chunkGraph(dir, entry) {
  /** @type {Map<string, string>} */
  const seen = new Map();
  /** @param {string} name */
  const visit = (name) => {
    if (seen.has(name)) return;
    const code = readFileSync(join(dir, name), 'utf8');
    seen.set(name, code);
    // Imports only (`from"./x.js"`, `import("./x.js")`, Rolldown's import(`./x.js`)), not a URL
    // string that names a file.
    for (const [, next] of code.matchAll(/\b(?:from|import)\s*\(?\s*["'`]\.\/([\w.-]+\.js)["'`]/g))
      if (next) visit(next);
  };
  visit(entry);
  return seen;
}
