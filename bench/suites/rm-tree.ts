/**
 * What `rm -r` of a big lower directory costs, as of a `node_modules` from a package lower: a
 * fresh overlay over a lower holding /big with N files (1,000 / 10,000 / 100,000) in
 * subdirectories of 100 and a sibling /keep.txt, one warm-up write at the root, then the timed
 * `rm('/big', { recursive: true })`, and what the upper stores afterwards.
 *
 * Three sides, sampled in rotating order within each round: Vellum, ZenFS `CopyOnWrite` over
 * `InMemory` (the harness's peer column; its N is capped, see ZENFS_MAX) and the kernel's
 * overlayfs on tmpfs (rows of its own). Every sample checks that /big is gone and /keep.txt
 * still reads back before its time counts.
 */
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { configure, fs as zenfs } from '@zenfs/core';
import type { Case, Measured, Suite, SuiteContext } from '../lib/harness.js';
import { countEntries, kernelLower, kernelProbe } from '../lib/kernel-overlay.js';
import {
  median,
  type Fixture as SideFixture,
  type SideName,
  sampleSides,
  timed,
  toTiming,
} from '../lib/sides.js';
import type { LayerContent } from '../lib/stack.js';
import type { Timing } from '../lib/timing.js';
import { loadVellum, type Settled, settle, unwrap, type VellumCore } from '../lib/vellum.js';
import { zenLayerIndexed, zenMemory, zenStack } from '../lib/zenfs.js';

const SIZES = [1_000, 10_000, 100_000] as const;
/**
 * ZenFS's recursive rm goes name by name through CopyOnWrite: 10,000 files took 6.9 s a sample
 * (first run of this suite), ten times the 1,000-file figure, so 100,000 would take over a minute
 * a sample; they are left out (the rows say so).
 */
const ZENFS_MAX = 10_000;
/** Fresh overlays per side and size (odd: the median is a sample); fewer from 10,000 files on. */
const samplesFor = (n: number): number => (n >= 10_000 ? 5 : 7);
const DIR = '/big';
const KEEP = '/keep.txt';
const PER_DIR = 100;
const FILE_BYTES = 16;
const KEEP_DATA = new TextEncoder().encode('a sibling that stays\n');
const WARM_DATA = new TextEncoder().encode('warm\n');

/** One fresh overlay's figures. */
interface Sample {
  readonly rmNs: number;
  /** What the upper holds afterwards: Vellum records, ZenFS keys, kernel upperdir entries. */
  readonly stored: number;
  readonly storedDetail: string;
}

interface SideResult {
  readonly rm: Timing;
  readonly stored: number;
  readonly storedDetail: string;
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

/** /big/p<k>/f<i>, 100 files a directory, and /keep.txt. */
function content(n: number): LayerContent {
  const dirs = [DIR];
  for (let k = 0; k < Math.ceil(n / PER_DIR); k++) dirs.push(`${DIR}/p${k}`);
  const files = Array.from({ length: n }, (_, i) => ({
    path: `${DIR}/p${Math.floor(i / PER_DIR)}/f${i}`,
    data: fileData(i),
  }));
  files.push({ path: KEEP, data: KEEP_DATA });
  return { dirs, files };
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);

/** The checks every side passes before its sample counts. */
function verify(side: string, gone: boolean, keep: Uint8Array): void {
  if (!gone) throw new Error(`${side}: ${DIR} still exists after rm -r`);
  if (!sameBytes(keep, KEEP_DATA)) throw new Error(`${side}: ${KEEP} reads back wrong`);
}

const missing = async (fn: () => Promise<unknown> | unknown): Promise<boolean> => {
  try {
    await fn();
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'ENOENT';
  }
};

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
      const upper = new core.MemoryUpper();
      const ov = await core.Overlay.create({ lowers: [lower], upper });
      try {
        await ov.writeFile('/warm.txt', WARM_DATA); // the root's copy-up, out of the timing
        const rm = await timed(() => ov.rm(DIR, { recursive: true }));
        verify('Vellum', await missing(() => ov.lstat(DIR)), await ov.readFile(KEEP));
        const usage = await upper.usage();
        const snap = await upper.load();
        const inodes = [...snap.inodes].length;
        const dirents = [...snap.dirents];
        const whiteouts = dirents.filter((d) => d.ino === null).length;
        return {
          rmNs: rm.ns,
          stored: usage.entries,
          storedDetail: `${inodes} inode records, ${dirents.length} dirents (${whiteouts} whiteout)`,
        };
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
        await zenfs.promises.writeFile('/warm.txt', WARM_DATA);
        const rm = await timed(() => zenfs.promises.rm(DIR, { recursive: true }));
        verify('ZenFS', await missing(() => zenfs.promises.lstat(DIR)), await zenfs.promises.readFile(KEEP));
        return { rmNs: rm.ns, stored: upper.store.size, storedDetail: 'writable InMemoryStore keys' };
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
  const lower = kernelLower('vellum-rmtree-', content(n));
  return {
    sample: () =>
      lower.withOverlay(async ({ merged, upper }) => {
        nodeFs.writeFileSync(join(merged, 'warm.txt'), WARM_DATA);
        const rm = await timed(() => nodeFs.rmSync(join(merged, DIR), { recursive: true }));
        verify(
          'kernel',
          await missing(() => nodeFs.lstatSync(join(merged, DIR))),
          nodeFs.readFileSync(join(merged, KEEP)),
        );
        const names = nodeFs.readdirSync(upper).sort();
        return { rmNs: rm.ns, stored: countEntries(upper), storedDetail: `upperdir: ${names.join(', ')}` };
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
        rm: toTiming(got.map((x) => x.rmNs)),
        stored: median(got.map((x) => x.stored)),
        storedDetail: [...new Set(got.map((x) => x.storedDetail))].join(' / '),
      }),
    );
    state.log(`N = ${n}: lowers built in ${built}`);
    return { n, sides };
  })();
  state.memo.set(n, pending);
  return pending;
}

