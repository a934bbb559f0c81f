/**
 * The persistent upper in Chromium: Vellum's IndexedDBUpper (strict, and
 * write-back with one `sync()`) against one-transaction-per-file designs —
 * @zenfs/dom `IndexedDB` under ZenFS `CopyOnWrite`, @isomorphic-git/lightning-fs,
 * and a bare `put` per transaction (idb-keyval's `set`) as the floor — writing
 * 1,000 files of 1 KiB and reading them back; and the bytes a 1-byte write into
 * a 16 MiB lower file puts into IndexedDB (Vellum vs ZenFS `CopyOnWrite`).
 * Measured in the page (bench/browser/idb.ts), sides interleaved round by round.
 */
import type { OneByteResult, SmallFilesResult, SmallFilesSide } from '../browser/idb.js';
import { type ChromiumPage, openChromiumPage } from '../lib/browser.js';
import type { Case, Measured, Suite } from '../lib/harness.js';

const FILES = 1000;
const SIZE = 1024;
const ROUNDS = Number(process.env.VELLUM_IDB_ROUNDS ?? 5);
const SIDES: readonly SmallFilesSide[] = [
  'vellum-strict',
  'vellum-writeback',
  'vellum-opfs',
  'vellum-mirrored',
  'zenfs-cow',
  'lightning-fs',
  'idb-put',
];

const LABEL: Record<SmallFilesSide, string> = {
  'vellum-strict': 'Vellum strict',
  'vellum-writeback': 'Vellum write-back + one sync()',
  'vellum-opfs': 'Vellum OPFS upper (worker)',
  'vellum-mirrored': 'Vellum mirrored: IndexedDB + OPFS mirror (worker)',
  'zenfs-cow': '@zenfs/dom IndexedDB under CopyOnWrite',
  'lightning-fs': 'lightning-fs',
  'idb-put': 'one put per transaction (idb-keyval set)',
};

interface State {
  readonly page: ChromiumPage;
  rounds?: Record<string, SmallFilesResult[]>;
  oneByte?: { vellum: OneByteResult; zen: OneByteResult };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const range = (xs: readonly number[]): string =>
  `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

async function rounds(s: State): Promise<Record<string, SmallFilesResult[]>> {
  s.rounds ??= await s.page.call<Record<string, SmallFilesResult[]>>(
    'smallFilesRounds',
    SIDES,
    ROUNDS,
    FILES,
    SIZE,
  );
  return s.rounds;
}

function results(all: Record<string, SmallFilesResult[]>, side: SmallFilesSide): SmallFilesResult[] {
  const r = all[side];
  if (r === undefined || r.length === 0) throw new Error(`${side} was not measured`);
  return r;
}

/** A side's median of `field` over the rounds, with the per-round ratio range against `versus`. */
function figure(
  all: Record<string, SmallFilesResult[]>,
  side: SmallFilesSide,
  field: 'writeMs' | 'readMs' | 'closeMs' | 'reopenReadMs',
  versus?: SmallFilesSide,
): Measured {
  const mine = results(all, side).map((r) => r[field]);
  let detail = `median of ${mine.length} interleaved rounds (${range(mine)} ms)`;
  if (versus !== undefined) {
    const theirs = results(all, versus).map((r) => r[field]);
    detail += `; per-round ${versus}/${side} ${range(theirs.map((t, i) => t / (mine[i] as number)))}`;
  }
  return { value: median(mine), detail };
}

/** Median of the per-round ratios peer ÷ side (the figure a target is checked on). */
function roundRatio(
  all: Record<string, SmallFilesResult[]>,
  side: SmallFilesSide,
  peer: SmallFilesSide,
): Measured {
  const mine = results(all, side).map((r) => r.writeMs);
  const ratios = results(all, peer).map((r, i) => r.writeMs / (mine[i] as number));
  return { value: median(ratios), detail: `per-round ${range(ratios)}` };
}

async function oneByte(s: State): Promise<{ vellum: OneByteResult; zen: OneByteResult }> {
  s.oneByte ??= {
    vellum: await s.page.call<OneByteResult>('oneByte', 'vellum'),
    zen: await s.page.call<OneByteResult>('oneByte', 'zenfs-cow'),
  };
  return s.oneByte;
}

function writeRow(side: SmallFilesSide, peer: SmallFilesSide, id?: string): Case<State> {
  return {
    id,
    figure: `write ${FILES.toLocaleString('en')} files of 1 KiB, one \`await\` each: ${LABEL[side]} · peer: ${LABEL[peer]}`,
    unit: 'ms',
    vellum: async (s) => figure(await rounds(s), side, 'writeMs', peer),
    peer: async (s) => figure(await rounds(s), peer, 'writeMs'),
  };
}

