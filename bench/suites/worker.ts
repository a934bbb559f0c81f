/**
 * The cost of the worker boundary (@vellum/worker under Node worker_threads): a `stat`
 * round trip against a bare Comlink call and a bare postMessage echo, `walk` of a
 * 10,000-file tree against 10,000 single `stat`s, and a 64 MiB read through the client
 * against the same read inside a worker.
 */
import { Worker } from 'node:worker_threads';
import type { Remote } from 'comlink';
import { interleave } from '../browser/timing.js';
import type { Measured, Suite } from '../lib/harness.js';
import { timeAsync, timeOnce } from '../lib/timing.js';
import { type Settled, settle, unwrap } from '../lib/vellum.js';

type WorkerModule = typeof import('@vellum/worker');
type Client = Awaited<ReturnType<WorkerModule['createOverlayWorker']>>;

const MiB = 1024 * 1024;
const BIG = 64 * MiB;
const FILES = 10_000;
const READS = 7;

interface State {
  readonly client: Settled<Client>;
  readonly paths: readonly string[];
  /** Comlink's own proxy of the overlay's worker: `noop` is the server's empty function. */
  readonly comlink: Remote<{ noop(): void }>;
  readonly workers: Worker[];
  readonly echo: Worker;
  /** Pairs measured once, read by the case that measured them and its peer. */
  readonly pairs: Map<string, { vellum: Measured; peer: Measured }>;
}

function baseline(mode: string, extra: Record<string, unknown> = {}): Worker {
  return new Worker(new URL('../lib/boot-worker.mjs', import.meta.url), {
    workerData: { module: 'worker-baselines', mode, ...extra },
  });
}

/** 10,000 files in 100 directories of 100, plus the 64 MiB file. */
function tree(): { tree: Record<string, unknown>; paths: string[] } {
  const out: Record<string, Record<string, string>> = {};
  const paths: string[] = [];
  for (let d = 0; d < FILES / 100; d++) {
    const dir: Record<string, string> = {};
    for (let f = 0; f < 100; f++) {
      dir[`f${f}.txt`] = `file ${d}/${f}`;
      paths.push(`/tree/d${d}/f${f}.txt`);
    }
    out[`d${d}`] = dir;
  }
  return { tree: { tree: out, 'big.bin': new Uint8Array(BIG).map((_, i) => i & 0xff) }, paths };
}

const SLOW = { warmupMs: 100, batches: 5, batchMs: 100 } as const;
/** Rounds of Vellum-then-peer measurements; each side's figure is its best round. */
const ROUNDS = 5;

/**
 * Measures `vellum` and `peer` alternately, `ROUNDS` times, and keeps each side's
 * best median: on a shared 2-core machine another process's burst lands on whichever
 * side is running, so figures taken seconds apart differ by 2× or more, while the
 * best of interleaved rounds compares the two under the same conditions. The range of
 * the per-round ratios (peer / Vellum) goes into the detail, so the noise is visible.
 */
async function paired(
  vellum: () => Promise<number>,
  peer: () => Promise<number>,
  rounds = ROUNDS,
): Promise<{ vellum: Measured; peer: Measured }> {
  const v: number[] = [];
  const p: number[] = [];
  for (let r = 0; r < rounds; r++) {
    v.push(await vellum());
    p.push(await peer());
  }
  const ratios = v.map((x, i) => (p[i] as number) / x).sort((a, b) => a - b);
  const range = `best of ${rounds} interleaved rounds; per-round ratio ${ratios[0]?.toFixed(2)}–${ratios.at(-1)?.toFixed(2)}`;
  return {
    vellum: { value: Math.min(...v), detail: range },
    peer: { value: Math.min(...p), detail: `best of ${rounds}` },
  };
}

const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1] as number;

