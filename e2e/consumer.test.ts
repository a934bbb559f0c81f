/**
 * The packages as a user gets them: every package is built (`pnpm build:packages`) and packed
 * (`pnpm pack`, which turns `workspace:*` into versions), the tarballs are installed with npm into a
 * fresh project in the system's temporary folder, outside the workspace (registry dependencies
 * only), and that project
 * 1. runs a plain `node app.mjs` (no loader) over core, its zip/http/idb entries, the worker on
 *    worker_threads and ZenFS's `configure`, and `npx vellum pack`/`ls`/`cat` on a real directory;
 * 2. type-checks a consumer file with `tsc --noEmit --strict`, moduleResolution "bundler" and "node16";
 * 3. builds a page (createOverlayWorker, a zip lower over HTTP Range, an IndexedDB upper) with
 *    `vite build` and no Vite config file, serves it and drives it in Chromium: a lower file reads,
 *    a write survives a reload, the page's own chunks hold no wasm, no engine, no idb, no fflate,
 *    and the worker is one chunk that holds them (so Vite's default worker format, iife, holds it);
 * 4. the same page bundled with esbuild and with Rollup (the worker script as its own entry point,
 *    vellum.wasm copied beside it), and with webpack 5 (no config file), and served by Vite's dev
 *    server (with the one setting Vite's dependency pre-bundling needs, see that test);
 * 5. passes publint and @arethetypeswrong/cli for every tarball.
 * (Numbers as in issue 15.)
 */
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright';
import { esbuildVersion } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGES } from '../scripts/build-packages.mjs';
import { chunkGraph, packPackages, serveDirectory } from '../scripts/consumer-app.mjs';
import { CHROMIUM_ARGS, locateBrowser } from '../scripts/find-browser.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const fixtures = join(root, 'e2e', 'consumer');
const PNPM = ['-y', 'pnpm@10.34.8'];
/** The esbuild the workspace's Vite uses, for the esbuild app. */
const ESBUILD = esbuildVersion;
/** The current Vite major's release, as a fresh app installs it. */
const VITE = '8.4.1';

/** The workspace's own versions of what the consumer installs beside the tarballs. */
function version(manifest: string, field: 'dependencies' | 'devDependencies', name: string): string {
  const pkg = JSON.parse(readFileSync(join(root, manifest), 'utf8')) as Record<
    string,
    Record<string, string>
  >;
  const v = pkg[field]?.[name];
  if (v === undefined) throw new Error(`${manifest} has no ${field}.${name}`);
  return v;
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): Ran {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000, ...options });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs and asserts exit 0, with the output in the failure message. */
function ok(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const r = run(command, args, options);
  expect(r.status, `${command} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

const timings: Record<string, number> = {};
function timed<T>(label: string, f: () => T): T {
  const started = performance.now();
  const done = (): void => {
    timings[label] = Math.round(performance.now() - started);
  };
  let out: T;
  try {
    out = f();
  } catch (error) {
    done();
    throw error;
  }
  if (out instanceof Promise) return out.finally(done) as T;
  done();
  return out;
}

let work: string;
let app: string;
const tarballs = new Map<string, string>();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'vellum-consumer-'));
  const packed = join(work, 'tarballs');
  app = join(work, 'app');
  mkdirSync(packed);
  mkdirSync(app);
  // `pnpm test` builds the packages before Vitest starts (VELLUM_PACKAGES_BUILT): building again here
  // would empty dist/ under the browser tests running beside this one.
  if (process.env.VELLUM_PACKAGES_BUILT !== '1')
    timed('build', () => ok(process.execPath, [join(root, 'scripts', 'build-packages.mjs')], { cwd: root }));
  timed('pack', () => {
    for (const [name, file] of packPackages(packed)) tarballs.set(name, file);
  });
  expect([...tarballs.keys()].sort()).toEqual([...PACKAGES].sort());
  const dependencies: Record<string, string> = {
    'fake-indexeddb': version('packages/core/package.json', 'devDependencies', 'fake-indexeddb'),
    '@zenfs/core': version('packages/zenfs/package.json', 'dependencies', '@zenfs/core'),
    pyodide: version('packages/emscripten/package.json', 'devDependencies', 'pyodide'),
  };
  for (const [name, file] of tarballs) dependencies[`@vellum/${name}`] = `file:${file}`;
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify(
      {
        name: 'vellum-consumer',
        private: true,
        type: 'module',
        dependencies,
        devDependencies: {
          typescript: version('package.json', 'devDependencies', 'typescript'),
          '@types/node': version('package.json', 'devDependencies', '@types/node'),
          // The Vite a new app gets today (`npm create vite`), pinned like webpack below; the
          // workspace's own Vite 7, still widely used, beside it under another name.
          vite: VITE,
          vite7: `npm:vite@${version('package.json', 'devDependencies', 'vite').replace(/^\^/, '')}`,
          esbuild: ESBUILD,
          // Pinned here (the workspace does not use webpack): the webpack 5 app, built with no config file.
          webpack: '5.113.0',
          'webpack-cli': '6.0.1',
          // Pinned likewise: the Rollup app (rollup.config.mjs: page and worker as two builds).
          rollup: '4.69.3',
          '@rollup/plugin-node-resolve': '16.0.3',
          '@rollup/plugin-terser': '1.0.2',
        },
      },
      null,
      2,
    )}\n`,
  );
  for (const file of ['app.mjs', 'consumer.ts', 'consumer-zenfs.ts', 'consumer-browser.ts'])
    copyFileSync(join(fixtures, file), join(app, file));
  cpSync(join(fixtures, 'web'), app, { recursive: true });
  // The playground page of @vellum/preview: an app of its own (its Vite config builds the Service Worker), inside the app's folder so it finds the installed packages.
  cpSync(join(fixtures, 'preview'), join(app, 'preview'), { recursive: true });
  // A real directory for the CLI and for the browser apps' zip lower.
  const tree = join(work, 'tree');
  mkdirSync(join(tree, 'sub'), { recursive: true });
  writeFileSync(join(tree, 'hello.txt'), 'hello from disk\n');
  writeFileSync(join(tree, 'sub', 'deep.txt'), 'deep\n');
  timed('npm install', () =>
    ok('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app }),
  );
}, 600_000);

