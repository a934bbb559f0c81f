/**
 * What the first change inside a big lower directory costs: a fresh overlay over a lower
 * holding /big with N files (1,000 / 10,000 / 100,000), one warm-up write at the root, then
 * the timed `writeFile('/big/new.txt')` — which copies /big up — and a `readdir('/big')` right
 * after, where a merged directory pays for listing both layers; then the diff against the lowers
 * (Vellum `changes()`; the kernel: what a diff of an overlay costs there, a walk of upperdir
 * classifying each entry; ZenFS has none).
 *
 * Three sides, sampled in rotating order within each round so load drift hits them alike:
 * Vellum, ZenFS `CopyOnWrite` over `InMemory` (the harness's peer column), and the Linux
 * kernel's overlayfs on tmpfs (its own rows, "peer: kernel overlayfs", as the harness has
 * one peer column). Every sample is checked (the new file reads back, /big lists N + 1 names)
 * before its times count.
 */
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { configure, fs as zenfs } from '@zenfs/core';
import type { Case, Measured, Suite, SuiteContext } from '../lib/harness.js';
import { countEntries, kernelLower, kernelProbe } from '../lib/kernel-overlay.js';
import {
  median,
  SIDES,
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
 * Fresh overlays per side and size; the median is reported (odd, so it is a sample). Fewer at
 * 100,000 names, where one ZenFS `readdir` takes ~10 s.
 */
const samplesFor = (n: number): number => (n >= 100_000 ? 5 : 7);
const DIR = '/big';
const NEW = 'new.txt';
const FILE_BYTES = 16;
const NEW_DATA = new TextEncoder().encode('the first new file\n');
const WARM_DATA = new TextEncoder().encode('warm\n');

/** One fresh overlay's figures. */
interface Sample {
  readonly createNs: number;
  readonly readdirNs: number;
  /** The diff after the listing (ZenFS: none, 0). */
  readonly changesNs: number;
  /** Vellum: wasm index nodes; ZenFS: store keys set; kernel: inodes under upperdir. */
  readonly added: number;
  readonly addedDetail: string;
}

interface SideResult {
  readonly create: Timing;
  readonly readdir: Timing;
  readonly changes: Timing;
  /** Median over samples (they agree unless something differs between fresh overlays). */
  readonly added: number;
  readonly addedDetail: string;
  /** Building the lower once for this size, ms. */
  readonly buildMs: number;
}

type Fixture = SideFixture<Sample>;

interface Measurement {
  readonly n: number;
  readonly sides: Readonly<Record<SideName, Settled<SideResult>>>;
}

type IndexHold = Awaited<
  ReturnType<typeof import('../../packages/core/src/entry-store.js')['holdSharedIndex']>
>;

interface State {
  readonly core: Settled<VellumCore>;
  /** A hold on the realm's wasm index, whose `nodeCount` the Vellum side reads. */
  readonly index: Settled<IndexHold>;
  /** Why the kernel side cannot run here, or null when it can. */
  readonly kernelSkip: string | null;
  readonly gcExposed: boolean;
  readonly memo: Map<number, Promise<Measurement>>;
  readonly done: Map<number, Measurement>;
  readonly log: (message: string) => void;
}

const fileName = (i: number): string => `f${i}`;

/** Distinct bytes per file so a read that hits the wrong file is caught. */
function fileData(i: number): Uint8Array {
  const data = new Uint8Array(FILE_BYTES);
  for (let k = 0; k < FILE_BYTES; k++) data[k] = (i * 31 + k) & 0xff;
  return data;
}

function content(n: number): LayerContent {
  return {
    dirs: [DIR],
    files: Array.from({ length: n }, (_, i) => ({ path: `${DIR}/${fileName(i)}`, data: fileData(i) })),
  };
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);

/** The checks every side passes before its sample counts. */
function verify(
  side: string,
  n: number,
  names: readonly string[],
  newData: Uint8Array,
  last: Uint8Array,
): void {
  if (names.length !== n + 1)
    throw new Error(`${side}: ${DIR} lists ${names.length} names, expected ${n + 1}`);
  if (!names.includes(NEW)) throw new Error(`${side}: ${DIR} does not list ${NEW}`);
  if (!sameBytes(newData, NEW_DATA)) throw new Error(`${side}: ${NEW} reads back wrong`);
  if (!sameBytes(last, fileData(n - 1))) throw new Error(`${side}: a lower file reads back wrong`);
}

/** What both diffs must report: the warm-up file and the new one, both added. */
function verifyChanges(side: string, changes: readonly { path: string; change: string }[]): void {
  const got = changes.map((c) => `${c.change} ${c.path}`).join(', ');
  const want = `added ${DIR}/${NEW}, added /warm.txt`;
  if (got !== want) throw new Error(`${side}: changes() gave [${got}], expected [${want}]`);
}

// ---------------------------------------------------------------------------------------
// Vellum

async function vellumFixture(state: State, n: number): Promise<Fixture> {
  const core = unwrap(state.core);
  const index = unwrap(state.index).index;
  const lower = core.MemoryLayer.fromEntries([
    { path: DIR, kind: 'dir' as const },
    ...content(n).files.map((f) => ({ path: f.path, kind: 'file' as const, data: f.data })),
  ]);
  return {
    async sample() {
      const empty = index.nodeCount;
      const ov = await core.Overlay.create({ lowers: [lower], upper: new core.MemoryUpper() });
      try {
        // The overlay builds its lower index in the realm's index: if it did not grow, the
        // hold is on another instance and the node count below would mean nothing.
        if (index.nodeCount <= empty) throw new Error('the overlay is not in the held wasm index');
        await ov.writeFile('/warm.txt', WARM_DATA); // the root's copy-up, out of the count
        const before = index.nodeCount;
        const create = await timed(() => ov.writeFile(`${DIR}/${NEW}`, NEW_DATA));
        const added = index.nodeCount - before;
        const list = await timed(() => ov.readdir(DIR));
        const diff = await timed(() => ov.changes());
        verify(
          'Vellum',
          n,
          list.result,
          await ov.readFile(`${DIR}/${NEW}`),
          await ov.readFile(`${DIR}/${fileName(n - 1)}`),
        );
        verifyChanges('Vellum', diff.result);
        return {
          createNs: create.ns,
          readdirNs: list.ns,
          changesNs: diff.ns,
          added,
          addedDetail: 'NamespaceIndex nodeCount',
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
  const lower = zenLayerIndexed(content(n), 'lower');
  return {
    async sample() {
      const upper = zenMemory('upper');
      const cow = await zenStack([lower.fs], upper.fs);
      await configure({ mounts: { '/': cow }, disableAccessChecks: true });
      try {
        await zenfs.promises.writeFile('/warm.txt', WARM_DATA);
        // Count every key the create writes (a rewrite of an existing key included).
        let writes = 0;
        const set = upper.store.set.bind(upper.store);
        upper.store.set = (key, value) => {
          writes++;
          return set(key, value);
        };
        const keysBefore = upper.store.size;
        const create = await timed(() => zenfs.promises.writeFile(`${DIR}/${NEW}`, NEW_DATA));
        const added = writes;
        const newKeys = upper.store.size - keysBefore;
        const list = await timed(() => zenfs.promises.readdir(DIR));
        verify(
          'ZenFS',
          n,
          list.result,
          await zenfs.promises.readFile(`${DIR}/${NEW}`),
          await zenfs.promises.readFile(`${DIR}/${fileName(n - 1)}`),
        );
        return {
          createNs: create.ns,
          readdirNs: list.ns,
          changesNs: 0,
          added,
          addedDetail: `${newKeys} new keys`,
        };
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
  const lower = kernelLower('vellum-dircopy-', content(n));
  return {
    sample: () =>
      lower.withOverlay(async ({ merged, upper, lower: lowerFs }) => {
        nodeFs.writeFileSync(join(merged, 'warm.txt'), WARM_DATA);
        const before = countEntries(upper);
        const target = join(merged, 'big', NEW);
        const create = await timed(() => nodeFs.writeFileSync(target, NEW_DATA));
        const added = countEntries(upper) - before;
        const upperBig = nodeFs.readdirSync(join(upper, 'big')).length;
        const list = await timed(() => nodeFs.readdirSync(join(merged, 'big')));
        const diff = await timed(() => kernelDiff(upper, lowerFs));
        verifyChanges('kernel', diff.result);
        verify(
          'kernel',
          n,
          list.result,
          nodeFs.readFileSync(target),
          nodeFs.readFileSync(join(merged, 'big', fileName(n - 1))),
        );
        return {
          createNs: create.ns,
          readdirNs: list.ns,
          changesNs: diff.ns,
          added,
          addedDetail: `upperdir/big holds ${upperBig} name${upperBig === 1 ? '' : 's'}`,
        };
      }),
    async dispose() {
      lower.dispose();
    },
  };
}

/**
 * A diff of an overlay on the kernel: upperdir listed recursively, each entry classified — a
 * character device 0/0 is a whiteout (deleted), a name the lower has too is modified (a directory
 * there is a copy-up, not a change of its own: opaque and redirect xattrs are not read, Node has
 * no xattr call), any other added — sorted by path like `changes()`.
 */
function kernelDiff(upper: string, lower: string): { path: string; change: string }[] {
  const out: { path: string; change: string }[] = [];
  for (const entry of nodeFs.readdirSync(upper, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    const path = `/${full.slice(upper.length + 1)}`;
    if (entry.isCharacterDevice()) {
      if (nodeFs.lstatSync(full).rdev === 0) out.push({ path, change: 'deleted' });
      continue;
    }
    const below = nodeFs.lstatSync(join(lower, path), { throwIfNoEntry: false });
    if (entry.isDirectory()) {
      if (below === undefined) out.push({ path, change: 'added' });
      continue;
    }
    out.push({ path, change: below === undefined ? 'added' : 'modified' });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// ---------------------------------------------------------------------------------------
// Sampling

/** All three sides for one size, samples interleaved; one fixture size alive at a time. */
function measure(state: State, n: number): Promise<Measurement> {
  let pending = state.memo.get(n);
  if (pending) return pending;
  pending = (async () => {
    const { sides, built } = await sampleSides(
      { vellum: () => vellumFixture(state, n), zenfs: () => zenFixture(n), kernel: () => kernelFixture(n) },
      { samples: samplesFor(n), warmUp: n === SIZES[0], kernelSkip: state.kernelSkip },
      (got, buildMs): SideResult => ({
        create: toTiming(got.map((x) => x.createNs)),
        readdir: toTiming(got.map((x) => x.readdirNs)),
        changes: toTiming(got.map((x) => x.changesNs)),
        added: median(got.map((x) => x.added)),
        addedDetail: [...new Set(got.map((x) => x.addedDetail))].join(' / '),
        buildMs,
      }),
    );
    state.log(`N = ${n}: lowers built in ${built}`);
    const measurement: Measurement = { n, sides };
    state.done.set(n, measurement);
    return measurement;
  })();
  state.memo.set(n, pending);
  return pending;
}

type Figure = 'create' | 'readdir' | 'added' | 'changes';

function pick(state: State, n: number, side: SideName, figure: Figure): Promise<Measured> {
  return measure(state, n).then((m) => {
    const r = unwrap(m.sides[side]);
    switch (figure) {
      case 'create':
        return { value: r.create.nsPerOp, timing: r.create };
      case 'readdir':
        return { value: r.readdir.nsPerOp, timing: r.readdir };
      case 'changes':
        return { value: r.changes.nsPerOp, timing: r.changes };
      case 'added':
        return { value: r.added, detail: r.addedDetail };
    }
  });
}

const thousands = new Intl.NumberFormat('en-US');

const FIGURES: readonly {
  readonly figure: Figure;
  /** The row's text for `n` names and `samples` samples. */
  readonly text: (n: string, samples: number) => string;
  readonly unit: 'ns/op' | 'count';
}[] = [
  {
    figure: 'create',
    text: (n, samples) =>
      `first file created in a lower dir of ${n} files (\`writeFile('${DIR}/${NEW}')\`, fresh overlay, median of ${samples})`,
    unit: 'ns/op',
  },
  {
    figure: 'added',
    text: (n) => `what that create added, ${n} files (Vellum: wasm index nodes)`,
    unit: 'count',
  },
  {
    figure: 'readdir',
    text: (n, samples) => `\`readdir('${DIR}')\` right after (${n} + 1 names, median of ${samples})`,
    unit: 'ns/op',
  },
  {
    figure: 'changes',
    text: (n, samples) =>
      `diff against the lowers after that one write, lower dir of ${n} files (\`ov.changes()\`, median of ${samples})`,
    unit: 'ns/op',
  },
];

const PEER_TEXT: Record<'zenfs' | 'kernel', Record<Figure, string>> = {
  zenfs: {
    create: 'peer: ZenFS CopyOnWrite, `fs.promises.writeFile`',
    added: 'peer: ZenFS, writable-store keys set',
    readdir: 'peer: ZenFS CopyOnWrite, `fs.promises.readdir`',
    changes: 'peer: ZenFS CopyOnWrite has no diff (no cell)',
  },
  kernel: {
    create: 'peer: kernel overlayfs, `fs.writeFileSync` on the mount',
    added: 'peer: kernel overlayfs, entries added under upperdir',
    readdir: 'peer: kernel overlayfs, `fs.readdirSync` on the mount',
    changes:
      'peer: kernel overlayfs, upperdir listed recursively (`readdirSync` withFileTypes) and classified (whiteouts 0/0, `lstat` of the lower)',
  },
};

function cases(state: State): readonly Case<State>[] {
  const rows: Case<State>[] = [];
  for (const { figure, text, unit } of FIGURES) {
    for (const peer of ['zenfs', 'kernel'] as const) {
      for (const n of SIZES) {
        const skipped = peer === 'kernel' && state.kernelSkip !== null;
        // ZenFS has no diff to time: its cell stays empty.
        const none = peer === 'zenfs' && figure === 'changes';
        rows.push({
          id: `${figure}-${n}-${peer}`,
          figure: `${text(thousands.format(n), samplesFor(n))} · ${PEER_TEXT[peer][figure]}${skipped ? ` (skipped: ${state.kernelSkip})` : ''}`,
          unit,
          // Counts are different things on each side (nodes, keys, inodes): no ratio.
          ...(figure === 'added' ? { ratio: 'none' as const } : {}),
          vellum: (s) => pick(s, n, 'vellum', figure),
          ...(skipped || none ? {} : { peer: (s: State) => pick(s, n, peer, figure) }),
        });
      }
    }
  }
  return rows;
}

function scalingNote(state: State, ctx: SuiteContext): void {
  const first = state.done.get(SIZES[0]);
  const last = state.done.get(SIZES[SIZES.length - 1]);
  if (!first || !last) return;
  const parts: string[] = [];
  for (const side of SIDES) {
    const a = first.sides[side];
    const b = last.sides[side];
    if (!a.ok || !b.ok) continue;
    const create = b.value.create.nsPerOp / a.value.create.nsPerOp;
    const list = b.value.readdir.nsPerOp / a.value.readdir.nsPerOp;
    const diff = b.value.changes.nsPerOp / a.value.changes.nsPerOp;
    parts.push(
      `${side} create ×${create.toFixed(1)}, readdir ×${list.toFixed(0)}${side === 'zenfs' ? '' : `, changes ×${diff.toFixed(1)}`}`,
    );
  }
  ctx.note(
    `Growth from ${thousands.format(SIZES[0])} to ${thousands.format(SIZES[SIZES.length - 1])} names (×100): ${parts.join('; ')}.`,
  );
}

export const dirCopyUpSuite: Suite<State> = {
  name: 'dir-copy-up',
  title: 'First change inside a big lower directory: the directory copy-up, and the listing after it',
  description:
    `A lower holding \`${DIR}\` with N files of ${FILE_BYTES} B (N = 1,000 / 10,000 / 100,000). Each sample is a fresh overlay with an empty upper: ` +
    'one warm-up write at the root (its copy-up out of the count), GC, then the timed creation of the first new file in the lower directory ' +
    `(\`${DIR}/${NEW}\`, which copies \`${DIR}\` up), then GC and a timed \`readdir\` of that directory, then GC and a timed diff against the lowers (\`changes()\`). Vellum: \`Overlay\` over a \`MemoryLayer\`, ` +
    '`MemoryUpper`. Peers: ZenFS 2.7.6 `CopyOnWrite` (readable: InMemory holding the same files, writable: empty InMemory) through its VFS, and ' +
    'the Linux kernel: `mount -t overlay` with the lower on tmpfs and upper/work on a fresh tmpfs per sample, called from Node with `fs.*Sync`. ' +
    `The three sides are sampled in rotating order, ${samplesFor(SIZES[0])} samples each (${samplesFor(100_000)} at 100,000 names), after one discarded round; medians reported.`,
  async setup(ctx) {
    const kernelSkip = kernelProbe();
    if (kernelSkip !== null) ctx.log(`kernel overlayfs skipped: ${kernelSkip}`);
    return {
      core: await settle(loadVellum),
      index: await settle(async () =>
        (await import('../../packages/core/src/entry-store.js')).holdSharedIndex(),
      ),
      kernelSkip,
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
      memo: new Map(),
      done: new Map(),
      log: ctx.log,
    };
  },
  cases,
  notes(state, _rows, ctx) {
    if (!state.gcExposed)
      ctx.note('GC was not exposed (run with `--expose-gc`): timed calls were not preceded by a collection.');
    if (state.kernelSkip !== null) ctx.note(`Kernel overlayfs cells skipped: ${state.kernelSkip}.`);
    ctx.note(
      'Every sample checks its side before its times count: the new file reads back, a lower file reads back, and the directory lists N + 1 names including the new one.',
    );
    ctx.note(
      "Counts are not like for like, so they get no ratio: Vellum = growth of the realm's wasm `NamespaceIndex.nodeCount` (held through `holdSharedIndex`); " +
        "ZenFS = `set` calls on the writable `InMemoryStore` (inode records, listings, data; a rewrite counts), with the store's new keys in brackets; " +
        'kernel = entries added under upperdir (recursive `readdirSync`), with how many names the upper copy of the directory holds.',
    );
    ctx.note(
      'The ZenFS lower is built with `StoreFS.loadIndexSync` (every record and listing written once), not file by file: ZenFS re-encodes a ' +
        "directory's whole listing on each create, and 10,000 files in one directory took 52 s to build that way. The VFS is remounted per sample " +
        '(`configure`), outside the timing. Kernel calls are synchronous `node:fs` calls; the Vellum and ZenFS ones are awaited promises.',
    );
    ctx.note(
      "ZenFS's `fs.promises.readdir` stats every name it lists (dist/vfs/async.js builds a Dirent per entry from `fs.stat`); through " +
        'CopyOnWrite each stat asks the writable first, which throws ENOENT for a lower name, then the readable. That per-name stat, ' +
        'not the merge of the two listings, is most of its listing time: at 10,000 names, measured once by hand, `CopyOnWriteFS.readdir` took ' +
        '11–21 ms, the VFS call 400–520 ms, and a `stat` of each name through CopyOnWrite 285–293 ms.',
    );
    ctx.note(
      'The diff rows: Vellum `ov.changes()`; the kernel has no diff call, so its cell is what one costs there — upperdir listed recursively ' +
        '(`readdirSync` with `withFileTypes`), a character device checked for rdev 0/0 (a whiteout), every other entry `lstat`ed in the lower ' +
        'to tell added from modified (opaque and redirect xattrs are not read: Node has no xattr call). Both must report exactly the two files ' +
        'added (/warm.txt and the new one) before the time counts. ZenFS has no diff: its cell is empty.',
    );
    scalingNote(state, ctx);
  },
  async teardown(state) {
    if (state.index.ok) state.index.value.release();
  },
};
