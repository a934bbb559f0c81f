/**
 * `rebase`: a learner's work (the upper) moved onto a new base (a new lower stack), deciding for
 * each upper change as git does for a merge, from three versions: the old base's entry, the new
 * base's and the learner's. Only the changed paths' entries are read from the lowers. The
 * decisions, the swap of the stack and every write they need are one upper transaction.
 */
import { Kind } from '@vellum/wasm';
import { listChanges } from './changes.js';
import type { LayerOpenContext, LowerDescriptor } from './descriptors.js';
import { FsError } from './errors.js';
import { readData } from './file-data.js';
import type { FdTable } from './file-handle.js';
import { locateEntry } from './fs-ops.js';
import { type DirNode, type FileNode, type LowerSource, type Node, stampOf } from './inode.js';
import type { LowerLayer } from './layer.js';
import type { LowerIndex } from './lower-index.js';
import { asText, type ConflictHunk, mergeText } from './merge3.js';
import type { Namespace } from './namespace.js';
import {
  type OpenedStack,
  openStack,
  refuseWhileWriting,
  resolveQuiet,
  rewrite,
  serialized,
  swapIn,
} from './remount.js';
import { type BaseChange, lowerAt } from './replay.js';
import { revertName } from './revert.js';
import type { Txn } from './txn.js';

/**
 * What {@link Overlay.rebase} takes.
 *
 * @example
 * ```ts
 * const options: RebaseOptions = { to: [{ type: 'zip', url: '/course/v2/lesson-1.zip' }], markers: true };
 * const result = await ov.rebase(options);
 * ```
 */
export interface RebaseOptions {
  /** The new base: lowers, topmost first, as layers or layer descriptors. */
  to: readonly (LowerLayer | LowerDescriptor)[];
  /**
   * The old base the learner's changes were made over. By default the overlay's current lowers;
   * give it when the overlay was opened on something else (e.g. `onLowerChange: 'open'` on the
   * new base already).
   */
  from?: readonly (LowerLayer | LowerDescriptor)[];
  /** Decide and report, change nothing (default false). */
  dryRun?: boolean;
  /**
   * Write a text conflict into the learner's file with git's conflict markers (default false:
   * the learner's file is kept as it is, and the conflict only reported).
   */
  markers?: boolean;
  /** What opening a descriptor needs that is not data. */
  context?: LayerOpenContext;
}

/**
 * Why a change of the learner's could not be rebased by itself:
 * - `content`: both changed a text file (or a symlink's target) in the same place;
 * - `binary`: both changed a file that is not text;
 * - `deleted-by-base`: the learner changed what the new base deleted;
 * - `deleted-by-learner`: the learner deleted (or replaced with a new directory) what the new base changed;
 * - `file-vs-dir`: one side has a file where the other has a directory;
 * - `type-changed`: the new base has another kind of entry (a symlink for a file, …);
 * - `both-added`: the learner and the new base each added something different at one path;
 * - `renamed-dir-changed`: the learner renamed a directory whose contents the new base changed.
 */
export type RebaseConflictKind =
  | 'content'
  | 'binary'
  | 'deleted-by-base'
  | 'deleted-by-learner'
  | 'file-vs-dir'
  | 'type-changed'
  | 'both-added'
  | 'renamed-dir-changed';

/**
 * One conflict of a rebase: the learner's version stays (or, with `markers`, a text conflict is
 * written into it), and the caller decides.
 *
 * @example
 * ```ts
 * const result = await ov.rebase({ to: [newTemplate] });
 * for (const c of result.conflicts) console.log(c.path, c.kind, c.hunks?.length ?? 0);
 * ```
 */
export interface RebaseConflict {
  /** The path in the overlay. */
  path: string;
  /** What kind of conflict. */
  kind: RebaseConflictKind;
  /** For `content`: the conflicting regions. */
  hunks?: ConflictHunk[];
  /** The file now holds git-style conflict markers (`markers: true`, `content` only). */
  markers?: boolean;
}

/**
 * What {@link Overlay.rebase} decided (or, with `dryRun`, would decide) for each change of the
 * upper. Every change the upper held is in exactly one list.
 *
 * @example
 * ```ts
 * const { merged, taken, kept, conflicts } = await ov.rebase({ to: [newTemplate], dryRun: true });
 * ```
 */
