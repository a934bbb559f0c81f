/**
 * The engine's invariants (issue 22), over random lowers and random sequences of every operation
 * the engine has — the kernel differential's ops (write, append, truncate, mkdir, unlink, rmdir,
 * rm -r, rename of files and directories over existing targets, symlink, link, chmod, utimes) plus
 * `mkdir -p`, `revert`, `reset`, `sync` and close + reopen in the middle — on a memory upper, an
 * IndexedDB upper and an IndexedDB upper in write-back mode:
 *
 * 1. reopening gives the view that was closed (paths, types, contents, modes, owners, mtimes,
 *    nlink, inode numbers) and the same `changes()`, and fsck finds the upper's records sound;
 * 2. the diff is complete: the lowers with the changes stacked on them as a layer (`changesZip`,
 *    what `vellum export` writes) show the merged view (paths, types, contents, modes);
 * 3. `revert(p)` changes the view at p and below it only, and afterwards p reads what the lowers
 *    have there;
 * 4. an operation changes nothing a read returned before it, except at the paths it names (and
 *    below them, for rm, rename, revert and mkdir -p's new parents) and their hard links; `reset`
 *    gives the lowers' view, `sync` and reopening change nothing.
 *
 * Runs: VELLUM_INVARIANT_RUNS per upper kind (default 300). A failure prints the lowers and the
 * shrunk steps as code.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexedDBUpper } from '../src/idb/index.js';
import { MemoryLayer, MemoryUpper, Overlay, type Tree, type UpperLayer } from '../src/index.js';
import { changesZip, ZipLayer } from '../src/zip/index.js';
import { applyOp, formatOp, lowerTreeArb, type Op, opArb, pathArb } from './kernel/ops.js';
import { fullView, type PathView } from './view.js';

const numRuns = Number(process.env.VELLUM_INVARIANT_RUNS ?? 300);

/** One step of a case: an fs op, or one of the calls beyond fs. */
type Step =
  | Op
  | { readonly op: 'mkdirp'; readonly path: string }
  | { readonly op: 'revert'; readonly path: string }
  | { readonly op: 'reset' }
  | { readonly op: 'sync' }
  | { readonly op: 'reopen' };

function formatStep(step: Step): string {
  switch (step.op) {
    case 'mkdirp':
      return `mkdir('${step.path}', { recursive: true })`;
    case 'revert':
      return `revert('${step.path}')`;
    case 'reset':
    case 'sync':
      return `${step.op}()`;
    case 'reopen':
      return 'close(); reopen()';
    default:
      return formatOp(step);
  }
}

function printable<T extends object>(value: T, print: (v: T) => string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => print(value), enumerable: false });
  return value;
}

const stepArb: fc.Arbitrary<Step> = fc
  .oneof(
    { weight: 24, arbitrary: opArb as fc.Arbitrary<Step> },
    { weight: 2, arbitrary: pathArb.map((path): Step => ({ op: 'mkdirp', path: `${path}/e` })) },
    { weight: 8, arbitrary: pathArb.map((path): Step => ({ op: 'revert', path })) },
    { weight: 1, arbitrary: fc.constant<Step>({ op: 'reset' }) },
    { weight: 1, arbitrary: fc.constant<Step>({ op: 'sync' }) },
    { weight: 3, arbitrary: fc.constant<Step>({ op: 'reopen' }) },
  )
  .map((step) => printable({ ...step }, formatStep));

const stepsArb: fc.Arbitrary<Step[]> = fc
  .array(stepArb, { minLength: 1, maxLength: 30 })
  .map((steps) => printable(steps, (s) => `[\n${s.map((x) => `  ${formatStep(x)},\n`).join('')}]`));

const layers = (trees: readonly Tree[]): MemoryLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `inv-${i}` }));

/** An upper kind: a fresh upper for a case, and the same stored upper again after a close. */
interface Kind {
  name: string;
  fresh(): { upper: UpperLayer; again(): UpperLayer };
}

