/**
 * Python on Vellum (@vellum/emscripten) against Python on Pyodide's own MEMFS holding the same
 * tree: `os.walk` of 10,000 files, writing 1,000 files of 1 KiB, reading a 64 MiB file, and
 * importing a pure-Python package of ~520 modules, each through
 *   (a) the engine in Pyodide's own thread (memory lowers, the package as a zip held in memory,
 *       a memory upper), and
 *   (b) Pyodide in a worker_threads worker, the engine in another (@vellum/worker), reached
 *       through the SharedArrayBuffer channel (`connectSync`); the package is a zip read lazily
 *       by HTTP Range from a loopback server, whose bytes sent are counted.
 * Every time is taken inside Python (`time.perf_counter()` around the operation).
 */
import { type TransferListItem, Worker } from 'node:worker_threads';
import type { Overlay } from '@vellum/core';
import type { OverlayClient } from '@vellum/worker';
import type { PyodideAPI } from 'pyodide';
import { TestServer } from '../../packages/core/test/net/server.js';
import type { Measured, Suite } from '../lib/harness.js';
import { dataTree, MODULE_COUNT, moduleNames, PY_OPS, packageFiles } from '../lib/pyodide-ops.js';

const VELLUM_AT = '/bench/vellum';
const MEMFS_AT = '/bench/memfs';
const WORKER_AT = '/bench/worker';
const REPS = 5;

type Result = [ms: number, count: number];

interface State {
  pyodide: PyodideAPI;
  ov: Overlay;
  client: OverlayClient;
  python: Worker;
  server: TestServer;
  zipBytes: number;
  /** Bytes the server sent, and requests: opening the zip lower, then a cold import of one module, then of all. */
  fetched: { open: number; one: number; all: number; requests: { open: number; one: number; all: number } };
  /** Peers measured with their Vellum figure (interleaved), read back by the peer cell. */
  pairs: Map<string, Measured>;
  writes: number;
}

/** Runs a Python op in the main thread's Pyodide. */
function here(state: State, op: string, ...args: unknown[]): Result {
  const fn = state.pyodide.globals.get(`bench_${op}`) as (...a: unknown[]) => { toJs(): number[] };
  const out = fn(...args.map((a) => (Array.isArray(a) ? state.pyodide.toPy(a) : a))).toJs();
  return [out[0] as number, out[1] as number];
}

/** Runs a Python op in the way-(b) worker's Pyodide. */
function there(state: State, op: string, ...args: unknown[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      state.python.off('message', onMessage);
      state.python.off('exit', onExit);
    };
    const onMessage = (out: { result?: number[]; error?: string }): void => {
      done();
      if (out.error !== undefined || !out.result) reject(new Error(out.error ?? 'no result'));
      else resolve([out.result[0] as number, out.result[1] as number]);
    };
    // A worker that died would otherwise leave this promise, and the run, waiting on nothing.
    const onExit = (code: number): void => {
      done();
      reject(new Error(`the Pyodide worker exited (${code})`));
    };
    state.python.on('message', onMessage);
    state.python.on('exit', onExit);
    state.python.postMessage({ op, args });
  });
}

/**
 * Vellum's side and MEMFS alternately, REPS times; each side's best. The count each op returns
 * (files seen, bytes read, modules imported) must agree, or the two did different work.
 */
async function paired(
  state: State,
  key: string,
  vellum: (rep: number) => Result | Promise<Result>,
  memfs: (rep: number) => Result,
): Promise<Measured> {
  const v: number[] = [];
  const m: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const [vm, vn] = await vellum(rep);
    const [mm, mn] = memfs(rep);
    if (vn !== mn) throw new Error(`${key}: Vellum counted ${vn}, MEMFS ${mn}`);
    v.push(vm);
    m.push(mm);
  }
  state.pairs.set(key, { value: Math.min(...m), detail: `best of ${REPS}` });
  const ratios = v.map((x, i) => (m[i] as number) / x).sort((a, b) => a - b);
  return {
    value: Math.min(...v),
    detail: `best of ${REPS} interleaved; per-round ratio ${ratios[0]?.toFixed(2)}–${ratios.at(-1)?.toFixed(2)}`,
  };
}

const peerOf = (key: string) => async (state: State) => {
  const m = state.pairs.get(key);
  if (!m) throw new Error(`${key}: its Vellum cell did not run`);
  return m;
};

/** Writes the same files into MEMFS at `at`. */
function toMemfs(pyodide: PyodideAPI, at: string, entries: Iterable<[string, string | Uint8Array]>): void {
  for (const [path, data] of entries) {
    const full = `${at}/${path}`;
    pyodide.FS.mkdirTree(full.slice(0, full.lastIndexOf('/')));
    pyodide.FS.writeFile(full, data);
  }
}