export const workerSuite: Suite<State> = {
  name: 'worker',
  title: 'The worker boundary (@vellum/worker, Node worker_threads)',
  description:
    'The overlay runs in a worker_threads worker behind `createOverlayWorker`; every figure is a call awaited from the main thread. ' +
    'Peers are baselines, not other libraries: a bare Comlink call to the empty `noop` of the overlay’s own worker (same thread, same port), a bare `postMessage` echo in a worker of its own, ' +
    '10,000 single `lstat` calls through the same client, and `readFile` of the same 64 MiB lower file inside a worker (no crossing). ' +
    'Each Vellum figure and its peer are measured alternately (stat: median of 31 interleaved batches; walk: best of interleaved rounds; reads: median of interleaved reads) so that load from other processes hits both alike; the detail gives the range of per-round ratios.',
  async setup(ctx) {
    const { tree: t, paths } = tree();
    // The overlay's worker is started here (the package's own entry, as createOverlayWorker
    // would) so that the bare Comlink baseline can call the very same worker: a baseline in
    // another thread differed from it by up to 3× for seconds at a time on this busy machine
    // (scheduling, not protocol), which made the ratio swing 0.56–1.18 between runs.
    const overlayWorker = new Worker(
      new URL('../../packages/worker/src/entry-node-source.mjs', import.meta.url),
    );
    const client = await settle(async () => {
      const w: WorkerModule = await import('@vellum/worker');
      return w.createOverlayWorker({
        lowers: [{ type: 'memory', tree: t as import('@vellum/core').Tree }],
        upper: { type: 'memory' },
        worker: overlayWorker,
      });
    });
    const { wrap } = await import('comlink');
    const { default: nodeEndpoint } = await import('comlink/dist/esm/node-adapter.mjs');
    const echo = baseline('echo');
    ctx.log('workers started');
    return {
      client,
      paths,
      comlink: wrap(nodeEndpoint(overlayWorker)),
      workers: [overlayWorker, echo],
      echo,
      pairs: new Map(),
    };
  },
  cases: () => [
    {
      id: 'stat-comlink',
      figure: '`stat` round trip · peer: bare Comlink call to an empty function (same worker)',
      unit: 'ns/op',
      vellum: async (s) => {
        const fs = unwrap(s.client);
        if ((await fs.stat(s.paths[0] as string)).size !== 8) throw new Error('stat: wrong size');
        await s.comlink.noop();
        // One batch of each per round, order rotating: load bursts hit both alike.
        const { stat, comlink } = await interleave(
          [
            ['stat', (i) => fs.stat(s.paths[i % s.paths.length] as string)],
            ['comlink', () => s.comlink.noop()],
          ],
          { warmupMs: 200, rounds: 31, batchMs: 20 },
        );
        if (stat === undefined || comlink === undefined) throw new Error('interleave: a side is missing');
        // stat is the first side: each round's comlink ratio is comlink/stat.
        const overhead = comlink.ratios.map((r) => 1 / r).sort((a, b) => a - b);
        const rounds = `median of ${stat.batches} interleaved batches`;
        const pair = {
          vellum: {
            value: stat.nsPerOp,
            detail: `${rounds}; per-round stat/comlink ${overhead[0]?.toFixed(2)}–${overhead.at(-1)?.toFixed(2)}, median ${median(overhead).toFixed(2)}`,
          },
          peer: { value: comlink.nsPerOp, detail: rounds },
        };
        s.pairs.set('stat', pair);
        s.pairs.set('overhead', { vellum: { value: median(overhead) }, peer: { value: Number.NaN } });
        return pair.vellum;
      },
      peer: async (s) => s.pairs.get('stat')?.peer ?? { value: Number.NaN },
    },
    {
      figure: '`stat` round trip · peer: bare `postMessage` echo',
      unit: 'ns/op',
      vellum: async (_s, ctx) => ({ value: ctx.value('stat-comlink', 'vellum'), detail: 'as above' }),
      // In a worker of its own (under Node, a listener on the overlay's port would also reach Comlink's).
      peer: async (s) => {
        const t = await timeAsync(
          (i) =>
            new Promise((resolve) => {
              s.echo.once('message', resolve);
              s.echo.postMessage(i);
            }),
        );
        return { value: t.nsPerOp, timing: t };
      },
    },
    {
      id: 'walk',
      figure: '`walk` of a 10,000-file tree (one crossing) · peer: 10,000 single `lstat` calls',
      unit: 'ns/op',
      vellum: async (s): Promise<Measured> => {
        const fs = unwrap(s.client);
        const n = (await fs.walk('/tree')).length;
        if (n !== FILES + FILES / 100) throw new Error(`walk: ${n} entries`);
        const pair = await paired(
          async () => (await timeAsync(() => fs.walk('/tree'), SLOW)).nsPerOp,
          async () =>
            (
              await timeAsync(async () => {
                for (const p of s.paths) await fs.lstat(p);
              }, SLOW)
            ).nsPerOp,
          3,
        );
        s.pairs.set('walk', pair);
        return pair.vellum;
      },
      peer: async (s) => s.pairs.get('walk')?.peer ?? { value: Number.NaN },
    },
    {
      id: 'read',
      figure: '`readFile` of a 64 MiB lower file through the client · peer: the same read inside a worker',
      unit: 'ms',
      vellum: async (s): Promise<Measured> => {
        const fs = unwrap(s.client);
        const w = baseline('read', { size: BIG });
        s.workers.push(w);
        const inWorker = (): Promise<number> =>
          new Promise((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage('read');
          });
        const through = async (): Promise<number> => {
          const { ms, result } = await timeOnce(() => fs.readFile('/big.bin'));
          if (result.length !== BIG || result[BIG - 1] !== (BIG - 1) % 256)
            throw new Error('read: wrong bytes');
          return ms;
        };
        await through(); // warm-up (the worker's own warm-up runs before its first answer)
        // Interleaved reads; each side's median of its reads.
        const v: number[] = [];
        const p: number[] = [];
        for (let i = 0; i < READS; i++) {
          v.push(await through());
          p.push(await inWorker());
        }
        const ratios = v.map((x, i) => (p[i] as number) / x).sort((a, b) => a - b);
        const detail = `median of ${READS} interleaved; per-read ratio ${ratios[0]?.toFixed(2)}–${ratios.at(-1)?.toFixed(2)}`;
        const pair = {
          vellum: { value: median(v), detail },
          peer: { value: median(p), detail: `median of ${READS}` },
        };
        s.pairs.set('read', pair);
        return pair.vellum;
      },
      peer: async (s) => s.pairs.get('read')?.peer ?? { value: Number.NaN },
    },
  ],
  notes(state, rows, ctx) {
    const pick = (i: number): { v: number; p: number } | undefined => {
      const r = rows[i];
      return r?.vellum?.ok && r.peer?.ok ? { v: r.vellum.value, p: r.peer.value } : undefined;
    };
    const overhead = state.pairs.get('overhead')?.vellum.value;
    if (overhead !== undefined) {
      ctx.note(
        `stat overhead over a bare Comlink call to the same worker (median of per-round ratios): ${overhead.toFixed(2)}× (target < 1.5×): ${overhead < 1.5 ? 'met' : 'NOT met'}.`,
      );
    }
    const walk = pick(2);
    if (walk) {
      const x = walk.p / walk.v;
      ctx.note(
        `walk vs 10,000 single stats: ${x.toFixed(1)}× faster (target ≥ 20×): ${x >= 20 ? 'met' : 'NOT met'}.`,
      );
    }
    const read = pick(3);
    if (read) {
      const x = read.p / read.v;
      ctx.note(
        `64 MiB read throughput through the client vs inside a worker: ${x.toFixed(2)}× (target ≥ 0.8×): ${x >= 0.8 ? 'met' : 'NOT met'}.`,
      );
    }
    ctx.note(
      'Node worker_threads. The bare postMessage echo runs in a worker of its own; the Chromium run of the same figures is the `worker-chromium` suite.',
    );
  },
  async teardown(state) {
    if (state.client.ok) state.client.value.close();
    await Promise.all(state.workers.map((w) => w.terminate()));
  },
};
