/**
 * What an app ships and how fast its filesystem starts, from real builds of the published
 * packages: every @vellum package is built, packed and installed with npm into a fresh project
 * outside the workspace beside the peers (bench/lib/bundle-app.ts), one minimal app per
 * bench/bundle-apps/*.js is built there with `vite build`, and its output gzipped per file.
 * The `cold-*` apps are then served from 127.0.0.1 and loaded in headless Chromium.
 */
import { type Browser, chromium } from 'playwright';
import { serveDirectory } from '../../scripts/consumer-app.mjs';
import { CHROMIUM_ARGS, findBrowser } from '../../scripts/find-browser.mjs';
import {
  type BuildSize,
  buildApp,
  type ConsumerProject,
  installConsumerProject,
  measureBuild,
} from '../lib/bundle-app.js';
import { type ColdStarts, coldStartRounds, expectTitle } from '../lib/cold-start.js';
import type { Case, Measured, Suite } from '../lib/harness.js';
import { type Settled, settle, unwrap } from '../lib/vellum.js';

/** Loads of each cold-start page (each in a fresh browser context, interleaved with the other pages'). */
const LOADS = 21;

const SIZE_APPS = [
  'vellum-client',
  'vellum-core-memory',
  'vellum-core-zip-idb',
  'zenfs-memory',
  'zenfs-idb',
  'lightning-fs',
  'memfs',
] as const;
const COLD_APPS = ['cold-vellum', 'cold-zenfs-idb', 'cold-zenfs-zip', 'cold-lightning-fs'] as const;
type App = (typeof SIZE_APPS)[number] | (typeof COLD_APPS)[number];

interface State {
  readonly project: ConsumerProject;
  readonly builds: ReadonlyMap<App, Settled<string>>;
  readonly browser: Browser;
  /** The cold-start loads, made by the first row that needs them. */
  readonly cold: { loads?: Map<ColdPage, ColdStarts | Error> };
}