export interface RebaseResult {
  /** The base did not change there: the learner's change stays. */
  kept: string[];
  /** The learner had not really changed it: the new base's version now shows. */
  taken: string[];
  /** Both changed a text file, in different places: the merge was written. */
  merged: string[];
  /** Both changed it and no rule decides: see each conflict's kind. */
  conflicts: RebaseConflict[];
  /** Nothing was written (`dryRun`). */
  dryRun: boolean;
  /** Bytes read from the lowers (old and new base) to decide: only changed paths' entries. */
  lowerBytesRead: number;
  /**
   * Copied-up objects whose base object still differs in the new stack after the rebase (the
   * conflicts kept as the learner's, mostly). Empty on a dry run.
   */
  baseChanges: readonly BaseChange[];
}

/** What to do at one path once the new stack is in. */
type Action =
  | { do: 'none' }
  | { do: 'revert' }
  | { do: 'write'; bytes: Uint8Array; base: LowerSource | undefined };

interface Decision {
  path: string;
  outcome: 'kept' | 'taken' | 'merged' | 'conflict';
  kind?: RebaseConflictKind;
  hunks?: ConflictHunk[];
  markers?: boolean;
  action: Action;
}

const NONE: Action = { do: 'none' };
const slash = (path: string): string => (path.startsWith('/') ? path : `/${path}`);

/** The three versions' readers, counting what the lowers give. */
class Versions {
  bytesRead = 0;
  constructor(
    readonly ns: Namespace,
    readonly from: LowerIndex,
    readonly to: LowerIndex,
  ) {}

  async lowerBytes(source: LowerSource): Promise<Uint8Array> {
    const layer = source.from;
    if (!layer) throw new FsError('EIO', 'rebase', source.path);
    const bytes = await layer.read(source.ref, 0, source.size);
    this.bytesRead += bytes.length;
    return bytes;
  }

  /** Whether two lower objects hold the same thing: same stamp, or (files) the same bytes. */
  async same(a: Node | undefined, b: Node | undefined): Promise<boolean> {
    if (a === undefined || b === undefined) return a === b;
    if (a.kind !== b.kind) return false;
    if (a.kind === 'symlink' && b.kind === 'symlink') return a.target === b.target;
    if (a.kind === 'dir' && b.kind === 'dir') return this.sameTree(a, b);
    const x = (a as FileNode).lower;
    const y = (b as FileNode).lower;
    if (!x || !y) return false;
    if (stampOf(x) === stampOf(y)) return true;
    // Size and mtime (no etag) differ on a rebuilt layer with the same bytes: look at them.
    if (x.etag !== undefined && y.etag !== undefined) return false;
    if (x.size !== y.size) return false;
    return equal(await this.lowerBytes(x), await this.lowerBytes(y));
  }