export const idbChromiumSuite: Suite<State> = {
  name: 'idb-chromium',
  title: 'The IndexedDB upper in Chromium (@vellum/core/idb) vs one-transaction-per-file file systems',
  description:
    `Headless Chromium (page served by Vite; bench/browser/idb.ts). Each round writes ${FILES.toLocaleString('en')} files of 1 KiB into \`/d\` one \`await\` at a time on a fresh database, then reads them back one at a time on the same instance, for every side in a rotating order (${ROUNDS} rounds; figures are medians, details give per-round ratios). ` +
    'Vellum strict: `new IndexedDBUpper({ name })`, each `writeFile` resolves after its transaction committed (durability `strict`, one journal record per operation). Vellum write-back: `writeBack: true`, then one `ov.sync()` (included in the time). ' +
    'ZenFS: `CopyOnWrite.create({ readable: InMemory, writable: await IndexedDB.create({ storeName }) })` mounted in ZenFS’s VFS, `fs.promises.writeFile`/`readFile`. lightning-fs: `new FS(name, { wipe: true })`, `fs.promises.writeFile`/`readFile`. Floor: one `put` per read-write transaction (what idb-keyval `set` does), raw IndexedDB. ' +
    'Vellum OPFS: `new OpfsUpper({ name })` in a dedicated worker (FileSystemSyncAccessHandle), each `writeFile` resolves after its journal record is flushed; Vellum mirrored: `new MirroredUpper(new IndexedDBUpper({ name }), new OpfsUpper({ name }))` in a worker, each `writeFile` resolves once both hold it. Their reads, `close()` and reopen are timed in the worker. ' +
    'Requests and bytes handed to IndexedDB are counted by wrapping `IDBObjectStore.prototype.put`/`add` in the page.',
  async setup(ctx) {
    const page = await openChromiumPage('idb.ts', { optimize: ['@isomorphic-git/lightning-fs'] });
    ctx.log(`${page.userAgent.match(/Chrome\/[\d.]+/)?.[0]}; ${ROUNDS} rounds × ${SIDES.length} sides`);
    return { page };
  },
  cases: () => [
    writeRow('vellum-strict', 'lightning-fs', 'strict-lfs'),
    writeRow('vellum-strict', 'zenfs-cow', 'strict-zen'),
    writeRow('vellum-strict', 'idb-put', 'strict-floor'),
    writeRow('vellum-opfs', 'lightning-fs', 'opfs-lfs'),
    writeRow('vellum-opfs', 'vellum-strict', 'opfs-strict'),
    writeRow('vellum-mirrored', 'vellum-strict', 'mirror-strict'),
    {
      id: 'ratio-opfs-strict',
      figure: 'Vellum IndexedDB strict ÷ Vellum OPFS write time: median of per-round ratios',
      unit: 'x',
      ratio: 'none',
      vellum: async (s) => roundRatio(await rounds(s), 'vellum-opfs', 'vellum-strict'),
    },
    {
      id: 'ratio-mirror-cost',
      figure:
        'the mirror’s cost: Vellum strict ÷ Vellum mirrored write time (below 1×: the mirror is slower by that factor)',
      unit: 'x',
      ratio: 'none',
      vellum: async (s) => roundRatio(await rounds(s), 'vellum-mirrored', 'vellum-strict'),
    },
    {
      figure:
        'reopen the workspace and read the 1,000 files back: Vellum OPFS · peer: Vellum IndexedDB strict',
      unit: 'ms',
      vellum: async (s) => figure(await rounds(s), 'vellum-opfs', 'reopenReadMs', 'vellum-strict'),
      peer: async (s) => figure(await rounds(s), 'vellum-strict', 'reopenReadMs'),
    },
    {
      figure:
        'reopen the workspace and read the 1,000 files back: Vellum mirrored · peer: Vellum IndexedDB strict',
      unit: 'ms',
      vellum: async (s) => figure(await rounds(s), 'vellum-mirrored', 'reopenReadMs', 'vellum-strict'),
      peer: async (s) => figure(await rounds(s), 'vellum-strict', 'reopenReadMs'),
    },
    writeRow('vellum-writeback', 'lightning-fs', 'wb-lfs'),
    writeRow('vellum-writeback', 'zenfs-cow', 'wb-zen'),
    {
      id: 'ratio-strict',
      figure: 'lightning-fs ÷ Vellum strict write time: median of per-round ratios (target ≥ 1×)',
      unit: 'x',
      ratio: 'none',
      vellum: async (s) => roundRatio(await rounds(s), 'vellum-strict', 'lightning-fs'),
    },
    {
      id: 'ratio-strict-zen',
      figure: 'ZenFS ÷ Vellum strict write time: median of per-round ratios (target ≥ 1×)',
      unit: 'x',
      ratio: 'none',
      vellum: async (s) => roundRatio(await rounds(s), 'vellum-strict', 'zenfs-cow'),
    },
    {
      id: 'ratio-wb',
      figure:
        'lightning-fs ÷ Vellum write-back (+ sync) write time: median of per-round ratios (target ≥ 10×)',
      unit: 'x',
      ratio: 'none',
      vellum: async (s) => roundRatio(await rounds(s), 'vellum-writeback', 'lightning-fs'),
    },
    {
      id: 'ratio-wb-zen',
      figure: 'ZenFS ÷ Vellum write-back (+ sync) write time: median of per-round ratios (target ≥ 10×)',
      unit: 'x',
      ratio: 'none',
      vellum: async (s) => roundRatio(await rounds(s), 'vellum-writeback', 'zenfs-cow'),
    },
    {
      figure: 'read the 1,000 files back (same instance): Vellum strict · peer: lightning-fs',
      unit: 'ms',
      vellum: async (s) => figure(await rounds(s), 'vellum-strict', 'readMs', 'lightning-fs'),
      peer: async (s) => figure(await rounds(s), 'lightning-fs', 'readMs'),
    },
    {
      figure:
        'read the 1,000 files back (same instance): Vellum strict · peer: ZenFS (its store is cached in memory)',
      unit: 'ms',
      vellum: async (s) => figure(await rounds(s), 'vellum-strict', 'readMs', 'zenfs-cow'),
      peer: async (s) => figure(await rounds(s), 'zenfs-cow', 'readMs'),
    },
    {
      figure:
        'Vellum strict: `close()` folding the 1,000-record journal into keyed records (deferred work; else runs after 1 s idle) · peer: lightning-fs `flush()` of its superblock',
      unit: 'ms',
      vellum: async (s) => figure(await rounds(s), 'vellum-strict', 'closeMs'),
      peer: async (s) => figure(await rounds(s), 'lightning-fs', 'closeMs'),
    },
    {
      figure: 'Vellum: reopen the workspace (new overlay, as after a reload) and read the 1,000 files back',
      unit: 'ms',
      ratio: 'none',
      vellum: async (s) => figure(await rounds(s), 'vellum-strict', 'reopenReadMs'),
    },
    {
      figure: 'requests (`put`/`add`) issued for the 1,000 writes: Vellum strict · peer: lightning-fs',
      unit: 'count',
      vellum: async (s) => results(await rounds(s), 'vellum-strict')[0]?.puts ?? Number.NaN,
      peer: async (s) => results(await rounds(s), 'lightning-fs')[0]?.puts ?? Number.NaN,
    },
    {
      figure: 'requests (`put`/`add`) issued for the 1,000 writes: Vellum write-back · peer: ZenFS',
      unit: 'count',
      vellum: async (s) => results(await rounds(s), 'vellum-writeback')[0]?.puts ?? Number.NaN,
      peer: async (s) => results(await rounds(s), 'zenfs-cow')[0]?.puts ?? Number.NaN,
    },
    {
      id: 'one-byte',
      figure:
        'bytes put into IndexedDB by a 1-byte write into a 16 MiB lower file (open r+, write, close) · peer: ZenFS CopyOnWrite',
      unit: 'bytes',
      vellum: async (s) => {
        const { vellum } = await oneByte(s);
        return { value: vellum.bytesPut, detail: `${vellum.puts} requests, ${vellum.ms.toFixed(0)} ms` };
      },
      peer: async (s) => {
        const { zen } = await oneByte(s);
        return { value: zen.bytesPut, detail: `${zen.puts} requests, ${zen.ms.toFixed(0)} ms` };
      },
    },
  ],
  notes(_state, rows, ctx) {
    const value = (id: string) => {
      const cell = rows.find((r) => r.id === id)?.vellum;
      return cell?.ok ? cell.value : undefined;
    };
    const check = (id: string, what: string, target: number) => {
      const v = value(id);
      if (v !== undefined)
        ctx.note(`${what}: ${v.toFixed(2)}× (target ≥ ${target}×): ${v >= target ? 'met' : 'NOT met'}.`);
    };
    check('ratio-strict', 'Strict vs lightning-fs', 1);
    check('ratio-strict-zen', 'Strict vs ZenFS', 1);
    check('ratio-wb', 'Write-back + sync vs lightning-fs', 10);
    check('ratio-wb-zen', 'Write-back + sync vs ZenFS', 10);
    ctx.note(
      'Vellum strict stores each operation as one journal record (one request); the journal is folded into keyed records later (idle 1 s, full, or close) — that deferred work is the `close()` row. Same-instance reads in Vellum come from that journal in memory until it is folded; the reopen row reads from IndexedDB.',
    );
  },
  async teardown(state) {
    await state.page.close();
  },
};
