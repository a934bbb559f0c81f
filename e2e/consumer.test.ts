/**
 * The packages as a user gets them: every package is built (`pnpm build:packages`) and packed
 * (`pnpm pack`, which turns `workspace:*` into versions), the tarballs are installed with npm into a
 * fresh project in the system's temporary folder, outside the workspace (registry dependencies
 * only), and that project
 * 1. runs a plain `node app.mjs` (no loader) over core, its zip/http/idb entries, the worker on
 *    worker_threads and ZenFS's `configure`, and `npx vellum pack`/`ls`/`cat` on a real directory;
 * 2. type-checks a consumer file with `tsc --noEmit --strict`, moduleResolution "bundler" and "node16";
 * 5. passes publint and @arethetypeswrong/cli for every tarball.
 * (Numbers as in issue 15; 3 and 4, a Vite and an esbuild app in Chromium, are not here yet.)
 */
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const fixtures = join(root, 'e2e', 'consumer');
const PNPM = ['-y', 'pnpm@10.34.8'];
const PACKAGES = ['wasm', 'core', 'worker', 'zenfs', 'cli'] as const;

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
  try {
    return f();
  } finally {
    timings[label] = Math.round(performance.now() - started);
  }
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
  timed('build', () => ok(process.execPath, [join(root, 'scripts', 'build-packages.mjs')], { cwd: root }));
  timed('pack', () => {
    for (const name of PACKAGES) {
      ok('npx', [...PNPM, 'pack', '--pack-destination', packed], { cwd: join(root, 'packages', name) });
    }
  });
  for (const file of readdirSync(packed)) {
    const name = /^vellum-(\w+)-\d/.exec(file)?.[1];
    if (name) tarballs.set(name, join(packed, file));
  }
  expect([...tarballs.keys()].sort()).toEqual([...PACKAGES].sort());
  const dependencies: Record<string, string> = {
    'fake-indexeddb': version('packages/core/package.json', 'devDependencies', 'fake-indexeddb'),
    '@zenfs/core': version('packages/zenfs/package.json', 'dependencies', '@zenfs/core'),
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
        },
      },
      null,
      2,
    )}\n`,
  );
  for (const file of ['app.mjs', 'consumer.ts', 'consumer-zenfs.ts'])
    copyFileSync(join(fixtures, file), join(app, file));
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
        listing.filter((f) => /\.test\.|\/src\/|\/test\//.test(f)),
        name,
      ).toEqual([]);
      expect(listing, name).toContain(
        'package/dist/index.js'.replace('index', name === 'cli' ? 'bin' : 'index'),
      );
    }
    expect(ok('tar', ['tzf', tarballs.get('wasm') as string])).toMatch(/^package\/dist\/vellum\.wasm$/m);
  });

  it('`npx vellum pack` / `ls` / `cat` work on a real directory', () => {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'hello.txt'), 'hello from disk\n');
    writeFileSync(join(tree, 'sub', 'deep.txt'), 'deep\n');
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

  it('plain `node app.mjs`: core (memory, zip bytes, http, idb), the worker on worker_threads, zenfs', () => {
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
