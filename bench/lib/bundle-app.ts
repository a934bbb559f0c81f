/**
 * The `bundle` suite's apps: a fresh project outside the workspace with the packed @vellum
 * tarballs and the peers installed by npm (as e2e/consumer.test.ts installs them, through the
 * same scripts/consumer-app.mjs), one minimal app per `bench/bundle-apps/*.js` built there with
 * that project's own `vite build`, and what each build ships, gzipped.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildPackages } from '../../scripts/build-packages.mjs';
import { chunkGraph, packPackages } from '../../scripts/consumer-app.mjs';

const benchDir = fileURLToPath(new URL('../', import.meta.url));
const root = join(benchDir, '..');
const appSources = join(benchDir, 'bundle-apps');

function manifestVersion(manifest: string, field: string, name: string): string {
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  const v = pkg[field]?.[name];
  if (v === undefined) throw new Error(`${manifest} has no ${field}.${name}`);
  return v;
}

/** The peers (and memfs's polyfills), at the versions the bench pins in its own package.json. */
const PEERS: readonly (readonly [name: string, field: string])[] = [
  ['@zenfs/core', 'dependencies'],
  ['@zenfs/dom', 'dependencies'],
  ['@zenfs/archives', 'dependencies'],
  ['@isomorphic-git/lightning-fs', 'dependencies'],
  ['memfs', 'devDependencies'],
  ['vite-plugin-node-polyfills', 'devDependencies'],
];

function run(command: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 600_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The installed project; {@link ConsumerProject.remove} deletes it. */
export interface ConsumerProject {
  readonly dir: string;
  /** Versions installed, `name@version`, for the notes. */
  readonly installed: readonly string[];
  /** A zip holding `/a.txt` (`hello`), made by the installed `vellum pack`. */
  readonly layerZip: string;
  remove(): void;
}

/**
 * Builds every package (`pnpm build:packages`), packs them, and installs the tarballs, the
 * peers and the workspace's Vite with npm into a new project in the system's temporary folder.
 */
export function installConsumerProject(log: (message: string) => void): ConsumerProject {
  const work = mkdtempSync(join(tmpdir(), 'vellum-bundle-'));
  try {
    const dir = join(work, 'app');
    const packed = join(work, 'tarballs');
    mkdirSync(dir);
    mkdirSync(packed);
    let started = performance.now();
    buildPackages();
    const tarballs = packPackages(packed);
    log(`built and packed ${tarballs.size} packages in ${Math.round(performance.now() - started)} ms`);
    const dependencies: Record<string, string> = {};
    for (const [name, file] of tarballs) dependencies[`@vellum/${name}`] = `file:${file}`;
    for (const [name, field] of PEERS)
      dependencies[name] = manifestVersion(join(benchDir, 'package.json'), field, name);
    dependencies.vite = manifestVersion(join(root, 'package.json'), 'devDependencies', 'vite');
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'vellum-bundle-bench', private: true, type: 'module', dependencies }, null, 2)}\n`,
    );
    started = performance.now();
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
    log(`npm install: ${Math.round(performance.now() - started)} ms`);
    const installed = Object.keys(dependencies).map((name) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      };
      return `${name}@${pkg.version}`;
    });
    const tree = join(work, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'a.txt'), 'hello');
    const layerZip = join(work, 'layer.zip');
    run('npx', ['--no-install', 'vellum', 'pack', tree, '-o', layerZip], dir);
    return { dir, installed, layerZip, remove: () => rmSync(work, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Builds the app `bench/bundle-apps/<name>.js` (as its `main.js`, beside `index.html`) in the
 * project with the project's own Vite, production mode, with `bench/bundle-apps/vite.config.js`
 * (or `<name>.vite.config.js` where an app needs more); returns the output directory, which also
 * holds the project's `layer.zip` for the apps that read it.
 */
export async function buildApp(project: ConsumerProject, name: string): Promise<string> {
  const appDir = join(project.dir, 'apps', name);
  mkdirSync(appDir, { recursive: true });
  copyFileSync(join(appSources, 'index.html'), join(appDir, 'index.html'));
  copyFileSync(join(appSources, `${name}.js`), join(appDir, 'main.js'));
  copyFileSync(join(appSources, 'vite.config.js'), join(appDir, 'vite.config.js'));
  const ownConfig = `${name}.vite.config.js`;
  const hasOwn = existsSync(join(appSources, ownConfig));
  if (hasOwn) copyFileSync(join(appSources, ownConfig), join(appDir, ownConfig));
  const vite = (await import(
    pathToFileURL(join(project.dir, 'node_modules', 'vite', 'dist', 'node', 'index.js')).href
  )) as typeof import('vite');
  const outDir = join(appDir, 'dist');
  await vite.build({
    root: appDir,
    configFile: join(appDir, hasOwn ? ownConfig : 'vite.config.js'),
    logLevel: 'warn',
    mode: 'production',
    build: { outDir, emptyOutDir: true },
  });
  copyFileSync(project.layerZip, join(outDir, 'layer.zip'));
  return outDir;
}

/** Gzipped bytes (level 9, each file on its own, as each is served) of a set of files. */
export interface Shipped {
  readonly bytes: number;
  readonly files: number;
}

/** What one built app ships, split into the page's JS, its workers' JS and wasm. */
export interface BuildSize {
  readonly page: Shipped;
  readonly worker: Shipped;
  readonly wasm: Shipped;
}

const gzipped = (data: string | Uint8Array): number => gzipSync(data, { level: 9 }).length;

const shipped = (contents: Iterable<string | Uint8Array>): Shipped => {
  let bytes = 0;
  let files = 0;
  for (const c of contents) {
    bytes += gzipped(c);
    files += 1;
  }
  return { bytes, files };
};

/**
 * Measures a Vite build in `outDir`: the page's JS is every chunk reachable (statically or lazily)
 * from the entry `index.html` loads; a worker's JS is every chunk reachable from a script the page
 * starts with `new Worker(new URL("/assets/…"))`. Throws if a JS file of the build is in neither
 * (a chunk this measure would miss) or in both (it would be counted twice).
 */
export function measureBuild(outDir: string): BuildSize {
  const assets = join(outDir, 'assets');
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const entry = /src="\/assets\/([\w.-]+\.js)"/.exec(html)?.[1];
  if (entry === undefined) throw new Error(`no entry script in ${outDir}/index.html`);
  const page = chunkGraph(assets, entry);
  const worker = new Map<string, string>();
  for (const code of page.values())
    for (const [, start] of code.matchAll(/new Worker\(new URL\(["']\/assets\/([\w.-]+\.js)["']/g))
      if (start !== undefined) for (const [name, c] of chunkGraph(assets, start)) worker.set(name, c);
  const files = readdirSync(assets);
  const shared = [...page.keys()].filter((name) => worker.has(name));
  if (shared.length > 0) throw new Error(`chunks in both the page and a worker: ${shared.join(', ')}`);
  const missed = files.filter((f) => f.endsWith('.js') && !page.has(f) && !worker.has(f));
  if (missed.length > 0) throw new Error(`chunks reachable from no entry: ${missed.join(', ')}`);
  return {
    page: shipped(page.values()),
    worker: shipped(worker.values()),
    wasm: shipped(files.filter((f) => f.endsWith('.wasm')).map((f) => readFileSync(join(assets, f)))),
  };
}