afterAll(() => {
  console.log(`[consumer] ms: ${JSON.stringify(timings)}`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed with npm in a fresh project', () => {
  it('hold dist/, README.md, LICENSE and package.json, nothing else', () => {
    for (const [name, file] of tarballs) {
      const listing = ok('tar', ['tzf', file]).trim().split('\n');
      const outside = listing.filter((f) => !f.startsWith('package/dist/'));
      expect(outside.sort(), name).toEqual(['package/LICENSE', 'package/README.md', 'package/package.json']);
      expect(
        listing.filter((f) => /\.test\.|\/test\/|\/fixtures?\//.test(f)),
        name,
      ).toEqual([]);
      // TypeScript sources only where the maps point (dist/src/), nothing else that is not built output.
      expect(
        listing.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('package/dist/src/')),
        name,
      ).toEqual([]);
      expect(listing, name).toContain(
        'package/dist/index.js'.replace('index', name === 'cli' ? 'bin' : 'index'),
      );
    }
    expect(ok('tar', ['tzf', tarballs.get('wasm') as string])).toMatch(/^package\/dist\/vellum\.wasm$/m);
  });

  it('every source map and declaration map names sources the installed package holds', () => {
    let maps = 0;
    for (const name of tarballs.keys()) {
      const dist = join(app, 'node_modules', '@vellum', name, 'dist');
      for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.map')) continue;
        maps++;
        const { sources } = JSON.parse(readFileSync(join(dist, file), 'utf8')) as { sources: string[] };
        expect(sources.length, file).toBeGreaterThan(0);
        for (const source of sources)
          expect(existsSync(join(dist, dirname(file), source)), `${name}: ${file} → ${source}`).toBe(true);
      }
    }
    // Each built module has a .js.map and a .d.ts.map.
    expect(maps).toBeGreaterThan(100);
  });

  it('`npx vellum pack` / `ls` / `cat` work on a real directory', () => {
    const tree = join(work, 'tree');
    const zip = join(work, 'tree.zip');
    timed('cli', () => {
      ok('npx', ['--no-install', 'vellum', 'pack', tree, '-o', zip], { cwd: app });
      expect(ok('npx', ['--no-install', 'vellum', 'ls', zip], { cwd: app })).toMatch(/sub\/deep\.txt/);
      expect(ok('npx', ['--no-install', 'vellum', 'cat', zip, '--', '/hello.txt'], { cwd: app })).toBe(
        'hello from disk\n',
      );
      ok('npx', ['--no-install', 'vellum', 'pack', tree, '--manifest', '-o', join(work, 'manifest')], {
        cwd: app,
      });
    });
    const bad = run('npx', ['--no-install', 'vellum', 'pack'], { cwd: app });
    expect(bad.status).toBe(2);
  });

  it('plain `node app.mjs`: core (memory, zip bytes, http, idb), the worker on worker_threads, zenfs, Pyodide on emscripten, a directory lower', () => {
    const out = timed('node app.mjs', () =>
      ok(process.execPath, ['app.mjs', join(work, 'manifest')], { cwd: app, timeout: 120_000 }),
    );
    expect(out.trim().split('\n')).toEqual([
      'ok core-memory',
      'ok core-zip-bytes',
      'ok core-http',
      'ok core-idb',
      'ok worker-threads',
      'ok zenfs',
      'ok emscripten',
      'ok node-dir',
    ]);
  });

  it.each([
    ['bundler', ['--module', 'preserve', '--moduleResolution', 'bundler']],
    ['node16', ['--module', 'node16', '--moduleResolution', 'node16']],
  ])('type-checks with tsc --strict, moduleResolution %s', (name, flags) => {
    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    const base = [
      '--noEmit',
      '--strict',
      '--target',
      'es2022',
      '--lib',
      'es2023,dom',
      '--types',
      'node',
      ...flags,
    ];
    timed(`tsc ${name}`, () => {
      ok(process.execPath, [tsc, ...base, 'consumer.ts'], { cwd: app });
      // @zenfs/core's own .d.ts do not pass a library check here (see consumer-zenfs.ts).
      ok(process.execPath, [tsc, ...base, '--skipLibCheck', 'consumer-zenfs.ts'], { cwd: app });
    });
  });

  it('type-checks a browser app with tsc --strict and no Node types (types: [])', () => {
    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    // `--types` cannot be given an empty list on the command line: a tsconfig of its own.
    const config = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        types: [],
        lib: ['es2023', 'dom', 'dom.iterable'],
        target: 'es2022',
        module: 'preserve',
        moduleResolution: 'bundler',
        skipLibCheck: false,
      },
      files: ['consumer-browser.ts'],
    };
    writeFileSync(join(app, 'tsconfig.browser.json'), JSON.stringify(config));
    timed('tsc browser', () => ok(process.execPath, [tsc, '-p', 'tsconfig.browser.json'], { cwd: app }));
  });

  it('the public API of every entry point matches its checked-in report (packages/*/api/*.api.md)', () => {
    // On a deliberate change: `pnpm api:update`, and the diff of the reports goes into review.
    const out = timed('api reports', () =>
      ok(process.execPath, [join(root, 'scripts', 'api-report.mjs')], { cwd: root }),
    );
    // Every checked-in report was compared (a report without an entry, or an entry without one, shows).
    const reports = PACKAGES.flatMap((pkg) => {
      const dir = join(root, 'packages', pkg, 'api');
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.api.md')) : [];
    });
    expect(out).toMatch(new RegExp(`\\[api\\] ${reports.length} reports unchanged`));
  });

  it('pnpm -r publish --dry-run publishes the packages of PACKAGES, and only them', () => {
    const out = timed('publish --dry-run', () =>
      ok('npx', [...PNPM, '-r', 'publish', '--dry-run', '--no-git-checks'], { cwd: root }),
    );
    const published = [...out.matchAll(/^\+ (@vellum\/[\w-]+)@(\S+)$/gm)].map((m) => m[1]);
    expect(published.sort()).toEqual(PACKAGES.map((name) => `@vellum/${name}`).sort());
  });

  it('publint and @arethetypeswrong/cli find no problem in any tarball', () => {
    const bin = (name: string) => join(root, 'node_modules', '.bin', name);
    timed('publint+attw', () => {
      for (const [name, file] of tarballs) {
        const lint = ok(bin('publint'), ['run', file, '--strict'], { cwd: work });
        expect(lint, name).toMatch(/All good!/);
        // ESM only by design: CommonJS `require` and node10 resolution are out of scope (esm-only).
        // `./vellum.wasm` is an asset, not a module, so it has no types to check.
        ok(
          bin('attw'),
          [file, '--profile', 'esm-only', '--exclude-entrypoints', './vellum.wasm', '--format', 'ascii'],
          {
            cwd: work,
          },
        );
      }
    });
  });
});