const KINDS: Kind[] = [
  {
    name: 'memory',
    fresh: () => {
      const upper = new MemoryUpper();
      return { upper, again: () => upper };
    },
  },
  {
    name: 'IndexedDB',
    fresh: () => {
      const factory = new IDBFactory();
      return {
        upper: new IndexedDBUpper({ name: 'inv', factory }),
        again: () => new IndexedDBUpper({ name: 'inv', factory }),
      };
    },
  },
  {
    name: 'IndexedDB write-back',
    fresh: () => {
      const factory = new IDBFactory();
      const open = (): UpperLayer =>
        new IndexedDBUpper({ name: 'inv', factory, writeBack: { delayMs: 1, maxOps: 4 } });
      return { upper: open(), again: open };
    },
  },
];

type View = Record<string, PathView>;

const dirname = (p: string): string => p.slice(0, Math.max(p.lastIndexOf('/'), 0)) || '/';
const trimSlash = (p: string): string => p.replace(/\/+$/, '') || '/';
const under = (p: string, a: string): boolean => p === a || a === '/' || p.startsWith(`${a}/`);

/** `p` with its parent directory's symlinks resolved (the name itself is not followed), if it resolves. */
async function canonical(ov: Overlay, p: string): Promise<string[]> {
  const path = trimSlash(p);
  const out = [path];
  const base = path.slice(path.lastIndexOf('/') + 1);
  const parent = await ov.realpath(dirname(path)).catch(() => undefined);
  if (parent !== undefined) out.push(parent === '/' ? `/${base}` : `${parent}/${base}`);
  const whole = await ov.realpath(path).catch(() => undefined);
  if (whole !== undefined) out.push(whole);
  return out;
}

/** What a step names: whole subtrees, and single paths (mkdir -p's new parents). */
function named(step: Step): { trees: string[]; single: string[] } {
  switch (step.op) {
    case 'rename':
      return { trees: [step.from, step.to], single: [] };
    case 'link':
      return { trees: [step.existing, step.path], single: [] };
    case 'symlink':
      return { trees: [step.path], single: [] };
    case 'mkdirp': {
      const single: string[] = [];
      for (let p = dirname(step.path); p !== '/'; p = dirname(p)) single.push(p);
      return { trees: [step.path], single };
    }
    case 'reset':
    case 'sync':
    case 'reopen':
      return { trees: [], single: [] };
    default:
      return { trees: [step.path], single: [] };
  }
}

/** What a read of `v` returned that no other path's operation may change (a directory's listing, times and link count do). */
function observed(v: PathView): unknown {
  if (v.kind === 'dir') return { kind: v.kind, ino: v.ino, mode: v.mode, uid: v.uid, gid: v.gid };
  return v;
}

/** Invariants 3 and 4: the paths `step` may change, everything else read the same before and after. */
async function checkUnnamed(step: Step, before: View, after: View, namedBefore: string[][], ov: Overlay) {
  const single: string[] = [];
  for (const p of named(step).single) single.push(...(await canonical(ov, p)));
  const trees = namedBefore.flat();
  for (const p of named(step).trees) trees.push(...(await canonical(ov, p)));
  const touched = (p: string): boolean => single.includes(p) || trees.some((a) => under(p, a));
  // Hard links of an object the step names change with it.
  const linked = new Set<number>();
  for (const view of [before, after]) {
    for (const [p, v] of Object.entries(view)) if (v.kind !== 'dir' && touched(p)) linked.add(v.ino);
  }
  const problems: string[] = [];
  for (const p of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (touched(p)) continue;
    const b = before[p];
    const a = after[p];
    if (b !== undefined && a !== undefined && b.kind !== 'dir' && linked.has(b.ino)) continue;
    const ob = b === undefined ? undefined : observed(b);
    const oa = a === undefined ? undefined : observed(a);
    if (JSON.stringify(ob) !== JSON.stringify(oa))
      problems.push(`${p}: before ${JSON.stringify(ob)}, after ${JSON.stringify(oa)}`);
  }
  expect(problems, `${formatStep(step)} changed paths it does not name`).toEqual([]);
}

