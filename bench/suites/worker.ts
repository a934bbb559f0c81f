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
const READS = 11;

/** Before each timed read (both sides): the previous read's 64 MiB of garbage is collected on idle time, not in the next read. */
const idle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

interface State {
  readonly client: Settled<Client>;
  readonly paths: readonly string[];
  /** Comlink's own proxy of the overlay's worker: `noop` is the server's empty function. */
  readonly comlink: Remote<{ noop(): void }>;
  readonly workers: Worker[];
  /** The overlay's worker (worker-baselines.ts): also answers the echo and the in-worker read. */
  readonly worker: Worker;
  /** Pairs measured once, read by the case that measured them and its peer. */
  readonly pairs: Map<string, { vellum: Measured; peer: Measured }>;
}

function overlayWorker(): Worker {
  return new Worker(new URL('../lib/boot-worker.mjs', import.meta.url), {
    workerData: { module: 'worker-baselines' },
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
    'Peers are baselines, not other libraries, all on the overlay’s own worker and port (lib/worker-baselines.ts): a bare Comlink call to the server’s empty `noop`, a bare `postMessage` echo, ' +
    '10,000 single `lstat` calls through the same client, and `readFile` of the same 64 MiB lower file on the served overlay itself (`exposeOverlay`’s `onReady`), timed in the worker. ' +
    'Each Vellum figure and its peer are measured alternately (stat: median of 31 interleaved batches; walk: best of interleaved rounds; reads: median of interleaved reads) so that load from other processes hits both alike; the detail gives the range of per-round ratios.',
  async setup(ctx) {
    const { tree: t, paths } = tree();
    // The overlay's worker is started here (the package's server plus baselines on the same
    // port, see worker-baselines.ts) so that every baseline runs on the very same worker: one
    // in another thread differed from it by up to 3× for seconds at a time on this busy
    // machine (scheduling, not protocol), which made the ratios swing 0.56–1.18 between runs.
    const worker = overlayWorker();
    const client = await settle(async () => {
      const w: WorkerModule = await import('@vellum/worker');
      return w.createOverlayWorker({
        lowers: [{ type: 'memory', tree: t as import('@vellum/core').Tree }],
        upper: { type: 'memory' },
        worker,
      });
    });
    const { wrap } = await import('comlink');
    const { default: nodeEndpoint } = await import('comlink/dist/esm/node-adapter.mjs');
    ctx.log('worker started');
    return {
      client,
      paths,
      comlink: wrap(nodeEndpoint(worker)),
      workers: [worker],
      worker,
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
        // The echo's answer, by one listener for the whole measurement (not one per call).
        let echoed: ((m: unknown) => void) | undefined;
        const onEcho = (m: unknown): void => {
          if (typeof m === 'number') echoed?.(m);
        };
        s.worker.on('message', onEcho);
        const echo = (i: number): Promise<unknown> =>
          new Promise((resolve) => {
            echoed = resolve;
            s.worker.postMessage(i);
          });
        if ((await echo(7)) !== 7) throw new Error('echo: wrong answer');
        // One batch of each per round, order rotating: load bursts hit all alike.
        const sides = await interleave(
          [
            ['stat', (i) => fs.stat(s.paths[i % s.paths.length] as string)],
            ['comlink', () => s.comlink.noop()],
            ['echo', echo],
          ],
          { warmupMs: 200, rounds: 31, batchMs: 20 },
        ).finally(() => s.worker.off('message', onEcho));
        const { stat, comlink } = sides;
        if (stat === undefined || comlink === undefined || sides.echo === undefined)
          throw new Error('interleave: a side is missing');
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
        s.pairs.set('echo', { vellum: pair.vellum, peer: { value: sides.echo.nsPerOp, detail: rounds } });
        s.pairs.set('overhead', { vellum: { value: median(overhead) }, peer: { value: Number.NaN } });
        return pair.vellum;
      },
      peer: async (s) => s.pairs.get('stat')?.peer ?? { value: Number.NaN },
    },
    {
      figure: '`stat` round trip · peer: bare `postMessage` echo (same worker)',
      unit: 'ns/op',
      vellum: async (_s, ctx) => ({ value: ctx.value('stat-comlink', 'vellum'), detail: 'as above' }),
      peer: async (s) => s.pairs.get('echo')?.peer ?? { value: Number.NaN },
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
      figure:
        '`readFile` of a 64 MiB lower file through the client · peer: the same engine read inside the worker',
      unit: 'ms',
      vellum: async (s): Promise<Measured> => {
        const fs = unwrap(s.client);
        const w = s.worker;
        const inWorker = (): Promise<number> =>
          new Promise((resolve, reject) => {
            const answer = (m: unknown): void => {
              if (typeof m !== 'object' || m === null || !('inWorkerRead' in m)) return;
              w.off('message', answer);
              const { inWorkerRead, bytes, last } = m as {
                inWorkerRead: number;
                bytes: number;
                last: number;
              };
              if (bytes !== BIG || last !== (BIG - 1) % 256) reject(new Error('in-worker read: wrong bytes'));
              else resolve(inWorkerRead);
            };
            w.on('message', answer);
            w.postMessage({ inWorkerRead: '/big.bin' });
          });
        const through = async (): Promise<number> => {
          const { ms, result } = await timeOnce(() => fs.readFile('/big.bin'));
          if (result.length !== BIG || result[BIG - 1] !== (BIG - 1) % 256)
            throw new Error('read: wrong bytes');
          return ms;
        };
        await through();
        await inWorker(); // warm-up of both
        // Alternating reads (which goes first alternates too), each after an idle pause;
        // each side's median of its reads, and the median of per-read ratios.
        const v: number[] = [];
        const p: number[] = [];
        for (let i = 0; i < READS; i++) {
          await idle();
          if (i % 2 === 0) v.push(await through());
          else p.push(await inWorker());
          await idle();
          if (i % 2 === 0) p.push(await inWorker());
          else v.push(await through());
        }
        const ratios = v.map((x, i) => (p[i] as number) / x).sort((a, b) => a - b);
        s.pairs.set('read-ratio', { vellum: { value: median([...ratios]) }, peer: { value: Number.NaN } });
        const detail = `median of ${READS} alternating; per-read in-worker/client ${ratios[0]?.toFixed(2)}–${ratios.at(-1)?.toFixed(2)}, median ${median([...ratios]).toFixed(2)}`;
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
    const read = state.pairs.get('read-ratio')?.vellum.value;
    if (read !== undefined) {
      ctx.note(
        `64 MiB read throughput through the client vs inside the worker (median of per-read ratios): ${read.toFixed(2)}× (target ≥ 0.8×): ${read >= 0.8 ? 'met' : 'NOT met'}.`,
      );
    }
    ctx.note('Node worker_threads; the Chromium run of the same figures is the `worker-chromium` suite.');
  },
  async teardown(state) {
    if (state.client.ok) state.client.value.close();
    await Promise.all(state.workers.map((w) => w.terminate()));
  },
};
