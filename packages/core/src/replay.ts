/**
 * Opening an overlay on an upper that already holds changes: the upper's
 * directories, whiteouts, opaque marks and redirects are laid over the merged
 * lowers to rebuild the same namespace the last session saw.
 */
import {
  DirNode,
  FIRST_UPPER_INO,
  FileNode,
  type LowerSource,
  type Node,
  ROOT_INO,
  SymlinkNode,
  stampOf,
} from './inode.js';
import type { UpperDirent, UpperInode, UpperSnapshot } from './layer.js';
import type { LowerIndex } from './lower-index.js';
import { getOrInsert } from './map.js';
import { joinPath } from './path.js';

/**
 * A copied-up object whose lower origin is not what the upper was built on:
 * `changed` (the base has another version there), `missing` (the base lost it).
 * Its upper copy still hides the base's; a data copy's untouched parts read EIO.
 */
export interface BaseChange {
  /** The copied-up object's path. */
  path: string;
  /** What happened to its base object. */
  change: 'changed' | 'missing';
}

export interface Replayed {
  root: DirNode;
  nextIno: number;
  /** Files whose last name went while they were open, left behind by a crash: to drop. */
  orphans: number[];
  baseChanges: BaseChange[];
}

/**
 * `same`: the very object the upper was built on; `relocated`: the same bytes,
 * listed elsewhere in a rebuilt base; `changed`: other bytes at its path.
 */
type Origin = { kind: 'none' } | { kind: 'missing' } | { kind: 'same' | 'relocated' | 'changed'; node: Node };

const lowerOf = (node: Node): LowerSource | undefined => (node.kind === 'dir' ? undefined : node.lower);

/** A lower that is gone: reading what would come from it is EIO, never another object's bytes. */
function lostSource(rec: UpperInode): LowerSource {
  return {
    layer: -1,
    ino: rec.origin ?? rec.ino,
    meta: rec,
    nlink: 1,
    ref: undefined,
    path: rec.originPath ?? '',
    size: 0,
    mtimeMs: 0,
  };
}

/** The lower object at a path of the merged lowers, if any. */
export function lowerAt(lowers: LowerIndex, path: string): Node | undefined {
  const cut = path.lastIndexOf('/');
  return lowers.dirAt(path.slice(0, cut) || '/')?.children.get(path.slice(cut + 1));
}