/** What the lowers alone show: contents, types, modes (not inode numbers or link counts). */
function content(view: View, root: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [p, v] of Object.entries(view)) {
    if (!under(p, root) || p === '/') continue;
    out[p.slice(root.length)] = { kind: v.kind, mode: v.mode, content: v.content };
  }
  return out;
}

/** Invariant 3's second half: after `revert(p)`, p shows what the lowers have there. */
async function checkReverted(p: string, ov: Overlay, lowers: View, movedDirs: string[]) {
  const path = (await canonical(ov, p))[1];
  if (path === undefined) return;
  // Inside a moved directory the lowers' entry is the one at its old place, which it merges.
  if (movedDirs.some((d) => under(dirname(path), d))) return;
  const after = await fullView(ov);
  const want = content(lowers, path);
  expect(content(after, path), `revert('${p}') does not show the lowers' ${path}`).toEqual(want);
}

/** Invariant 2: the lowers with the changes stacked on them as a layer show the same tree. */
async function checkDiff(ov: Overlay, trees: readonly Tree[]) {
  const layer = await ZipLayer.open(await changesZip(ov), { whiteouts: 'oci' });
  const stacked = await Overlay.create({ lowers: [layer, ...layers(trees)], upper: new MemoryUpper() });
  try {
    expect(content(await fullView(stacked), ''), 'lowers + changes() differ from the view').toEqual(
      content(await fullView(ov), ''),
    );
  } finally {
    await stacked.close();
  }
}

async function runCase(kind: Kind, trees: Tree[], steps: readonly Step[]): Promise<void> {
  const { upper, again } = kind.fresh();
  const lowersOnly = await Overlay.create({ lowers: layers(trees), upper: new MemoryUpper() });
  const lowerView = await fullView(lowersOnly);
  let ov = await Overlay.create({ lowers: layers(trees), upper });
  try {
    for (const step of steps) {
      const before = await fullView(ov);
      if (step.op === 'reopen' || step.op === 'sync') {
        const changes = await ov.changes();
        if (step.op === 'reopen') {
          await checkDiff(ov, trees);
          await ov.close();
          ov = await Overlay.create({ lowers: layers(trees), upper: again() });
        } else await ov.sync();
        expect(await fullView(ov), `${formatStep(step)}: another view`).toEqual(before);
        expect(await ov.changes()).toEqual(changes);
        expect((await ov.fsck()).problems, `${formatStep(step)}: fsck`).toEqual([]);
        continue;
      }
      if (step.op === 'reset') {
        await ov.reset();
        expect(await fullView(ov), 'reset: not the lowers').toEqual(lowerView);
        continue;
      }
      const namedBefore = await Promise.all(named(step).trees.map((p) => canonical(ov, p)));
      const movedDirs = (await ov.changes())
        .filter((c) => c.type === 'dir' && c.change === 'renamed')
        .map((c) => c.path);
      let ok = true;
      if (step.op === 'revert')
        ok = await ov.revert(step.path).then(
          () => true,
          () => false,
        );
      else if (step.op === 'mkdirp')
        ok = await ov.mkdir(step.path, { recursive: true }).then(
          () => true,
          () => false,
        );
      else ok = (await applyOp(ov, '', step)).ok;
      await checkUnnamed(step, before, await fullView(ov), namedBefore, ov);
      if (ok && step.op === 'revert') await checkReverted(step.path, ov, lowerView, movedDirs);
    }
    await checkDiff(ov, trees);
    const last = await fullView(ov);
    const changes = await ov.changes();
    await ov.close();
    ov = await Overlay.create({ lowers: layers(trees), upper: again() });
    expect(await fullView(ov), 'reopen at the end: another view').toEqual(last);
    expect(await ov.changes()).toEqual(changes);
  } finally {
    await ov.close();
    await lowersOnly.close();
  }
}

describe('invariants', () => {
  for (const kind of KINDS) {
    it(`hold on a ${kind.name} upper (${numRuns} random cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(lowerTreeArb, stepsArb, (trees, steps) => runCase(kind, trees, steps)),
        { numRuns },
      );
    }, 600_000);
  }
});