function treeFiles(tree: Record<string, unknown>, prefix = ''): [string, string | Uint8Array][] {
  return Object.entries(tree).flatMap(([name, node]) =>
    typeof node === 'string' || node instanceof Uint8Array
      ? [[`${prefix}${name}`, node] as [string, string | Uint8Array]]
      : treeFiles(node as Record<string, unknown>, `${prefix}${name}/`),
  );
}

const NAMES = moduleNames();

export const emscriptenSuite: Suite<State> = {
  name: 'emscripten',
  title: 'Python (Pyodide) on Vellum through @vellum/emscripten, beside Pyodide’s MEMFS',
  description:
    'Pyodide 0.29.5 in Node. Vellum: the workspace mounted with `mountOverlay` — (a) the engine in Pyodide’s own thread (memory lowers, the package as a zip held in memory, memory upper), ' +
    '(b) Pyodide in a worker_threads worker, the engine in another (`createOverlayWorker`), calls over `connectSync`’s SharedArrayBuffer channel, the package zip read lazily by HTTP Range from a loopback server. ' +
    'For (a) every module is read once with `ov.readFile` before the program runs (the zip layer keeps what it inflated, and way (a) answers only from what the layers hold). ' +
    'Peer: the same files in Pyodide’s MEMFS (what a page has after unpacking everything at start). Times are taken inside Python around the operation; best of 5, Vellum and MEMFS alternating. ' +
    `The import figure imports ${MODULE_COUNT} modules (\`sys.dont_write_bytecode\`, so every side compiles source each time).`,
  async setup(ctx) {
    const [{ loadPyodide }, core, zip, { mountOverlay }, { createOverlayWorker }] = await Promise.all([
      import('pyodide'),
      import('@vellum/core'),
      import('@vellum/core/zip'),
      import('@vellum/emscripten'),
      import('@vellum/worker'),
    ]);
    const data = dataTree();
    const pkg = packageFiles();
    const zipped = zip.writeZip(
      [...pkg].map(([path, text]) => ({ path, kind: 'file', data: new TextEncoder().encode(text) })),
    );

    const pyodide = await loadPyodide();
    pyodide.runPython(PY_OPS);
    const ov = await core.Overlay.create({
      lowers: [core.MemoryLayer.fromTree(data), await zip.ZipLayer.open(zipped)],
      upper: new core.MemoryUpper(),
    });
    // Way (a) answers from what the zip layer holds: read every module once, as an app would
    // preload them (an entry not read yet fails with EIO in this way).
    for (const path of pkg.keys()) await ov.readFile(`/${path}`);
    mountOverlay(pyodide.FS, ov, VELLUM_AT);
    toMemfs(pyodide, MEMFS_AT, treeFiles(data as Record<string, unknown>));
    toMemfs(pyodide, MEMFS_AT, pkg);
    ctx.log('main-thread Pyodide ready (way (a) and MEMFS)');

    const server = await TestServer.start({ '/bpkg.zip': zipped });
    const client = await createOverlayWorker({
      lowers: [
        { type: 'memory', tree: data },
        { type: 'zip', url: server.url('/bpkg.zip') },
      ],
      upper: { type: 'memory' },
    });
    const open = server.bytesSent;
    const openRequests = server.requests.length;
    const port = await client.syncPort();
    const python = new Worker(new URL('../lib/boot-worker.mjs', import.meta.url), {
      workerData: { module: 'pyodide-worker', port, at: WORKER_AT },
      transferList: [port as unknown as TransferListItem],
    });
    await new Promise((resolve, reject) => {
      python.once('message', resolve);
      python.once('error', reject);
    });
    const state: State = {
      pyodide,
      ov,
      client,
      python,
      server,
      zipBytes: zipped.length,
      fetched: { open, one: 0, all: 0, requests: { open: openRequests, one: 0, all: 0 } },
      pairs: new Map(),
      writes: 0,
    };
    // Cold imports through the lazy zip: what one module costs, then the rest.
    let before = server.bytesSent;
    let requests = server.requests.length;
    await there(state, 'import', WORKER_AT, [NAMES[0]]);
    state.fetched.one = server.bytesSent - before;
    state.fetched.requests.one = server.requests.length - requests;
    before = server.bytesSent;
    requests = server.requests.length;
    await there(state, 'import', WORKER_AT, NAMES);
    state.fetched.all = server.bytesSent - before;
    state.fetched.requests.all = server.requests.length - requests;
    ctx.log('way (b) worker ready');
    return state;
  },
  cases: () => [
    {
      figure: '`os.walk` of 10,000 files (100 directories), way (a)',
      unit: 'ms',
      vellum: (s) =>
        paired(
          s,
          'walk-a',
          () => here(s, 'walk', VELLUM_AT),
          () => here(s, 'walk', MEMFS_AT),
        ),
      peer: peerOf('walk-a'),
    },
    {
      figure: '`os.walk` of 10,000 files (100 directories), way (b)',
      unit: 'ms',
      vellum: (s) =>
        paired(
          s,
          'walk-b',
          () => there(s, 'walk', WORKER_AT),
          () => here(s, 'walk', MEMFS_AT),
        ),
      peer: peerOf('walk-b'),
    },
    {
      figure: 'write 1,000 files of 1 KiB (a new directory), way (a)',
      unit: 'ms',
      vellum: (s) =>
        paired(
          s,
          'write-a',
          () => here(s, 'write', VELLUM_AT, s.writes++),
          () => here(s, 'write', MEMFS_AT, s.writes++),
        ),
      peer: peerOf('write-a'),
    },
    {
      figure: 'write 1,000 files of 1 KiB (a new directory), way (b)',
      unit: 'ms',
      vellum: (s) =>
        paired(
          s,
          'write-b',
          () => there(s, 'write', WORKER_AT, s.writes++),
          () => here(s, 'write', MEMFS_AT, s.writes++),
        ),
      peer: peerOf('write-b'),
    },
    {
      figure: 'read a 64 MiB file, way (a)',
      unit: 'ms',
      vellum: (s) =>
        paired(
          s,
          'read-a',
          () => here(s, 'read', VELLUM_AT),
          () => here(s, 'read', MEMFS_AT),
        ),
      peer: peerOf('read-a'),
    },
    {
      figure: 'read a 64 MiB file, way (b) (1 MiB channel chunks)',
      unit: 'ms',
      vellum: (s) =>
        paired(
          s,
          'read-b',
          () => there(s, 'read', WORKER_AT),
          () => here(s, 'read', MEMFS_AT),
        ),
      peer: peerOf('read-b'),
    },
    {
      figure: `import ${MODULE_COUNT} modules, way (a) (zip held in memory)`,
      unit: 'ms',
      vellum: (s) =>
        paired(
          s,
          'import-a',
          () => here(s, 'import', VELLUM_AT, NAMES),
          () => here(s, 'import', MEMFS_AT, NAMES),
        ),
      peer: peerOf('import-a'),
    },
    {
      figure: `import ${MODULE_COUNT} modules, way (b) (zip by HTTP Range, after the cold import)`,
      unit: 'ms',
      vellum: (s) =>
        paired(
          s,
          'import-b',
          () => there(s, 'import', WORKER_AT, NAMES),
          () => here(s, 'import', MEMFS_AT, NAMES),
        ),
      peer: peerOf('import-b'),
    },
    {
      figure: 'bytes fetched to open the package zip (central directory)',
      unit: 'bytes',
      vellum: async (s) => ({ value: s.fetched.open, detail: `${s.fetched.requests.open} requests` }),
      peer: async (s) => ({ value: s.zipBytes, detail: 'the whole zip, to unpack into MEMFS' }),
    },
    {
      figure: 'bytes fetched by a cold `import` of one module',
      unit: 'bytes',
      vellum: async (s) => ({ value: s.fetched.one, detail: `${s.fetched.requests.one} requests` }),
      peer: async (s) => ({ value: s.zipBytes, detail: 'the whole zip, to unpack into MEMFS' }),
    },
    {
      figure: `bytes fetched by a cold \`import\` of all ${MODULE_COUNT} modules`,
      unit: 'bytes',
      vellum: async (s) => ({ value: s.fetched.all, detail: `${s.fetched.requests.all} requests` }),
      peer: async (s) => ({ value: s.zipBytes, detail: 'the whole zip, to unpack into MEMFS' }),
    },
  ],
  notes(state, _rows, ctx) {
    ctx.note(
      `The package zip is ${state.zipBytes.toLocaleString('en')} bytes (deflated); MEMFS needs all of it before the first import, Vellum’s lazy zip fetches what the imports read.`,
    );
    ctx.note(
      'Not measured here: IDBFS with `syncfs` (it needs IndexedDB in the program’s thread; under Node that would be fake-indexeddb, whose cost says nothing about a browser’s), and way (b) in Chromium.',
    );
  },
  async teardown(state) {
    await state.python.terminate();
    state.client.close();
    await state.ov.close();
    await state.server.close();
  },
};
