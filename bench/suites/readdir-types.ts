/**
 * What `readdir(dir, { withFileTypes: true })` of a big lower directory costs: a fresh overlay over
 * a lower holding /big with N files (1,000 / 10,000 / 100,000) directly in it and a sibling
 * /keep.txt, then the timed first listing with file types and a second one on the same overlay.
 *
 * Three sides, sampled in rotating order within each round: Vellum, ZenFS `CopyOnWrite` over
 * `InMemory` (the harness's peer column; its N is capped, see ZENFS_MAX) and the kernel's
 * overlayfs on tmpfs (rows of its own). Every sample checks that both listings hold N files.
 */
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { configure, fs as zenfs } from '@zenfs/core';
import type { Case, Measured, Suite, SuiteContext } from '../lib/harness.js';
import { kernelLower, kernelProbe } from '../lib/kernel-overlay.js';
import { type Fixture as SideFixture, type SideName, sampleSides, timed, toTiming } from '../lib/sides.js';
import type { LayerContent } from '../lib/stack.js';
import type { Timing } from '../lib/timing.js';
import { loadVellum, type Settled, settle, unwrap, type VellumCore } from '../lib/vellum.js';
import { zenLayerIndexed, zenMemory, zenStack } from '../lib/zenfs.js';

const SIZES = [1_000, 10_000, 100_000] as const;
/**
 * ZenFS lists a CopyOnWrite directory name by name (dir-copy-up.ts: one `readdir` of 100,000
 * names takes ~10 s), and with file types stats each: 100,000 is left out (the rows say so).
 */
const ZENFS_MAX = 10_000;
/** Fresh overlays per side and size (odd: the median is a sample); fewer from 10,000 files on. */
const samplesFor = (n: number): number => (n >= 10_000 ? 5 : 7);
const DIR = '/big';
const KEEP = '/keep.txt';
const FILE_BYTES = 16;
const KEEP_DATA = new TextEncoder().encode('a sibling that stays\n');

/** One fresh overlay's figures. */
interface Sample {
  readonly firstNs: number;
  readonly secondNs: number;
}

interface SideResult {
  readonly first: Timing;
  readonly second: Timing;
}

type Fixture = SideFixture<Sample>;

interface Measurement {
  readonly n: number;
  readonly sides: Readonly<Record<SideName, Settled<SideResult>>>;
}

interface State {
  readonly core: Settled<VellumCore>;
  readonly kernelSkip: string | null;
  readonly gcExposed: boolean;
  readonly memo: Map<number, Promise<Measurement>>;
  readonly log: (message: string) => void;
}

function fileData(i: number): Uint8Array {
  const data = new Uint8Array(FILE_BYTES);
  for (let k = 0; k < FILE_BYTES; k++) data[k] = (i * 31 + k) & 0xff;
  return data;
}

/** /big/f<i> and /keep.txt. */
function content(n: number): LayerContent {
  const dirs = [DIR];
  const files = Array.from({ length: n }, (_, i) => ({ path: `${DIR}/f${i}`, data: fileData(i) }));
  files.push({ path: KEEP, data: KEEP_DATA });
  return { dirs, files };
}

interface Listed {
  readonly name: string;
  isFile(): boolean;
}

/** The check every listing passes before its sample counts: N files, all typed as files. */
function verify(side: string, n: number, list: readonly Listed[]): void {
  const files = list.filter((d) => d.isFile()).length;
  if (list.length !== n || files !== n)
    throw new Error(`${side}: listed ${list.length} names (${files} files), not ${n}`);
}

// ---------------------------------------------------------------------------------------
// Vellum

async function vellumFixture(state: State, n: number): Promise<Fixture> {
  const core = unwrap(state.core);
  const c = content(n);
  const lower = core.MemoryLayer.fromEntries([
    ...c.dirs.map((path) => ({ path, kind: 'dir' as const })),
    ...c.files.map((f) => ({ path: f.path, kind: 'file' as const, data: f.data })),
  ]);
  return {
    async sample() {
      const ov = await core.Overlay.create({ lowers: [lower], upper: new core.MemoryUpper() });
      try {
        const first = await timed(() => ov.readdir(DIR, { withFileTypes: true }));
        verify('Vellum', n, first.result);
        const second = await timed(() => ov.readdir(DIR, { withFileTypes: true }));
        verify('Vellum', n, second.result);
        return { firstNs: first.ns, secondNs: second.ns };
      } finally {
        await ov.close();
      }
    },
    async dispose() {},
  };
}

// ---------------------------------------------------------------------------------------
// ZenFS

async function zenFixture(n: number): Promise<Fixture> {
  if (n > ZENFS_MAX) throw new Error(`skipped above ${ZENFS_MAX} files (a sample takes minutes)`);
  const lower = zenLayerIndexed(content(n), 'lower');
  return {
    async sample() {
      const upper = zenMemory('upper');
      const cow = await zenStack([lower.fs], upper.fs);
      await configure({ mounts: { '/': cow }, disableAccessChecks: true });
      try {
        const first = await timed(() => zenfs.promises.readdir(DIR, { withFileTypes: true }));
        verify('ZenFS', n, first.result);
        const second = await timed(() => zenfs.promises.readdir(DIR, { withFileTypes: true }));
        verify('ZenFS', n, second.result);
        return { firstNs: first.ns, secondNs: second.ns };
      } finally {
        await configure({ mounts: { '/': zenMemory('root').fs } });
      }
    },
    async dispose() {},
  };
}