  /** Two lower directories hold the same names with the same identities, all the way down (no bytes read). */
  sameTree(a: DirNode, b: DirNode): boolean {
    const index = this.from.store.index;
    const walk = (x: number, y: number): boolean => {
      const names = index.children(x).filter((id) => index.kind(id) !== Kind.Whiteout);
      const others = index.children(y).filter((id) => index.kind(id) !== Kind.Whiteout);
      if (names.length !== others.length) return false;
      for (const id of names) {
        const other = index.lookup(y, index.name(id));
        if (other === 0 || index.kind(other) !== index.kind(id)) return false;
        const was = this.from.identity(id);
        const now = this.to.identity(other);
        if (was.stamp !== now.stamp) return false;
        if (index.kind(id) === Kind.Dir && !walk(id, other)) return false;
      }
      return true;
    };
    return walk(a.children.id, b.children.id);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const kept = (path: string): Decision => ({ path, outcome: 'kept', action: NONE });
const conflict = (path: string, kind: RebaseConflictKind): Decision => ({
  path,
  outcome: 'conflict',
  kind,
  action: NONE,
});

/** The decisions for every change of the upper, read from the tree as it is now (nothing written). */
async function decide(v: Versions, markers: boolean): Promise<Decision[]> {
  const { ns } = v;
  const changes = listChanges(ns.root, ns.pristine.keys());
  const renamedFrom = new Set(
    changes.filter((c) => c.change === 'renamed' && c.type === 'dir').map((c) => c.from),
  );
  const out: Decision[] = [];
  for (const change of changes) {
    const { path } = change;
    const learner = resolveQuiet(ns.root, path);
    if (change.change === 'deleted') {
      // The old name of a renamed directory is decided with the rename.
      if (renamedFrom.has(path)) continue;
      const same = await v.same(lowerAt(v.from, path), lowerAt(v.to, path));
      out.push(same || lowerAt(v.to, path) === undefined ? kept(path) : conflict(path, 'deleted-by-learner'));
      continue;
    }
    if (change.type === 'dir') {
      out.push(await decideDir(v, change.change, path, change.from));
      continue;
    }
    if (learner === undefined || learner.kind === 'dir') continue; // listed, so present: defensive only
    if (change.change === 'added' || learner.lower === undefined) {
      const now = lowerAt(v.to, path);
      if (now === undefined) out.push(kept(path));
      else if (await sameAsLearner(v, learner, now))
        out.push({ path, outcome: 'taken', action: { do: 'revert' } });
      else out.push(conflict(path, 'both-added'));
      continue;
    }
    out.push(await decideObject(v, learner, path, change.change, markers));
  }
  return out;
}

async function decideDir(
  v: Versions,
  change: string,
  path: string,
  from: string | undefined,
): Promise<Decision> {
  const now = lowerAt(v.to, path);
  if (change === 'added') return now === undefined ? kept(path) : conflict(path, 'both-added');
  if (change === 'metadata') {
    if (now === undefined) return conflict(path, 'deleted-by-base');
    return now.kind === 'dir' ? kept(path) : conflict(path, 'file-vs-dir');
  }
  if (change === 'renamed') {
    const source = from ?? path;
    const same = await v.same(lowerAt(v.from, source), lowerAt(v.to, source));
    return same ? kept(path) : conflict(path, 'renamed-dir-changed');
  }
  // 'opaque': the learner deleted the base's directory and made a new one there.
  const same = await v.same(lowerAt(v.from, path), now);
  return same || now === undefined ? kept(path) : conflict(path, 'deleted-by-learner');
}

/** The learner's file or symlink equals a lower object (bytes, target). */
async function sameAsLearner(v: Versions, learner: Node, other: Node): Promise<boolean> {
  if (learner.kind !== other.kind) return false;
  if (learner.kind === 'symlink') return learner.target === (other as typeof learner).target;
  if (learner.kind !== 'file') return false;
  const source = (other as FileNode).lower;
  if (!source || source.size !== learner.size) return false;
  return equal(await readData(v.ns, learner, 0, learner.size), await v.lowerBytes(source));
}

/** A copied-up file or symlink: base unchanged, learner unchanged, or both changed. */
async function decideObject(
  v: Versions,
  learner: Exclude<Node, DirNode>,
  path: string,
  change: string,
  markers: boolean,
): Promise<Decision> {
  const source = learner.lower as LowerSource;
  const basePath = slash(source.path);
  const was = lowerAt(v.from, basePath);
  const now = lowerAt(v.to, basePath);
  if (await v.same(was, now)) return kept(path);
  if (now === undefined) return conflict(path, 'deleted-by-base');
  if (now.kind === 'dir') return conflict(path, 'file-vs-dir');
  if (now.kind !== learner.kind) return conflict(path, 'type-changed');
  const inPlace = basePath === path;
  // Metadata only: the learner's object already reads the new base's bytes once laid over it.
  if (change === 'metadata') return { path, outcome: 'taken', action: NONE };
  if (learner.kind === 'symlink' && now.kind === 'symlink') {
    const old = was?.kind === 'symlink' ? was.target : undefined;
    if (learner.target === old || learner.target === now.target) {
      return { path, outcome: 'taken', action: inPlace ? { do: 'revert' } : NONE };
    }
    return {
      ...conflict(path, 'content'),
      hunks: [
        {
          ours: [learner.target],
          base: old === undefined ? [] : [old],
          theirs: [now.target],
          oursLine: 1,
          baseLine: 1,
          theirsLine: 1,
        },
      ],
    };
  }
  const file = learner as FileNode;
  const newSource = (now as FileNode).lower as LowerSource;
  const mine = await readData(v.ns, file, 0, file.size);
  const theirs = await v.lowerBytes(newSource);
  const base = was?.kind === 'file' && was.lower ? await v.lowerBytes(was.lower) : new Uint8Array(0);
  if (equal(mine, base) || equal(mine, theirs)) {
    // The learner's bytes are a base's: take the new one.
    return {
      path,
      outcome: 'taken',
      action: inPlace ? { do: 'revert' } : { do: 'write', bytes: theirs, base: newSource },
    };
  }
  const texts = [asText(mine), asText(base), asText(theirs)];
  if (texts.some((t) => t === undefined)) return conflict(path, 'binary');
  const [a, o, b] = texts as [string, string, string];
  const merge = mergeText(a, o, b, { ours: 'yours', theirs: 'new base' });
  const bytes = new TextEncoder().encode(merge.text);
  if (merge.clean) return { path, outcome: 'merged', action: { do: 'write', bytes, base: newSource } };
  return {
    path,
    outcome: 'conflict',
    kind: 'content',
    hunks: merge.hunks,
    ...(markers ? { markers: true } : {}),
    action: markers ? { do: 'write', bytes, base: newSource } : NONE,
  };
}

/** Carries out one decision on the new tree, inside the rebase's transaction. */
async function apply(ns: Namespace, d: Decision, tx: Txn): Promise<void> {
  const action = d.action;
  if (action.do === 'revert') {
    revertName(ns, locateEntry(ns, d.path, 'rebase'), d.path, tx);
    return;
  }
  if (action.do !== 'write') return;
  const node = resolveQuiet(ns.root, d.path);
  if (node?.kind !== 'file') throw new FsError('EIO', 'rebase', d.path);
  await rewrite(ns, node, action.bytes, tx);
  // Made over the new base now: a later reopen does not list it as a changed base.
  if (action.base) node.lower = { ...action.base };
  tx.write(node);
}

function report(
  decisions: Decision[],
  dryRun: boolean,
  bytesRead: number,
  baseChanges: readonly BaseChange[],
): RebaseResult {
  const result: RebaseResult = {
    kept: [],
    taken: [],
    merged: [],
    conflicts: [],
    dryRun,
    lowerBytesRead: bytesRead,
    baseChanges,
  };
  for (const d of decisions) {
    if (d.outcome === 'conflict') {
      result.conflicts.push({
        path: d.path,
        kind: d.kind as RebaseConflictKind,
        ...(d.hunks ? { hunks: d.hunks } : {}),
        ...(d.markers ? { markers: true } : {}),
      });
    } else result[d.outcome].push(d.path);
  }
  return result;
}

/** The old base's index when `from` is given (no inode numbers kept: it is only read). */
async function fromIndex(
  ns: Namespace,
  options: RebaseOptions,
): Promise<{ index: LowerIndex; own: boolean }> {
  if (options.from === undefined) return { index: ns.lowerIndex, own: false };
  const opened: OpenedStack = await openStack(ns, options.from, options.context);
  // openStack kept numbers against the live index; harmless for a stack that is only read.
  return { index: opened.index, own: true };
}

/** The whole rebase (see {@link Overlay.rebase}). */
export function rebase(ns: Namespace, fds: FdTable, options: RebaseOptions): Promise<RebaseResult> {
  return serialized(ns, async () => {
    const dryRun = options?.dryRun === true;
    if (!dryRun) refuseWhileWriting(fds, 'rebase');
    const stack = await openStack(ns, options?.to, options?.context);
    let from: { index: LowerIndex; own: boolean } | undefined;
    let swapped = false;
    try {
      from = await fromIndex(ns, options);
      const base = from.index;
      const old = ns.lowerIndex;
      const result = await ns.mutate('rebase', '/', async (tx) => {
        const versions = new Versions(ns, base, stack.index);
        const decisions = await decide(versions, options.markers === true);
        if (dryRun) return report(decisions, true, versions.bytesRead, []);
        refuseWhileWriting(fds, 'rebase');
        const { baseChanges } = await swapIn(ns, stack, tx);
        for (const d of decisions) await apply(ns, d, tx);
        const settled = new Set(decisions.filter((d) => d.action.do !== 'none').map((d) => d.path));
        const after = baseChanges.filter((c) => !settled.has(c.path));
        return report(decisions, false, versions.bytesRead, after);
      });
      if (!dryRun) {
        swapped = true;
        old.store.close();
      }
      return result;
    } finally {
      if (!swapped) stack.index.store.close();
      if (from?.own) from.index.store.close();
    }
  });
}
