/**
 * `remount`: a new lower stack under the kept upper, in one step. The new stack's index is built
 * beside the live one (keeping the inode numbers of paths whose entry did not change), then one
 * writer transaction lays the upper's records over it and swaps it in, so no call ever sees half a
 * swap. The old stack's objects stay as they were: a handle opened before keeps reading them.
 */
import { isLayerDescriptor, type LayerOpenContext, type LowerDescriptor, openLower } from './descriptors.js';
import { FsError } from './errors.js';
import { readData, truncateData, writeData } from './file-data.js';
import { type FdTable, pathOpenForWriting } from './file-handle.js';
import type { DirNode, FileNode, Node } from './inode.js';
import type { EntryMeta, LowerLayer } from './layer.js';
import { resolve } from './lookup.js';
import { buildLowerIndex, type LowerIndex, reservedBy } from './lower-index.js';
import type { Namespace } from './namespace.js';
import type { BaseChange } from './replay.js';
import type { Txn } from './txn.js';

/**
 * What {@link Overlay.remount} takes: the new lower stack, topmost first, as layers or as the
 * layer descriptors `openLower` opens (the same ones the worker and the ZenFS backend take).
 *
 * @example
 * ```ts
 * const options: RemountOptions = { lowers: [{ type: 'zip', url: '/course/v2/lesson-1.zip' }] };
 * await ov.remount(options);
 * ```
 */
export interface RemountOptions {
  /** The new lowers, topmost first (like `lowerdir=`): layers, or descriptors to open. */
  lowers: readonly (LowerLayer | LowerDescriptor)[];
  /** What opening a descriptor needs that is not data (a `fetch`, a progress meter). */
  context?: LayerOpenContext;
}

/**
 * What {@link Overlay.remount} did.
 *
 * @example
 * ```ts
 * const { baseChanges } = await ov.remount({ lowers: [newTemplate] });
 * for (const { path, change } of baseChanges) console.warn(`${path}: your copy hides a base that ${change === 'changed' ? 'changed' : 'went away'}`);
 * ```
 */
export interface RemountResult {
  /** Copied-up objects whose base object differs in the new stack (see `Overlay.baseChanges`). */
  baseChanges: readonly BaseChange[];
}

/** A stack opened and indexed, ready to be swapped in. */
export interface OpenedStack {
  lowers: readonly LowerLayer[];
  index: LowerIndex;
}

/** Remounts of one overlay run one after the other: each keeps the numbers of the stack it replaces. */
const queues = new WeakMap<Namespace, Promise<unknown>>();

/** Runs `fn` after every remount (or rebase) of `ns` queued before it. */
export function serialized<T>(ns: Namespace, fn: () => Promise<T>): Promise<T> {
  const run = (queues.get(ns) ?? Promise.resolve()).then(fn, fn);
  queues.set(
    ns,
    run.catch(() => undefined),
  );
  return run;
}

/** EBUSY while a handle is open for writing: its writes would reach an object the new tree has not. */
export function refuseWhileWriting(fds: FdTable, syscall: string): void {
  const path = pathOpenForWriting(fds);
  if (path !== undefined) {
    throw new FsError('EBUSY', syscall, path, undefined, {
      cause: new Error(`'${path}' is open for writing; close it before changing the lower stack`),
    });
  }
}

/** Opens the descriptors among `lowers` and indexes the stack, keeping `ns`'s inode numbers where it can. */
export async function openStack(
  ns: Namespace,
  lowers: readonly (LowerLayer | LowerDescriptor)[],
  context: LayerOpenContext | undefined,
): Promise<OpenedStack> {
  if (!Array.isArray(lowers)) {
    throw new FsError('EINVAL', 'remount', undefined, undefined, {
      cause: new TypeError('remount: `lowers` must be an array of layers or layer descriptors'),
    });
  }
  const opened = await Promise.all(
    lowers.map((lower) => (isLayerDescriptor(lower) ? openLower(lower as LowerDescriptor, context) : lower)),
  );
  const now = Date.now();
  const defaults: EntryMeta = {
    mode: 0o755,
    uid: ns.uid,
    gid: ns.gid,
    atimeMs: now,
    mtimeMs: now,
    ctimeMs: now,
    birthtimeMs: now,
  };
  // The numbers the upper's records carry (a copy of an object gone from the stack keeps its
  // number): no new lower object may take one. Records made meanwhile carry numbers of the
  // live stack or the upper's own counter, which are reserved anyway.
  const { inodes } = await ns.upper.load();
  const index = await buildLowerIndex(opened, defaults, {
    index: ns.lowerIndex,
    reserved: reservedBy(inodes),
  });
  return { lowers: opened, index };
}

/**
 * Inside `ns`'s writer transaction: swaps `stack` in with the upper's records laid over it. A
 * learner's copy whose base changed or went away and that still read (parts of) its old base —
 * a partial data copy, or a renamed file's metadata copy whose base is gone — gets those bytes
 * from the old stack now (the only bytes read from the lowers), so it reads what it read before. Returns the replay's base changes and the old root (the tree as it was).
 */
export async function swapIn(
  ns: Namespace,
  stack: OpenedStack,
  tx: Txn,
): Promise<{ baseChanges: BaseChange[]; oldRoot: DirNode }> {
  const oldRoot = ns.root;
  const snapshot = await ns.upper.load();
  const { baseChanges } = ns.swapStack(stack.lowers, stack.index, snapshot, tx);
  for (const { path, change } of baseChanges) {
    const before = resolveQuiet(oldRoot, path);
    const after = resolveQuiet(ns.root, path);
    if (before?.kind !== 'file' || after?.kind !== 'file') continue;
    const readsLower = !before.dataUpper || before.lowerLimit > 0;
    // A metadata-only copy of a changed base shows the new base's bytes (the learner's change
    // was not to them); any other copy that still read its old base keeps the learner's bytes.
    if (!readsLower || (change === 'changed' && !before.dataUpper)) continue;
    await rewrite(ns, after, await readData(ns, before, 0, before.size), tx);
  }
  return { baseChanges, oldRoot };
}

/** The object at `path` of a tree, following no final symlink; undefined if absent. */
export function resolveQuiet(root: DirNode, path: string): Node | undefined {
  try {
    return resolve(root, path, { follow: false, syscall: 'remount', display: path });
  } catch {
    return undefined;
  }
}

/** A file's whole contents replaced by `bytes` in the upper, its times kept (the learner's edit, not ours). */
export async function rewrite(ns: Namespace, node: FileNode, bytes: Uint8Array, tx: Txn): Promise<void> {
  const { atimeMs, mtimeMs } = node;
  await truncateData(ns, node, 0, tx);
  await writeData(ns, node, bytes, 0, tx);
  node.atimeMs = atimeMs;
  node.mtimeMs = mtimeMs;
}

/** The whole remount: open and index the stack, swap it in, close the old index. */
export function remount(ns: Namespace, fds: FdTable, options: RemountOptions): Promise<RemountResult> {
  return serialized(ns, async () => {
    refuseWhileWriting(fds, 'remount');
    const stack = await openStack(ns, options?.lowers, options?.context);
    const old = ns.lowerIndex;
    let result: { baseChanges: BaseChange[] };
    try {
      result = await ns.mutate('remount', '/', (tx) => {
        // Checked again under the lock: a handle may have been opened for writing meanwhile.
        refuseWhileWriting(fds, 'remount');
        return swapIn(ns, stack, tx);
      });
    } catch (error) {
      stack.index.store.close();
      throw error;
    }
    old.store.close();
    return { baseChanges: result.baseChanges };
  });
}