/**
 * What a bundler that does not follow `new URL(…, import.meta.url)` (esbuild, Rollup) leaves to
 * the app, as the READMEs say: `vellum.wasm` beside the bundle, the page's HTML and its zip.
 */
function layOutOwnWorkerApp(out: string): void {
  copyFileSync(join(app, 'node_modules', '@vellum', 'wasm', 'dist', 'vellum.wasm'), join(out, 'vellum.wasm'));
  copyFileSync(join(app, 'public', 'layer.zip'), join(out, 'layer.zip'));
  writeFileSync(
    join(out, 'index.html'),
    readFileSync(join(app, 'index.html'), 'utf8').replace('./main.js', './page.js'),
  );
}

/** What only the engine's side holds: the wasm, IndexedDB, fflate's inflater. */
const ENGINE_MARKERS = [/WebAssembly/, /\.wasm\b/, /indexedDB/, /invalid block type/];

/** An import of a Node built-in, which no browser chunk may hold. */
const NODE_IMPORT = /\b(?:from|import)\s*\(?\s*["']node:/;

const gzipKB = (files: Map<string, string>): number =>
  Math.round([...files.values()].reduce((n, code) => n + gzipSync(code, { level: 9 }).length, 0) / 102.4) /
  10;

describe('browser apps over the installed packages, in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(join(app, 'public'), { recursive: true });
    ok(
      'npx',
      ['--no-install', 'vellum', 'pack', join(work, 'tree'), '-o', join(app, 'public', 'layer.zip')],
      {
        cwd: app,
      },
    );
    const executablePath = process.env.VELLUM_CHROMIUM ?? (await locateBrowser())?.path;
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** {@link drive} over `dir` served by `serveDirectory`, which also sees the zip read by Range. */
  async function driveServed(dir: string): Promise<void> {
    const server = await serveDirectory(dir);
    try {
      await drive(server.origin);
      expect(server.ranges).toContain('/layer.zip');
    } finally {
      await server.close();
    }
  }

  /** Reads a lower file, writes, reloads, and reads the write back. */
  async function drive(origin: string): Promise<void> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      const ready = async (): Promise<void> => {
        await page.waitForFunction(() => document.title !== 'vellum consumer', undefined, {
          timeout: 30_000,
        });
        expect(await page.title(), errors.join('\n')).toBe('ready');
      };
      type Api = { read(path: string): Promise<string>; write(path: string, text: string): Promise<void> };
      const read = (path: string) =>
        page.evaluate((p) => (window as unknown as { vellum: Api }).vellum.read(p), path);
      await page.goto(`${origin}/`);
      await ready();
      expect(await read('/hello.txt')).toBe('hello from disk\n');
      expect(await read('/sub/deep.txt')).toBe('deep\n');
      await page.evaluate(() => (window as unknown as { vellum: Api }).vellum.write('/note.txt', 'kept'));
      await page.reload();
      await ready();
      expect(await read('/note.txt')).toBe('kept');
      expect(await read('/hello.txt')).toBe('hello from disk\n');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }

  it.each([
    ['vite', 'Vite 8'],
    ['vite7', 'Vite 7'],
  ])(
    '%s build (%s), no config file: the page chunks hold no engine, the worker chunk does; it reads, writes, survives a reload',
    async (vite, label) => {
      const out = join(app, `dist-${vite}`);
      timed(`${label} build`, () =>
        ok(process.execPath, [join(app, 'node_modules', vite, 'bin', 'vite.js'), 'build', '--outDir', out], {
          cwd: app,
        }),
      );
      const assets = join(out, 'assets');
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      const entry = /src="\/assets\/([\w.-]+\.js)"/.exec(html)?.[1];
      expect(entry, html).toBeDefined();
      const pageChunks = chunkGraph(assets, entry as string);
      const workerEntry = /new Worker\(new URL\(["`]\/assets\/([\w.-]+\.js)["`]/.exec(
        [...pageChunks.values()].join('\n'),
      )?.[1];
      expect(workerEntry, 'the page starts the package worker by new Worker(new URL(...))').toBeDefined();
      const workerChunks = chunkGraph(assets, workerEntry as string);
      // One chunk: every layer kind is bundled into the worker statically, so Vite's default worker
      // format (iife, which cannot hold split chunks) builds it.
      expect([...workerChunks.keys()]).toEqual([workerEntry]);
      expect(existsSync(join(app, 'vite.config.js')), 'the Vite app has no config file').toBe(false);
      for (const [name, code] of pageChunks)
        for (const marker of ENGINE_MARKERS) expect(code, name).not.toMatch(marker);
      const worker = [...workerChunks.values()].join('\n');
      for (const marker of ENGINE_MARKERS) expect(worker).toMatch(marker);
      const wasm = readdirSync(assets).filter((f) => f.endsWith('.wasm'));
      expect(wasm).toHaveLength(1);
      console.log(
        `[consumer] ${label} build, gzip KB: page ${gzipKB(pageChunks)} (${pageChunks.size} chunks), worker JS ${gzipKB(workerChunks)} (${workerChunks.size} chunks), wasm ${Math.round(gzipSync(readFileSync(join(assets, wasm[0] as string)), { level: 9 }).length / 102.4) / 10}`,
      );
      await timed(`${label} app in chromium`, () => driveServed(out));
    },
  );

  it('@vellum/preview: the Service Worker built by a Vite app from the tarball serves the overlay to an iframe; an edit shows after a reload', async () => {
    const dir = join(app, 'preview');
    const out = join(dir, 'dist');
    timed('preview build', () =>
      ok(process.execPath, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', out], {
        cwd: dir,
      }),
    );
    expect(existsSync(join(out, 'sw.js'))).toBe(true);
    const server = await serveDirectory(out);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${server.origin}/`);
      await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 30_000 });
      const frame = page.frameLocator('#preview');
      await frame.locator('#out').waitFor({ timeout: 15_000 });
      expect(await frame.locator('#out').textContent()).toBe('served to the preview');
      await page.evaluate(() =>
        (window as unknown as { vellum: { write(p: string, t: string): Promise<void> } }).vellum.write(
          '/greet.ts',
          "export const greet = (who: string): string => 'edited for the ' + who;\n",
        ),
      );
      await page.evaluate(() =>
        (document.getElementById('preview') as HTMLIFrameElement).contentWindow?.location.reload(),
      );
      await expect
        .poll(() => frame.locator('#out').textContent(), { timeout: 15_000 })
        .toBe('edited for the preview');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });

  /** Runs `use` on the app's own Vite dev server (`vite`: 8, `vite7`: 7), as `vite` would start it. */
  async function viteDev(
    name: 'vite' | 'vite7',
    optimizeDeps: import('vite').InlineConfig['optimizeDeps'],
    use: (origin: string) => Promise<void>,
  ): Promise<void> {
    const vite = (await import(
      pathToFileURL(join(app, 'node_modules', name, 'dist', 'node', 'index.js')).href
    )) as typeof import('vite');
    const server = await vite.createServer({
      root: app,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
      ...(optimizeDeps && { optimizeDeps }),
    });
    try {
      await server.listen();
      const origin = server.resolvedUrls?.local[0]?.replace(/\/$/, '');
      expect(origin).toBeDefined();
      await use(origin as string);
    } finally {
      await server.close();
    }
  }

  it('Vite 8 dev server, no config: the same page reads, writes, survives a reload', async () => {
    // Vite 8 pre-bundles with Rolldown, which points the package's `new Worker(new URL(...))` at the
    // package's own file: nothing to set.
    await viteDev('vite', undefined, (origin) => timed('Vite 8 dev in chromium', () => drive(origin)));
  });

  it('Vite 7 dev server, with the one setting it needs: the same page reads, writes, survives a reload', async () => {
    // Vite 7's pre-bundling (esbuild) moves @vellum/worker's code into node_modules/.vite/deps, away
    // from the worker file its `new URL('./entry-web.js', import.meta.url)` names: see below.
    await viteDev('vite7', { exclude: ['@vellum/worker'] }, (origin) =>
      timed('Vite 7 dev in chromium', () => drive(origin)),
    );
  });

  it('Vite 7 dev server without that setting: the worker is looked for in .vite/deps (vitejs/vite#8427)', async () => {
    // Why the setting is documented for Vite 7 rather than worked around: its dependency optimizer
    // does not carry `new Worker(new URL(...), import.meta.url)` of a pre-bundled package, and the
    // way around it from the library would be guessing the dev server's internal URLs. When this
    // starts to fail, Vite 7 handles it too: drop the setting from the READMEs and the test above.
    await viteDev('vite7', undefined, async (origin) => {
      const page = await browser.newPage();
      const missing: string[] = [];
      page.on('response', (r) => void (r.status() >= 400 && missing.push(new URL(r.url()).pathname)));
      try {
        await page.goto(`${origin}/`);
        await page.waitForFunction(() => document.title !== 'vellum consumer', undefined, {
          timeout: 30_000,
        });
        expect(await page.title()).toMatch(/^failed: .*worker crashed/);
        expect(missing).toContain('/node_modules/.vite/deps/entry-web.js');
      } finally {
        await page.close();
      }
    });
  });

  it('webpack 5, no config file: the page chunk holds no engine; it reads, writes, survives a reload', async () => {
    const out = join(app, 'dist-webpack');
    timed('webpack', () =>
      ok(join(app, 'node_modules', '.bin', 'webpack'), ['./main.js', '--mode', 'production', '-o', out], {
        cwd: app,
      }),
    );
    copyFileSync(join(app, 'public', 'layer.zip'), join(out, 'layer.zip'));
    copyFileSync(join(app, 'index.html'), join(out, 'index.html'));
    const chunks = readdirSync(out).filter((f) => f.endsWith('.js'));
    const page = readFileSync(join(out, 'main.js'), 'utf8');
    for (const marker of ENGINE_MARKERS) expect(page, 'main.js').not.toMatch(marker);
    const rest = chunks.filter((f) => f !== 'main.js').map((f) => readFileSync(join(out, f), 'utf8'));
    for (const marker of ENGINE_MARKERS) expect(rest.join('\n')).toMatch(marker);
    expect(readdirSync(out).filter((f) => f.endsWith('.wasm'))).toHaveLength(1);
    console.log(`[consumer] webpack, gzip KB: page main.js ${gzipKB(new Map([['main', page]]))}`);
    await timed('webpack app in chromium', () => driveServed(out));
  });

  it('esbuild: the same page, the worker script as its own entry point and vellum.wasm copied beside it', async () => {
    const out = join(app, 'dist-esbuild');
    timed('esbuild', () =>
      ok(
        join(app, 'node_modules', '.bin', 'esbuild'),
        [
          'page=main-own-worker.js',
          'worker=worker-entry.js',
          '--bundle',
          '--format=esm',
          '--platform=browser',
          '--minify',
          `--outdir=${out}`,
        ],
        { cwd: app },
      ),
    );
    layOutOwnWorkerApp(out);
    const page = readFileSync(join(out, 'page.js'), 'utf8');
    expect(page).not.toMatch(NODE_IMPORT);
    for (const marker of ENGINE_MARKERS) expect(page, 'page.js').not.toMatch(marker);
    const worker = readFileSync(join(out, 'worker.js'), 'utf8');
    for (const marker of ENGINE_MARKERS) expect(worker, 'worker.js').toMatch(marker);
    expect(existsSync(join(out, 'worker.js'))).toBe(true);
    console.log(
      `[consumer] esbuild, gzip KB: page ${gzipKB(new Map([['page', page]]))}, worker JS ${gzipKB(new Map([['worker', worker]]))}`,
    );
    await timed('esbuild app in chromium', () => driveServed(out));
  });

  it('Rollup (node-resolve, browser): the page and the worker script as two builds, vellum.wasm copied', async () => {
    const out = join(app, 'dist-rollup');
    timed('rollup', () =>
      ok(join(app, 'node_modules', '.bin', 'rollup'), ['-c', 'rollup.config.mjs', '--silent'], { cwd: app }),
    );
    layOutOwnWorkerApp(out);
    const pageChunks = chunkGraph(out, 'page.js');
    const workerChunks = chunkGraph(out, 'worker.js');
    for (const [name, code] of pageChunks) {
      for (const marker of ENGINE_MARKERS) expect(code, name).not.toMatch(marker);
      expect(code, name).not.toMatch(NODE_IMPORT);
    }
    const worker = [...workerChunks.values()].join('\n');
    for (const marker of ENGINE_MARKERS) expect(worker, 'worker chunks').toMatch(marker);
    expect(worker).not.toMatch(NODE_IMPORT);
    console.log(
      `[consumer] rollup, gzip KB: page ${gzipKB(pageChunks)} (${pageChunks.size} chunks), worker JS ${gzipKB(workerChunks)} (${workerChunks.size} chunks)`,
    );
    await timed('rollup app in chromium', () => driveServed(out));
  });
});
