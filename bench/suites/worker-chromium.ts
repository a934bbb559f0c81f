/**
 * The worker boundary in Chromium: @vellum/worker in a module Web Worker, measured in a
 * page (bench/browser/worker-chromium.ts) side by side with its baselines, in one run:
 * a `stat` round trip against a bare Comlink call and a bare `postMessage` echo, `walk`
 * of 10,000 files against 10,000 single `stat`s, and a 64 MiB read through the client
 * against the same engine read inside the worker.
 */
import type { SideTiming } from '../browser/timing.js';
import { type ChromiumPage, openChromiumPage } from '../lib/browser.js';
import type { Measured, Suite } from '../lib/harness.js';
import type { Timing } from '../lib/timing.js';

interface State {
  readonly page: ChromiumPage;
  /** Figures measured together in one page call, read by the rows that show them. */
  readonly measured: Map<string, Measured>;
}

const READS = 11;

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const range = (xs: readonly number[]): string =>
  `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

function timing(t: SideTiming): Timing {
  const { ratios: _ratios, ...rest } = t;
  return rest;
}

/**
 * A side of an interleaved measurement as a row value. `versus` adds the range of the
 * per-round ratios versus/name; `name` must then be the first side (the ratios' base).
 */
function side(all: Record<string, SideTiming>, name: string, versus?: string): Measured {
  const t = all[name];
  if (t === undefined) throw new Error(`the page measured no ${name}`);
  const rounds = `median of ${t.batches} interleaved batches`;
  const ratios = versus === undefined ? undefined : all[versus]?.ratios;
  const detail = ratios === undefined ? rounds : `${rounds}; per-round ${versus}/${name} ${range(ratios)}`;
  return { value: t.nsPerOp, timing: timing(t), detail };
}

function stored(s: State, key: string): Measured {
  const m = s.measured.get(key);
  if (m === undefined) throw new Error(`${key} was not measured (its Vellum cell failed)`);
  return m;
}

export const workerChromiumSuite: Suite<State> = {
  name: 'worker-chromium',
  title: 'The worker boundary in Chromium (@vellum/worker, module Web Worker)',
  description:
    'The overlay runs in a module Web Worker behind `createOverlayWorker`, in headless Chromium (cross-origin-isolated page served by Vite); every figure is timed in the page (or, for the in-worker read, in the worker). ' +
    'The baselines run on the same worker and port (bench/browser/worker-server.ts: the package’s `exposeOverlay` plus an echo and an in-worker read): a bare Comlink call to the server’s empty `noop`, a bare `postMessage` echo, 10,000 single `stat` calls through the same client, and `readFile` of the same 64 MiB lower file on the served overlay itself (`exposeOverlay`’s `onReady`). ' +
    'Sides are measured in interleaved rounds (one batch of each per round, order rotating) and each figure is its median batch, so load from other processes hits both alike; the detail gives the range of per-round ratios.',
  async setup(ctx) {
    const page = await openChromiumPage('worker-chromium.ts');
    try {
      const { entries } = await page.call<{ entries: number }>('setup');
      ctx.log(
        `${page.userAgent.match(/Chrome\/[\d.]+/)?.[0]}; overlay built in the worker (${entries} walk entries)`,
      );
    } catch (error) {
      await page.close();
      throw error;
    }
    return { page, measured: new Map() };
  },
  cases: () => [
    {
      id: 'stat-comlink',
      figure: '`stat` round trip · peer: bare Comlink call to an empty function (same worker)',
      unit: 'ns/op',
      vellum: async (s) => {
        const all = await s.page.call<Record<string, SideTiming>>('statRoundTrip');
        s.measured.set('comlink', side(all, 'comlink'));
        s.measured.set('echo', side(all, 'echo'));
        // stat is the first side, so each round's comlink ratio is comlink/stat.
        const overhead = (all.comlink as SideTiming).ratios.map((r) => 1 / r);
        s.measured.set('overhead', {
          value: median(overhead),
          detail: `per-round stat/comlink ${range(overhead)}`,
        });
        return side(all, 'stat', 'comlink');
      },
      peer: async (s) => stored(s, 'comlink'),
    },
    {
      figure: '`stat` round trip · peer: bare `postMessage` echo (same worker)',
      unit: 'ns/op',
      vellum: async (_s, ctx) => ({ value: ctx.value('stat-comlink', 'vellum'), detail: 'as above' }),
      peer: async (s) => stored(s, 'echo'),
    },
    {
      id: 'overhead',
      figure: 'Vellum `stat` ÷ bare Comlink call: median of per-round ratios (target < 1.5×)',
      unit: 'x',
      ratio: 'none',
      vellum: async (s) => stored(s, 'overhead'),
    },
    {
      id: 'walk',
      figure: '`walk` of a 10,000-file tree (one crossing) · peer: 10,000 single `stat` calls',
      unit: 'ns/op',
      vellum: async (s) => {
        const all = await s.page.call<Record<string, SideTiming>>('walkVsStats');
        s.measured.set('stats', side(all, 'stats'));
        return side(all, 'walk', 'stats');
      },
      peer: async (s) => stored(s, 'stats'),
    },
    {
      id: 'read',
      figure:
        '`readFile` of a 64 MiB lower file through the client · peer: the same engine read inside the worker',
      unit: 'ms',
      vellum: async (s) => {
        const { client, inWorker } = await s.page.call<{ client: number[]; inWorker: number[] }>(
          'readVsInWorker',
          READS,
        );
        s.measured.set('in-worker', { value: median(inWorker), detail: `median of ${READS}` });
        const ratios = client.map((c, i) => (inWorker[i] as number) / c);
        s.measured.set('read-ratio', { value: median(ratios), detail: `per-read ${range(ratios)}` });
        return {
          value: median(client),
          detail: `median of ${READS} alternating; per-read in-worker/client ${range(ratios)}`,
        };
      },
      peer: async (s) => stored(s, 'in-worker'),
    },
    {
      id: 'read-ratio',
      figure:
        'Throughput through the client ÷ inside the worker (in-worker ms ÷ client ms): median of per-read ratios (target ≥ 0.8×)',
      unit: 'x',
      ratio: 'none',
      vellum: async (s) => stored(s, 'read-ratio'),
    },
  ],
  notes(state, rows, ctx) {
    const row = (id: string) => rows.find((r) => r.id === id);
    const overhead = row('overhead')?.vellum;
    if (overhead?.ok) {
      ctx.note(
        `stat overhead over a bare Comlink call: ${overhead.value.toFixed(2)}× (target < 1.5×): ${overhead.value < 1.5 ? 'met' : 'NOT met'}.`,
      );
    }
    const walk = row('walk');
    if (walk?.ratio != null) {
      ctx.note(
        `walk vs 10,000 single stats: ${walk.ratio.toFixed(1)}× faster (target ≥ 20×): ${walk.ratio >= 20 ? 'met' : 'NOT met'}.`,
      );
    }
    const read = row('read-ratio')?.vellum;
    if (read?.ok) {
      ctx.note(
        `64 MiB read throughput through the client vs inside the worker (median of per-read ratios): ${read.value.toFixed(2)}× (target ≥ 0.8×): ${read.value >= 0.8 ? 'met' : 'NOT met'}.`,
      );
    }
    ctx.note(
      `Browser: ${state.page.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? state.page.userAgent} (headless).`,
    );
  },
  async teardown(state) {
    try {
      await state.page.call('teardown');
    } finally {
      await state.page.close();
    }
  },
};