/** `remember` is told of each lower object before replay changes it. */
export function replay(
  snapshot: UpperSnapshot,
  lowers: LowerIndex,
  remember: (node: Node) => void,
): Replayed {
  const inodes = new Map<number, UpperInode>();
  for (const rec of snapshot.inodes) inodes.set(rec.ino, rec);
  const dirents = new Map<number, UpperDirent[]>();
  for (const d of snapshot.dirents) {
    getOrInsert(dirents, d.parent, () => []).push(d);
  }
  const chunks = new Map<number, Set<number>>();
  for (const { ino, index } of snapshot.chunks) {
    getOrInsert(chunks, ino, () => new Set<number>()).add(index);
  }
  const byIno = inodes.size > 0 ? lowers.byIno() : new Map<number, Node>();
  const objects = new Map<number, Node>();
  const baseChanges = new Map<number, BaseChange>();

  /** What the lowers hold now for a copied-up object's origin (see `UpperInode.originPath`). */
  const resolveOrigin = (rec: UpperInode): Origin => {
    if (rec.origin === undefined) return { kind: 'none' };
    const byNumber = byIno.get(rec.origin);
    const same =
      byNumber !== undefined &&
      byNumber.kind === rec.kind &&
      (rec.originPath === undefined || lowerOf(byNumber)?.path === rec.originPath);
    const found = same
      ? byNumber
      : rec.originPath === undefined
        ? undefined
        : lowerAt(lowers, rec.originPath);
    if (found === undefined || found.kind !== rec.kind) return { kind: 'missing' };
    const source = lowerOf(found);
    const changed =
      rec.originStamp !== undefined && source !== undefined && rec.originStamp !== stampOf(source);
    return { kind: changed ? 'changed' : same ? 'same' : 'relocated', node: found };
  };

  const objectFor = (rec: UpperInode): Node => {
    const known = objects.get(rec.ino);
    if (known) return known;
    const origin = resolveOrigin(rec);
    // Only the very object the upper was built on is shared (hard links, reset); a moved,
    // changed or missing one gets an object of its own, and so does a copy of a lower object
    // (its own inode number, see `isCopy`), which reads the lower object's bytes.
    const copy = rec.origin !== undefined && rec.origin !== rec.ino;
    const base = origin.kind === 'same' && !copy ? origin.node : undefined;
    if (base) remember(base);
    if (origin.kind === 'changed' || origin.kind === 'missing') {
      baseChanges.set(rec.ino, { change: origin.kind, path: rec.originPath ?? '' });
    }
    let node: Node;
    if (rec.kind === 'file') {
      const file = (base as FileNode | undefined) ?? new FileNode(rec.ino, rec, 'upper', rec.size ?? 0);
      if (!base && origin.kind !== 'none') {
        // A metadata-only copy reads the new base's bytes; a data copy never mixes its
        // chunks with another object's: its lower parts fail with EIO (a lost layer).
        const now = origin.kind === 'missing' ? undefined : lowerOf(origin.node);
        const usable = now && (origin.kind !== 'changed' || rec.metacopy);
        file.lower = usable ? now : lostSource(rec);
        if (!copy) file.layer = now ? now.layer : 0;
      }
      file.size = rec.size ?? 0;
      file.lowerLimit = rec.lowerLimit ?? 0;
      if (origin.kind === 'changed' && rec.metacopy && file.lower && file.lower.layer >= 0) {
        // A metadata-only copy shows the new base's bytes: all of them, at their own length.
        file.size = file.lower.size;
        file.lowerLimit = file.lower.size;
      }
      file.dataUpper = rec.metacopy !== true;
      file.chunks = chunks.get(rec.ino) ?? new Set();
      file.nlink = rec.nlink;
      node = file;
    } else if (rec.kind === 'symlink') {
      const link =
        (base as SymlinkNode | undefined) ?? new SymlinkNode(rec.ino, rec, 'upper', rec.target ?? '');
      if (!base && origin.kind !== 'none') {
        link.lower = origin.kind === 'missing' ? lostSource(rec) : lowerOf(origin.node);
      }
      link.nlink = rec.nlink;
      node = link;
    } else {
      throw new Error('directories are rebuilt by walking');
    }
    node.setMeta(rec);
    node.upper = true;
    objects.set(rec.ino, node);
    return node;
  };

  // Copied-up lower objects first: a hard link's other names may sit in lower
  // directories with no dirent of their own in the upper.
  for (const rec of inodes.values()) if (rec.kind !== 'dir' && rec.origin !== undefined) objectFor(rec);

  const root = lowers.root.copyUp();
  const rootRec = inodes.get(ROOT_INO);
  if (rootRec) root.setMeta(rootRec);

  const fill = (dir: DirNode, ino: number, at: string): void => {
    for (const { name, ino: childIno } of dirents.get(ino) ?? []) {
      if (childIno === null) {
        dir.deleteChild(name);
        continue;
      }
      const rec = inodes.get(childIno);
      if (!rec) continue; // a dangling dirent: fsck reports it; the name is simply absent
      if (rec.kind !== 'dir') {
        dir.setChild(name, objectFor(rec));
        const change = baseChanges.get(rec.ino);
        if (change) change.path = joinPath(at, name);
        continue;
      }
      const natural = dir.lowerSrc?.children.get(name);
      const lowerSrc = rec.opaque
        ? null
        : rec.redirect !== undefined
          ? lowers.dirAt(rec.redirect)
          : natural?.kind === 'dir'
            ? natural
            : null;
      const child = new DirNode(rec.ino, rec, 'upper', lowerSrc, lowers.store);
      if (rec.origin !== undefined) child.layer = (byIno.get(rec.origin) ?? lowerSrc)?.layer ?? 0;
      child.upper = true;
      child.opaque = rec.opaque === true;
      child.redirect = rec.redirect;
      if (lowerSrc) {
        child.children.copyFrom(lowerSrc.children);
        child.subdirs = lowerSrc.subdirs;
      }
      dir.setChild(name, child);
      fill(child, rec.ino, joinPath(at, name));
    }
  };
  fill(root, ROOT_INO, '/');
  const orphans = [...inodes.values()]
    .filter((rec) => rec.kind !== 'dir' && rec.nlink === 0)
    .map((rec) => rec.ino);
  return {
    root,
    nextIno: snapshot.meta?.nextIno ?? FIRST_UPPER_INO,
    orphans,
    baseChanges: [...baseChanges.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
}
