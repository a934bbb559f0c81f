#!/usr/bin/env node
// Builds every published package to its dist/ in dependency order: the wasm module (AssemblyScript,
// the package's own `build` script), then `tsc -p tsconfig.build.json` per package (ESM, .d.ts with
// declaration maps, source maps, and the sources they map to in dist/src/). Each package is compiled against the built .d.ts of the ones
// before it (tsconfig.build.json drops the `vellum-source` condition), so the order matters.
// Usage: node scripts/build-packages.mjs [package-dir-name ...]   (default: all)

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Dependency order: each package only imports the ones before it. */
export const PACKAGES = ['wasm', 'core', 'worker', 'zenfs', 'preview', 'cli', 'node', 'emscripten'];

/** @param {string} command @param {string[]} args @param {string} cwd */
function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status})`);
}

/** @param {string} dir @returns {string[]} */
function jsFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dir, f));
}

// `new URL('./entry-web.ts', import.meta.url)` is how the sources name a sibling module that a
// bundler must emit as its own chunk (a worker): tsc leaves string literals alone, so the built
// file is pointed at the built sibling here. Only relative URLs of this exact shape, on code lines, are touched.
const TS_URL = /new URL\((['"])(\.{1,2}\/[^'"]+)\.ts\1, import\.meta\.url\)/g;
// `new URL('../dist/vellum.wasm', import.meta.url)` names a build output from the sources (src/../dist/
// is dist/); from a built file in dist/ the same file is `./vellum.wasm`, beside it, which is what
// a user copies next to a bundle when the bundler does not handle the pattern (esbuild).
const DIST_URL = /new URL\((['"])\.\.\/dist\/([^'"]+)\1, import\.meta\.url\)/g;

/** @param {string} dist */
function pointUrlsAtJs(dist) {
  for (const file of jsFiles(dist)) {
    const text = readFileSync(file, 'utf8');
    /** @type {string[]} */
    const rewritten = [];
    // Code lines only: a TSDoc example that shows the pattern stays as written.
    const out = text
      .split('\n')
      .map((line) =>
        /^\s*(\*|\/\/)/.test(line)
          ? line
          : line
              .replace(TS_URL, (_m, q, path) => {
                rewritten.push(`${path}.js`);
                return `new URL(${q}${path}.js${q}, import.meta.url)`;
              })
              .replace(DIST_URL, (_m, q, path) => {
                rewritten.push(`./${path}`);
                return `new URL(${q}./${path}${q}, import.meta.url)`;
              }),
      )
      .join('\n');
    if (out === text) continue;
    for (const path of rewritten) {
      if (!existsSync(join(dirname(file), path))) throw new Error(`${file}: ${path} was not built`);
    }
    writeFileSync(file, out);
  }
}

/**
 * Puts the TypeScript sources the maps name inside dist/ (dist/src/), and points every source map
 * and declaration map there: a tarball holds only dist/, and a declaration map is only worth
 * shipping if "go to definition" finds the `.ts` it names (the JS maps also carry the text inline).
 * @param {string} dir the package directory
 */
function shipMappedSources(dir) {
  const src = join(dir, 'src');
  const dist = join(dir, 'dist');
  const shipped = join(dist, 'src');
  cpSync(src, shipped, { recursive: true, filter: (from) => !from.endsWith('.mjs') });
  const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.map') && !f.startsWith(`src${sep}`))
    .map((f) => join(dist, f));
  for (const file of maps) {
    /** @type {{ sources: string[] }} */
    const map = JSON.parse(readFileSync(file, 'utf8'));
    map.sources = map.sources.map((source) => {
      const from = resolve(dirname(file), source);
      const inSrc = relative(src, from);
      if (inSrc.startsWith('..')) throw new Error(`${file}: source ${source} is outside src/`);
      const to = join(shipped, inSrc);
      if (!existsSync(to)) throw new Error(`${file}: ${to} was not shipped`);
      return relative(dirname(file), to).split(sep).join('/');
    });
    writeFileSync(file, JSON.stringify(map));
  }
}

/**
 * Builds `names` (all by default), in dependency order.
 * @param {readonly string[]} [names]
 */
export function buildPackages(names = []) {
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  for (const name of PACKAGES) {
    if (names.length > 0 && !names.includes(name)) continue;
    const dir = join(root, 'packages', name);
    const dist = join(dir, 'dist');
    const started = performance.now();
    rmSync(dist, { recursive: true, force: true });
    if (name === 'wasm') run('npm', ['run', '--silent', 'build'], dir);
    run(tsc, ['-p', 'tsconfig.build.json'], dir);
    pointUrlsAtJs(dist);
    shipMappedSources(dir);
    console.log(`[build] @vellum/${name}: ${Math.round(performance.now() - started)} ms`);
  }
}

// Run as a script (not imported for PACKAGES): build what the arguments name, or everything.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildPackages(process.argv.slice(2));
}
