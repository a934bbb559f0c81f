/**
 * Opening a zip as a lower: what it costs before the first file is read, for 10,000 and 100,000
 * entries — `ZipLayer.open` (central directory parsed in wasm) then `Overlay.create` (the merged
 * lower index built in wasm, no JS object per entry until used), against @zenfs/archives 1.3.6
 * `Zip` (`lazy: true`) mounting the same archive. Each figure comes from a fresh process
 * (lib/open-zip-child.ts), so memory is what one archive costs.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SOURCE_NODE_FLAG } from '../../scripts/source-condition.mjs';
import type { Case, Suite } from '../lib/harness.js';
import type { OpenZipResult } from '../lib/open-zip-child.js';

const SIZES = [10_000, 100_000] as const;
/** The peer at 100,000 entries takes about 32 s and 1.4 GB (issue 3): measured at 10,000 only. */
const PEER_SIZES = new Set<number>([10_000]);

type State = Map<string, OpenZipResult>;

function child(side: 'vellum' | 'zenfs', entries: number): OpenZipResult {
  const script = fileURLToPath(new URL('../lib/open-zip-child.ts', import.meta.url));
  const run = spawnSync(
    process.execPath,
    [SOURCE_NODE_FLAG, '--expose-gc', '--import', 'tsx', script, side, String(entries)],
    {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    },
  );
  if (run.status !== 0) throw new Error(`${side} ${entries}: ${run.stderr.slice(-2000)}`);
  const line = run.stdout.trim().split('\n').pop() as string;
  return JSON.parse(line) as OpenZipResult;
}

const key = (side: string, n: number): string => `${side}:${n}`;

function get(s: State, side: 'vellum' | 'zenfs', n: number): OpenZipResult {
  const r = s.get(key(side, n));
  if (r === undefined) throw new Error(`no ${side} run for ${n} entries`);
  return r;
}

export const zipOpenSuite: Suite<State> = {
  name: 'zip-open',
  title: 'Opening a zip lower: 10,000 and 100,000 entries',
  description:
    'A stored zip of tiny files (t<i%10>/d<i/1000>/f<i>.txt, written by fflate, or by the Node zlib writer from 65,535 entries on), in memory. Vellum: `ZipLayer.open` then `Overlay.create` over it; @zenfs/archives 1.3.6 `Zip.create({ lazy: true })` + `ready()`. Heap is the growth of V8’s used heap after a GC (the archive itself excluded); wasm is the growth of the realm’s shared wasm instance. Then the first `stat`, `readdir` and `readFile` of a file in the middle of the archive. One cold run per figure, each in a fresh process.',
  async setup(ctx) {
    const state: State = new Map();
    for (const n of SIZES) {
      ctx.log(`vellum, ${n} entries`);
      state.set(key('vellum', n), child('vellum', n));
      if (PEER_SIZES.has(n)) {
        ctx.log(`@zenfs/archives, ${n} entries`);
        state.set(key('zenfs', n), child('zenfs', n));
      }
    }
    return state;
  },
  cases: () =>
    SIZES.flatMap((n): Case<State>[] => {
      const label = n.toLocaleString('en');
      const peer = PEER_SIZES.has(n);
      const both = (
        figure: string,
        unit: 'ms' | 'bytes',
        v: (r: OpenZipResult) => number,
        z: ((r: OpenZipResult) => number) | undefined,
      ): Case<State> => ({
        figure: `${label} entries: ${figure}`,
        unit,
        vellum: async (s) => v(get(s, 'vellum', n)),
        ...(peer && z !== undefined
          ? { peer: async (s: State) => z(get(s, 'zenfs', n)) }
          : { ratio: 'none' as const }),
      });
      // A figure measured the same way on both sides.
      const same = (figure: string, unit: 'ms' | 'bytes', f: (r: OpenZipResult) => number): Case<State> =>
        both(figure, unit, f, f);
      return [
        both('ZipLayer.open', 'ms', (r) => r.openMs, undefined),
        both('Overlay.create', 'ms', (r) => r.createMs, undefined),
        both(
          'open + create (peer: mount)',
          'ms',
          (r) => r.openMs + r.createMs,
          (r) => r.openMs,
        ),
        same('JS heap growth', 'bytes', (r) => r.heapBytes),
        both('wasm memory growth', 'bytes', (r) => r.wasmBytes, undefined),
        both(
          'heap + wasm',
          'bytes',
          (r) => r.heapBytes + r.wasmBytes,
          (r) => r.heapBytes,
        ),
        same('first stat', 'ms', (r) => r.statMs),
        same('first readdir', 'ms', (r) => r.readdirMs),
        same('first readFile', 'ms', (r) => r.readFileMs),
      ];
    }),
  notes(_s, _rows, ctx) {
    ctx.note(
      'Before (main at c3340c0, same machine, /tmp/s3/open100k.ts): ZipLayer.open 135 / 811 ms, Overlay.create 143 / 940 ms, heap +17 / +158 MiB for 10,000 / 100,000 entries. Issue 3’s anchor for the peer: about 2.6 s and 156 MB for 10,000 entries, 32 s and 1.4 GB for 100,000 (not rerun here).',
    );
  },
};