function size(s: State, app: App): BuildSize {
  const out = s.builds.get(app);
  if (out === undefined) throw new Error(`${app} was not built`);
  return measureBuild(unwrap(out));
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** All an app without a worker ships: its JS and any wasm (split in the detail). */
function pageApp(s: State, app: App): Measured {
  const b = size(s, app);
  if (b.worker.files > 0) throw new Error(`${app} starts a worker; its page alone is not the app`);
  const detail =
    b.wasm.files > 0
      ? `${kb(b.page.bytes)} JS in ${b.page.files} files + ${kb(b.wasm.bytes)} wasm`
      : `${b.page.files} JS files, no wasm`;
  return { value: b.page.bytes + b.wasm.bytes, detail };
}

/** The cold-start pages: which built app, with which query. */
const COLD_PAGES = {
  'vellum-memory': ['cold-vellum', ''],
  'vellum-zip': ['cold-vellum', '?lower=zip'],
  'zenfs-idb': ['cold-zenfs-idb', ''],
  'zenfs-zip': ['cold-zenfs-zip', ''],
  'lightning-fs': ['cold-lightning-fs', ''],
} as const satisfies Record<string, readonly [App, string]>;
type ColdPage = keyof typeof COLD_PAGES;

/**
 * Loads every cold-start page {@link LOADS} times, interleaved, the first time a row needs one
 * (every cold row reads these same loads).
 */
async function coldLoads(s: State): Promise<Map<ColdPage, ColdStarts | Error>> {
  if (s.cold.loads !== undefined) return s.cold.loads;
  const urls = new Map<ColdPage, string>();
  const servers: Awaited<ReturnType<typeof serveDirectory>>[] = [];
  const loads = new Map<ColdPage, ColdStarts | Error>();
  try {
    const origins = new Map<App, string>();
    for (const [page, [app, query]] of Object.entries(COLD_PAGES) as [ColdPage, readonly [App, string]][]) {
      const built = s.builds.get(app);
      if (built === undefined || !built.ok) {
        loads.set(page, new Error(`${app} was not built: ${built?.ok === false ? String(built.error) : ''}`));
        continue;
      }
      let origin = origins.get(app);
      if (origin === undefined) {
        const server = await serveDirectory(built.value);
        servers.push(server);
        origin = server.origin;
        origins.set(app, origin);
      }
      urls.set(page, `${origin}/${query}`);
    }
    for (const [page, r] of await coldStartRounds(s.browser, urls, LOADS)) loads.set(page, r);
  } finally {
    for (const server of servers) await server.close();
  }
  s.cold.loads = loads;
  return loads;
}

async function cold(s: State, page: ColdPage, measure: keyof ColdStarts): Promise<Measured> {
  const r = (await coldLoads(s)).get(page);
  if (r === undefined) throw new Error(`${page} was not loaded`);
  if (r instanceof Error) throw r;
  const { medianMs, samplesMs } = r[measure];
  return {
    value: medianMs,
    detail: `median of ${samplesMs.length} loads, ${Math.min(...samplesMs).toFixed(0)}–${Math.max(...samplesMs).toFixed(0)} ms`,
  };
}

const bytesRow = (figure: string, vellum: App, peer: App): Case<State> => ({
  figure,
  unit: 'bytes',
  vellum: async (s) => pageApp(s, vellum),
  peer: async (s) => pageApp(s, peer),
});

export const bundleSuite: Suite<State> = {
  name: 'bundle',
  title: 'What an app ships, and the worker’s cold start (built packages, Vite, Chromium)',
  description:
    'Every @vellum package is built (`pnpm build:packages`), packed (`pnpm pack`) and installed with npm into a fresh project in the temporary folder, beside the peers at the bench’s pinned versions; each app of bench/bundle-apps (the least an app does: write a file and read it back) is built there with that project’s `vite build` (production, target es2022, worker format es). ' +
    'Sizes are gzip -9 bytes of each emitted file, summed: the page’s JS is every chunk reachable, statically or lazily, from the entry script; the worker’s JS every chunk reachable from the script the page starts as a worker; the worker’s wasm is a row of its own, and an app without a worker counts its JS and wasm together (the peers ship no wasm). ' +
    `Cold starts: the built app served from 127.0.0.1 (no caching), loaded ${LOADS} times in headless Chromium, interleaved with the other cold-start pages (one load of each per round, the order rotating), each load in a fresh browser context (cold HTTP, code and wasm caches, empty IndexedDB); the page times itself with performance.now(), from the call that starts the filesystem to the first answered \`stat\`, and from the navigation’s start to the same answer (which adds loading and running the page’s own scripts: the peers’ whole filesystem, Vellum’s thin client). Median; the range is in the detail.`,
  async setup(ctx) {
    const project = installConsumerProject(ctx.log);
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: await findBrowser(), args: CHROMIUM_ARGS });
      const open = browser;
      const builds = new Map<App, Settled<string>>();
      for (const app of [...SIZE_APPS, ...COLD_APPS]) {
        const started = performance.now();
        const built = await settle(async () => {
          const out = await buildApp(project, app);
          // A size app counts only if it runs: it writes a file, reads it back and shows it as its title.
          if ((SIZE_APPS as readonly App[]).includes(app)) {
            const server = await serveDirectory(out);
            try {
              await expectTitle(open, `${server.origin}/`, 'hello');
            } finally {
              await server.close();
            }
          }
          return out;
        });
        builds.set(app, built);
        ctx.log(
          `vite build ${app}${(SIZE_APPS as readonly App[]).includes(app) ? ' + run in Chromium' : ''}: ${Math.round(performance.now() - started)} ms${built.ok ? '' : ` FAILED: ${String(built.error)}`}`,
        );
      }
      return { project, builds, browser, cold: {} };
    } catch (error) {
      await browser?.close();
      project.remove();
      throw error;
    }
  },
  cases: () => [
    {
      id: 'client',
      figure:
        'page: an app that only calls `createOverlayWorker` (@vellum/worker client; goal ≤ 8 KB) · no peer',
      unit: 'bytes',
      vellum: async (s) => {
        const b = size(s, 'vellum-client');
        return {
          value: b.page.bytes,
          detail: `${b.page.files} JS files`,
        };
      },
    },
    {
      id: 'worker-js',
      figure:
        'worker: engine + memory/zip/http/idb layers, JS (goal ≤ 55 KB) · peer: @zenfs/core + @zenfs/dom IndexedDB, whole page app',
      unit: 'bytes',
      vellum: async (s) => {
        const b = size(s, 'vellum-client');
        return { value: b.worker.bytes, detail: `${b.worker.files} JS files` };
      },
      peer: async (s) => pageApp(s, 'zenfs-idb'),
    },
    {
      id: 'worker-wasm',
      figure: 'worker: @vellum/wasm module · no peer (no wasm)',
      unit: 'bytes',
      vellum: async (s) => size(s, 'vellum-client').wasm.bytes,
    },
    {
      figure:
        'the worker app in all, page + worker JS + wasm · peer: @zenfs/core + @zenfs/dom IndexedDB, whole page app',
      unit: 'bytes',
      vellum: async (s) => {
        const b = size(s, 'vellum-client');
        return b.page.bytes + b.worker.bytes + b.wasm.bytes;
      },
      peer: async (s) => pageApp(s, 'zenfs-idb'),
    },
    bytesRow(
      '@vellum/core in the page, JS + wasm: Overlay + MemoryLayer + MemoryUpper · peer: memfs (+ Node polyfills)',
      'vellum-core-memory',
      'memfs',
    ),
    bytesRow(
      '@vellum/core in the page, JS + wasm: Overlay + MemoryLayer + MemoryUpper · peer: @zenfs/core (InMemory)',
      'vellum-core-memory',
      'zenfs-memory',
    ),
    bytesRow(
      '@vellum/core in the page with zip + idb (ZipLayer over HTTP, IndexedDBUpper), JS + wasm · peer: @zenfs/core + @zenfs/dom IndexedDB',
      'vellum-core-zip-idb',
      'zenfs-idb',
    ),
    bytesRow(
      '@vellum/core in the page with zip + idb, JS + wasm · peer: @isomorphic-git/lightning-fs (IndexedDB; no overlay, no zip)',
      'vellum-core-zip-idb',
      'lightning-fs',
    ),
    {
      figure:
        'cold start, memory lower: `createOverlayWorker` called → first `stat` answered (worker) · peer: ZenFS `configureSingle` on @zenfs/dom IndexedDB → first `stat` (on the page)',
      unit: 'ms',
      vellum: async (s) => cold(s, 'vellum-memory', 'fromCall'),
      peer: async (s) => cold(s, 'zenfs-idb', 'fromCall'),
    },
    {
      figure:
        'cold start, memory lower, same figure · peer: lightning-fs `new FS` → first `stat` (on the page)',
      unit: 'ms',
      vellum: async (s) => cold(s, 'vellum-memory', 'fromCall'),
      peer: async (s) => cold(s, 'lightning-fs', 'fromCall'),
    },
    {
      figure:
        'cold start, zip lower over HTTP Range (127.0.0.1): `createOverlayWorker` called → first `stat` (worker) · peer: fetch the zip + @zenfs/archives `Zip` → first `stat` (on the page)',
      unit: 'ms',
      vellum: async (s) => cold(s, 'vellum-zip', 'fromCall'),
      peer: async (s) => cold(s, 'zenfs-zip', 'fromCall'),
    },
    {
      figure:
        'from navigation start (page scripts loaded and run included), memory lower → first `stat` · peer: ZenFS + @zenfs/dom IndexedDB',
      unit: 'ms',
      vellum: async (s) => cold(s, 'vellum-memory', 'fromNavigation'),
      peer: async (s) => cold(s, 'zenfs-idb', 'fromNavigation'),
    },
    {
      figure: 'from navigation start, memory lower → first `stat` · peer: lightning-fs',
      unit: 'ms',
      vellum: async (s) => cold(s, 'vellum-memory', 'fromNavigation'),
      peer: async (s) => cold(s, 'lightning-fs', 'fromNavigation'),
    },
    {
      figure:
        'from navigation start, zip lower over HTTP → first `stat` · peer: fetch + @zenfs/archives `Zip`',
      unit: 'ms',
      vellum: async (s) => cold(s, 'vellum-zip', 'fromNavigation'),
      peer: async (s) => cold(s, 'zenfs-zip', 'fromNavigation'),
    },
  ],
  notes(state, _rows, ctx) {
    ctx.note(`Installed in the built project: ${state.project.installed.join(', ')}.`);
    ctx.note(
      'Every size app was run once in Chromium before it was measured (it writes /a.txt, reads it back and shows it). memfs needs Node’s buffer, events, path, process, stream and url in a page: its app is built with vite-plugin-node-polyfills (bench/bundle-apps/memfs.vite.config.js), and those polyfills are in its bytes, as in any Vite app using it.',
    );
    ctx.note(
      'The peers have no worker client: their rows are the whole page app, their cold starts run on the page (no worker spawn, but their code is already loaded and parsed with the page, while Vellum’s worker fetches and compiles its chunks and wasm inside the measured time); the rows from the navigation’s start count the loading of both.',
    );
    ctx.note(
      'The worker’s JS holds every layer kind the worker can open (memory, zip, http, idb: split chunks loaded on use), whatever the page asks for; a memory-lower app loads only part of it.',
    );
    ctx.note(
      'The IndexedDB peers stat `/` (a fresh database has no file); Vellum stats a file of its lower. The zip is one 5-byte file, so the zip figures are the fixed cost of opening a zip, not of a big one (see zip-http).',
    );
  },
  async teardown(state) {
    await state.browser.close();
    state.project.remove();
  },
};