// ---------------------------------------------------------------------------------------
// Kernel overlayfs

async function kernelFixture(n: number): Promise<Fixture> {
  const lower = kernelLower('vellum-readdir-types-', content(n));
  return {
    sample: () =>
      lower.withOverlay(async ({ merged }) => {
        const first = await timed(() => nodeFs.readdirSync(join(merged, DIR), { withFileTypes: true }));
        verify('kernel', n, first.result);
        const second = await timed(() => nodeFs.readdirSync(join(merged, DIR), { withFileTypes: true }));
        verify('kernel', n, second.result);
        return { firstNs: first.ns, secondNs: second.ns };
      }),
    async dispose() {
      lower.dispose();
    },
  };
}

// ---------------------------------------------------------------------------------------
// Sampling

function measure(state: State, n: number): Promise<Measurement> {
  let pending = state.memo.get(n);
  if (pending) return pending;
  pending = (async () => {
    const { sides, built } = await sampleSides(
      { vellum: () => vellumFixture(state, n), zenfs: () => zenFixture(n), kernel: () => kernelFixture(n) },
      { samples: samplesFor(n), warmUp: n === SIZES[0], kernelSkip: state.kernelSkip },
      (got): SideResult => ({
        first: toTiming(got.map((x) => x.firstNs)),
        second: toTiming(got.map((x) => x.secondNs)),
      }),
    );
    state.log(`N = ${n}: lowers built in ${built}`);
    return { n, sides };
  })();
  state.memo.set(n, pending);
  return pending;
}

type Figure = 'first' | 'second';

function pick(state: State, n: number, side: SideName, figure: Figure): Promise<Measured> {
  return measure(state, n).then((m) => {
    const r = unwrap(m.sides[side]);
    const t = r[figure];
    return { value: t.nsPerOp, timing: t };
  });
}

const thousands = new Intl.NumberFormat('en-US');

const PEER_TEXT: Record<'zenfs' | 'kernel', Record<Figure, string>> = {
  zenfs: {
    first: 'peer: ZenFS CopyOnWrite, `fs.promises.readdir(withFileTypes)`',
    second: 'peer: ZenFS CopyOnWrite, `fs.promises.readdir(withFileTypes)`',
  },
  kernel: {
    first: 'peer: kernel overlayfs, `fs.readdirSync(withFileTypes)` on the mount',
    second: 'peer: kernel overlayfs, `fs.readdirSync(withFileTypes)` on the mount',
  },
};

function cases(state: State): readonly Case<State>[] {
  const rows: Case<State>[] = [];
  for (const figure of ['first', 'second'] as const) {
    for (const peer of ['zenfs', 'kernel'] as const) {
      for (const n of SIZES) {
        const skip =
          peer === 'kernel' && state.kernelSkip !== null
            ? state.kernelSkip
            : peer === 'zenfs' && n > ZENFS_MAX
              ? `ZenFS capped at ${thousands.format(ZENFS_MAX)} files`
              : null;
        const what = `\`readdir('${DIR}', { withFileTypes: true })\` of a lower dir of ${thousands.format(n)} files, ${figure} call (fresh overlay, median of ${samplesFor(n)})`;
        rows.push({
          id: `${figure}-${n}-${peer}`,
          figure: `${what} · ${PEER_TEXT[peer][figure]}${skip === null ? '' : ` (skipped: ${skip})`}`,
          unit: 'ns/op',
          vellum: (s) => pick(s, n, 'vellum', figure),
          ...(skip === null ? { peer: (s: State) => pick(s, n, peer, figure) } : {}),
        });
      }
    }
  }
  return rows;
}

export const readdirTypesSuite: Suite<State> = {
  name: 'readdir-types',
  title: '`readdir` with file types of a big lower directory, first and second call',
  description:
    `A lower holding \`${DIR}\` with N files of ${FILE_BYTES} B directly in it (N = 1,000 / 10,000 / 100,000) and a sibling \`${KEEP}\`. ` +
    `Each sample is a fresh overlay with an empty upper: GC, the timed \`readdir('${DIR}', { withFileTypes: true })\`, checked (N files), then GC and the same call again. ` +
    'Vellum: `Overlay` over a `MemoryLayer`, `MemoryUpper`. Peers: ZenFS 2.7.6 `CopyOnWrite` (readable: InMemory holding the same files, writable: empty InMemory) through its VFS ' +
    `(up to ${thousands.format(ZENFS_MAX)} files), and the Linux kernel: \`mount -t overlay\`, lower on tmpfs, upper/work on a fresh tmpfs per sample, \`fs.readdirSync\`. ` +
    'Sides sampled in rotating order after one discarded round; medians reported.',
  async setup(ctx) {
    const kernelSkip = kernelProbe();
    if (kernelSkip !== null) ctx.log(`kernel overlayfs skipped: ${kernelSkip}`);
    return {
      core: await settle(loadVellum),
      kernelSkip,
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
      memo: new Map(),
      log: ctx.log,
    };
  },
  cases,
  notes(state, _rows, ctx: SuiteContext) {
    if (!state.gcExposed)
      ctx.note('GC was not exposed (run with `--expose-gc`): timed calls were not preceded by a collection.');
    if (state.kernelSkip !== null) ctx.note(`Kernel overlayfs cells skipped: ${state.kernelSkip}.`);
    ctx.note(
      `ZenFS is measured up to ${thousands.format(ZENFS_MAX)} files: it lists a CopyOnWrite directory name by name and stats each name for its type.`,
    );
  },
};