type Figure = 'rm' | 'stored';

function pick(state: State, n: number, side: SideName, figure: Figure): Promise<Measured> {
  return measure(state, n).then((m) => {
    const r = unwrap(m.sides[side]);
    return figure === 'rm'
      ? { value: r.rm.nsPerOp, timing: r.rm }
      : { value: r.stored, detail: r.storedDetail };
  });
}

const thousands = new Intl.NumberFormat('en-US');

const PEER_TEXT: Record<'zenfs' | 'kernel', Record<Figure, string>> = {
  zenfs: {
    rm: 'peer: ZenFS CopyOnWrite, `fs.promises.rm(recursive)`',
    stored: 'peer: ZenFS, writable-store keys',
  },
  kernel: {
    rm: 'peer: kernel overlayfs, `fs.rmSync(recursive)` on the mount',
    stored: 'peer: kernel overlayfs, entries under upperdir',
  },
};

function cases(state: State): readonly Case<State>[] {
  const rows: Case<State>[] = [];
  for (const figure of ['rm', 'stored'] as const) {
    for (const peer of ['zenfs', 'kernel'] as const) {
      for (const n of SIZES) {
        const skip =
          peer === 'kernel' && state.kernelSkip !== null
            ? state.kernelSkip
            : peer === 'zenfs' && n > ZENFS_MAX
              ? `ZenFS capped at ${thousands.format(ZENFS_MAX)} files`
              : null;
        const what =
          figure === 'rm'
            ? `\`rm('${DIR}', { recursive: true })\` of a lower dir of ${thousands.format(n)} files (fresh overlay, median of ${samplesFor(n)})`
            : `what the upper stores after that rm, ${thousands.format(n)} files (Vellum: upper records)`;
        rows.push({
          id: `${figure}-${n}-${peer}`,
          figure: `${what} · ${PEER_TEXT[peer][figure]}${skip === null ? '' : ` (skipped: ${skip})`}`,
          unit: figure === 'rm' ? 'ns/op' : 'count',
          ...(figure === 'stored' ? { ratio: 'none' as const } : {}),
          vellum: (s) => pick(s, n, 'vellum', figure),
          ...(skip === null ? { peer: (s: State) => pick(s, n, peer, figure) } : {}),
        });
      }
    }
  }
  return rows;
}

export const rmTreeSuite: Suite<State> = {
  name: 'rm-tree',
  title: '`rm -r` of a big lower directory, and what the upper stores afterwards',
  description:
    `A lower holding \`${DIR}\` with N files of ${FILE_BYTES} B in subdirectories of ${PER_DIR} (N = 1,000 / 10,000 / 100,000) and a sibling \`${KEEP}\`. ` +
    'Each sample is a fresh overlay with an empty upper: one warm-up write at the root (its copy-up out of the timing), GC, then the timed ' +
    `\`rm('${DIR}', { recursive: true })\`, checked (the directory is gone, the sibling reads back). Vellum: \`Overlay\` over a \`MemoryLayer\`, ` +
    '`MemoryUpper`. Peers: ZenFS 2.7.6 `CopyOnWrite` (readable: InMemory holding the same files, writable: empty InMemory) through its VFS ' +
    `(up to ${thousands.format(ZENFS_MAX)} files), and the Linux kernel: \`mount -t overlay\`, lower on tmpfs, upper/work on a fresh tmpfs per sample, \`fs.rmSync\`. ` +
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
      `ZenFS is measured up to ${thousands.format(ZENFS_MAX)} files: its recursive rm goes name by name through CopyOnWrite, ` +
        'seconds a sample at 10,000 and growing linearly, so 100,000 would take over a minute a sample.',
    );
    ctx.note(
      'Stored counts are not like for like, so they get no ratio: Vellum = `MemoryUpper.usage().entries` (inode records + directory entries, ' +
        'whiteouts included; the detail splits them); ZenFS = keys of the writable `InMemoryStore`; kernel = entries under upperdir (recursive ' +
        '`readdirSync`, the work dir excluded). All include the warm-up file.',
    );
  },
};
