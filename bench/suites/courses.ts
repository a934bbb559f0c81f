/**
 * Courses on layers (issue 19): moving a learner's work onto a new version of the course, and
 * undo snapshots.
 *
 * - rebase: 1,000 learner-changed files over a 10,000-file base, onto a new base that changed
 *   1,000 files (400 of them also the learner's: 300 in other lines, a clean merge; 100 in the
 *   same line, a conflict). Vellum: `ov.rebase({ to })` (decisions, merges, the swap, one upper
 *   transaction). Peer: git 2.x on the same files in a repository on disk: `git merge` of the
 *   new base's branch into the learner's (merge-ort, the work tree written).
 * - snapshot/restore: an upper holding 1,000 changed files of 64 KiB (64 MiB). Vellum:
 *   `ov.snapshot()` and, after 100 files changed, `ov.restore(id)` (memory upper for time; the
 *   IndexedDB upper over fake-indexeddb for what is stored). Peer: the kernel-overlayfs way,
 *   a copy of the upper directory (`cp -a`) and copying it back.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Measured, Suite } from '../lib/harness.js';
import { timeOnce } from '../lib/timing.js';
import { loadVellum, type Settled, settle, unwrap, type VellumCore } from '../lib/vellum.js';

const FILES = 10_000;
const LINES = 30;
const KiB = 1024;
const SNAP_FILES = 1_000;
const SNAP_SIZE = 64 * KiB;

const pathOf = (i: number): string => `src/d${Math.floor(i / 100)}/f${i}.txt`;
const baseText = (i: number): string =>
  `${Array.from({ length: LINES }, (_, k) => `file ${i} line ${k} of the course template`).join('\n')}\n`;
const edit = (text: string, line: number, to: string): string => {
  const lines = text.split('\n');
  lines[line] = to;
  return lines.join('\n');
};

/** Which files each side changes: the learner every 10th; the new base 1,000 others and 400 of the learner's. */
const learnerChanges = Array.from({ length: 1_000 }, (_, k) => k * 10);
const bothClean = learnerChanges.slice(0, 300);
const bothConflict = learnerChanges.slice(300, 400);
const baseOnly = Array.from({ length: 600 }, (_, k) => k * 10 + 5);
const learnerText = (i: number): string => edit(baseText(i), 3, `learner's line 3 of file ${i}`);
const newBaseText = (i: number): string =>
  bothConflict.includes(i)
    ? edit(baseText(i), 3, `v2 line 3 of file ${i}`)
    : edit(baseText(i), 25, `v2 line 25 of file ${i}`);

interface Rebased {
  ms: number;
  lowerBytesRead: number;
  readsCounted: number;
  merged: number;
  kept: number;
  conflicts: number;
  baseBytes: number;
}

interface Snapped {
  snapshotMs: number;
  restoreMs: number;
  storedBytes: number;
  dataBytes: number;
  records: number;
}

interface State {
  core: Settled<VellumCore>;
  rebase?: Promise<Rebased>;
  /** The rebase's figures once measured, for the synchronous `notes`. */
  rebaseDone?: Rebased;
  git?: Promise<{ ms: number; conflicts: number }>;
  snap?: Promise<Snapped>;
  idbStored?: Promise<number>;
  cp?: Promise<{ snapshotMs: number; restoreMs: number; bytes: number }>;
}

/** A memory lower whose reads are counted (bytes), as a layer read over the network would be. */
function counted(core: VellumCore, entries: { path: string; kind: 'file'; data: string }[], id: string) {
  const layer = core.MemoryLayer.fromEntries(entries, { id, mtimeMs: 1_000 });
  const counter = { bytes: 0 };
  const wrapped = {
    id,
    entries: () => layer.entries(),
    read: async (ref: unknown, offset: number, length: number) => {
      const bytes = await layer.read(ref, offset, length);
      counter.bytes += bytes.byteLength;
      return bytes;
    },
  };
  return { layer: wrapped, counter };
}

function runRebase(state: State): Promise<Rebased> {
  state.rebase ??= (async () => {
    const core = unwrap(state.core);
    const base = Array.from({ length: FILES }, (_, i) => ({
      path: pathOf(i),
      kind: 'file' as const,
      data: baseText(i),
    }));
    const changedInV2 = new Set([...bothClean, ...bothConflict, ...baseOnly]);
    const next = base.map((e, i) => (changedInV2.has(i) ? { ...e, data: newBaseText(i) } : e));
    const v1 = counted(core, base, 'v1');
    const v2 = counted(core, next, 'v2');
    const ov = await core.Overlay.create({ lowers: [v1.layer], upper: new core.MemoryUpper() });
    for (const i of learnerChanges) await ov.writeFile(`/${pathOf(i)}`, learnerText(i));
    v1.counter.bytes = 0;
    const { ms, result } = await timeOnce(() => ov.rebase({ to: [v2.layer] }));
    const check = await ov.readFile(`/${pathOf(bothClean[0] as number)}`, 'utf8');
    if (!check.includes("learner's line 3") || !check.includes('v2 line 25'))
      throw new Error('rebase: no merge');
    const baseBytes = base.reduce((n, e) => n + e.data.length, 0);
    await ov.close();
    state.rebaseDone = {
      ms,
      lowerBytesRead: result.lowerBytesRead,
      readsCounted: v1.counter.bytes + v2.counter.bytes,
      merged: result.merged.length,
      kept: result.kept.length,
      conflicts: result.conflicts.length,
      baseBytes,
    };
    return state.rebaseDone;
  })();
  return state.rebase;
}

/** No background gc or maintenance: nothing of git's runs after the timed merge, or into the cleanup. */
const GIT_CONFIG = [
  '-c',
  'user.name=bench',
  '-c',
  'user.email=bench@example.com',
  '-c',
  'gc.auto=0',
  '-c',
  'maintenance.auto=false',
];

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', [...GIT_CONFIG, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

function runGit(state: State): Promise<{ ms: number; conflicts: number }> {
  state.git ??= (async () => {
    if (spawnSync('git', ['--version']).status !== 0) throw new Error('git is not installed');
    const dir = mkdtempSync(join(tmpdir(), 'vellum-bench-git-'));
    try {
      const write = (i: number, text: string): void => {
        const p = join(dir, pathOf(i));
        mkdirSync(join(p, '..'), { recursive: true });
        writeFileSync(p, text);
      };
      git(dir, 'init', '-q', '-b', 'v1');
      for (let i = 0; i < FILES; i++) write(i, baseText(i));
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', 'v1');
      git(dir, 'checkout', '-q', '-b', 'v2');
      for (const i of [...bothClean, ...bothConflict, ...baseOnly]) write(i, newBaseText(i));
      git(dir, 'commit', '-q', '-am', 'v2');
      git(dir, 'checkout', '-q', '-b', 'learner', 'v1');
      for (const i of learnerChanges) write(i, learnerText(i));
      git(dir, 'commit', '-q', '-am', 'learner');
      const { ms } = await timeOnce(async () =>
        spawnSync('git', [...GIT_CONFIG, 'merge', '-q', '--no-edit', 'v2'], {
          cwd: dir,
          encoding: 'utf8',
        }),
      );
      const unmerged = git(dir, 'diff', '--name-only', '--diff-filter=U').split('\n').filter(Boolean).length;
      return { ms, conflicts: unmerged };
    } finally {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  })();
  return state.git;
}

const blob = (i: number): Uint8Array => new Uint8Array(SNAP_SIZE).fill(i & 0xff);

function runSnapshot(state: State): Promise<Snapped> {
  state.snap ??= (async () => {
    const core = unwrap(state.core);
    const lower = core.MemoryLayer.fromTree({}, { id: 'empty' });
    const upper = new core.MemoryUpper();
    const ov = await core.Overlay.create({ lowers: [lower], upper });
    await ov.mkdir('/data');
    for (let i = 0; i < SNAP_FILES; i++) await ov.writeFile(`/data/f${i}.bin`, blob(i));
    const before = await ov.usage();
    const taken = await timeOnce(() => ov.snapshot('bench'));
    const after = await ov.usage();
    for (let i = 0; i < 100; i++) await ov.writeFile(`/data/f${i}.bin`, blob(i + 1));
    const restored = await timeOnce(() => ov.restore(taken.result.id));
    const back = await ov.readFile('/data/f0.bin');
    if (back[0] !== 0) throw new Error('restore: wrong bytes');
    await ov.close();
    return {
      snapshotMs: taken.ms,
      restoreMs: restored.ms,
      storedBytes: after.bytes - before.bytes,
      dataBytes: before.bytes,
      records: taken.result.records,
    };
  })();
  return state.snap;
}

/** Bytes an IndexedDB snapshot adds to the database (fake-indexeddb: structured values measured as JSON/bytes). */
function runIdbStored(state: State): Promise<number> {
  state.idbStored ??= (async () => {
    const fake = await import('fake-indexeddb');
    // The upper builds its key ranges with the global IDBKeyRange, which Node lacks.
    const scope = globalThis as { IDBKeyRange?: unknown };
    scope.IDBKeyRange ??= fake.IDBKeyRange;
    const factory = new fake.IDBFactory();
    const core = unwrap(state.core);
    const { IndexedDBUpper } = await import('@vellum/core/idb');
    const name = `bench-snap-${Date.now()}`;
    const upper = new IndexedDBUpper({ name, factory });
    const ov = await core.Overlay.create({ lowers: [core.MemoryLayer.fromTree({}, { id: 'empty' })], upper });
    await ov.mkdir('/data');
    for (let i = 0; i < SNAP_FILES; i++) await ov.writeFile(`/data/f${i}.bin`, blob(i));
    await upper.compact();
    const size = async (): Promise<number> => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = factory.open(`vellum-upper:${name}`);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const store = db
        .transaction(db.objectStoreNames[0] as string, 'readonly')
        .objectStore(db.objectStoreNames[0] as string);
      const values = await new Promise<unknown[]>((resolve, reject) => {
        const r = store.getAll();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      db.close();
      return values.reduce<number>(
        (n, v) => n + (v instanceof Uint8Array ? v.byteLength : JSON.stringify(v ?? null).length),
        0,
      );
    };
    const before = await size();
    await ov.snapshot('bench');
    const after = await size();
    await ov.close();
    await IndexedDBUpper.delete(name, { factory });
    return after - before;
  })();
  return state.idbStored;
}

function runCp(state: State): Promise<{ snapshotMs: number; restoreMs: number; bytes: number }> {
  state.cp ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vellum-bench-cp-'));
    try {
      const upper = join(dir, 'upper');
      mkdirSync(join(upper, 'data'), { recursive: true });
      for (let i = 0; i < SNAP_FILES; i++) writeFileSync(join(upper, 'data', `f${i}.bin`), blob(i));
      const snap = await timeOnce(async () => execFileSync('cp', ['-a', upper, join(dir, 'snap')]));
      for (let i = 0; i < 100; i++) writeFileSync(join(upper, 'data', `f${i}.bin`), blob(i + 1));
      const restore = await timeOnce(async () => {
        rmSync(upper, { recursive: true, force: true });
        execFileSync('cp', ['-a', join(dir, 'snap'), upper]);
      });
      return { snapshotMs: snap.ms, restoreMs: restore.ms, bytes: SNAP_FILES * SNAP_SIZE };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return state.cp;
}

const value = (v: number, detail?: string): Measured =>
  detail === undefined ? { value: v } : { value: v, detail };

export const coursesSuite: Suite<State> = {
  name: 'courses',
  title: 'Courses: rebase onto a new course version, undo snapshots',
  description:
    'Rebase: 1,000 learner-changed files (of 30 lines) over a 10,000-file base, onto a new base that changed 1,000 files, 400 of them also changed by the learner ' +
    '(300 in another line: clean merges; 100 in the same line: conflicts). Vellum: `ov.rebase({ to })` on memory layers and a memory upper, one run; peer: git ' +
    "`merge` of the new base's branch into the learner's in a repository on disk (merge-ort, work tree written), one run. " +
    'Snapshots: an upper holding 1,000 files of 64 KiB (64 MiB); `ov.snapshot()`, then 100 files rewritten, then `ov.restore(id)` (memory upper); ' +
    "the bytes an IndexedDB upper's snapshot adds (fake-indexeddb under Node); peer: a kernel-overlayfs upper directory copied with `cp -a` and copied back.",
  async setup() {
    return { core: await settle(loadVellum) };
  },
  cases: () => [
    {
      figure: 'rebase: wall time (one run)',
      unit: 'ms',
      vellum: async (s) => value((await runRebase(s)).ms),
      peer: async (s) => value((await runGit(s)).ms, 'git merge'),
    },
    {
      figure: 'rebase: conflicts found',
      unit: 'count',
      ratio: 'none',
      vellum: async (s) => value((await runRebase(s)).conflicts),
      peer: async (s) => value((await runGit(s)).conflicts, 'unmerged paths'),
    },
    {
      figure: 'rebase: bytes read from the lowers (both bases; counted at the layers)',
      unit: 'bytes',
      ratio: 'none',
      vellum: async (s) => value((await runRebase(s)).readsCounted),
    },
    {
      figure: 'rebase: bytes of the whole base, for scale',
      unit: 'bytes',
      ratio: 'none',
      vellum: async (s) => value((await runRebase(s)).baseBytes),
    },
    {
      figure: 'snapshot of 64 MiB in 1,000 changed files: wall time',
      unit: 'ms',
      vellum: async (s) => value((await runSnapshot(s)).snapshotMs),
      peer: async (s) => value((await runCp(s)).snapshotMs, 'cp -a'),
    },
    {
      figure: 'restore after 100 files changed: wall time',
      unit: 'ms',
      vellum: async (s) => value((await runSnapshot(s)).restoreMs),
      peer: async (s) => value((await runCp(s)).restoreMs, 'rm -r + cp -a'),
    },
    {
      figure: 'bytes a snapshot adds (memory upper: chunk bytes; peer: bytes copied)',
      unit: 'bytes',
      vellum: async (s) => value((await runSnapshot(s)).storedBytes),
      peer: async (s) => value((await runCp(s)).bytes),
    },
    {
      figure: 'bytes a snapshot adds to IndexedDB (records and pins, no chunk bytes)',
      unit: 'bytes',
      vellum: async (s) => value(await runIdbStored(s)),
      peer: async (s) => value((await runCp(s)).bytes),
    },
  ],
  notes(state, _rows, ctx) {
    const r = state.rebaseDone;
    if (r) {
      ctx.note(
        `Vellum's rebase: ${r.kept} kept, ${r.merged} merged, ${r.conflicts} conflicts (git: the same 100 files conflict); ` +
          `the engine's own count of bytes read to decide (\`lowerBytesRead\`): ${r.lowerBytesRead} B, of a ${r.baseBytes} B base.`,
      );
    }
    ctx.note(
      'Times are single runs on a shared 2-core machine: read them as orders of magnitude. The IndexedDB figure is fake-indexeddb under Node (stored values measured: bytes for chunks, JSON length for records), not a browser.',
    );
  },
};
