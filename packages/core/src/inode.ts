/**
 * The objects of the merged namespace. A file or symlink object is shared by every
 * name that links to it (hard links) and keeps its identity across copy-up; a
 * directory is either a lower directory (shared, read-only) or an upper directory
 * with children of its own.
 */
import { type EntryStore, EntryTable } from './entry-store.js';
import type { EntryMeta, LowerLayer, UpperInode } from './layer.js';

/** The first inode number of the objects of lower `layer`; lower objects get `base + ordinal`. */
export const lowerInoBase = (layer: number): number => (layer + 1) * 2 ** 32;
export const ROOT_INO = 1;
/** Objects born in the upper are numbered from here, below every lower's range. */
export const FIRST_UPPER_INO = 2;

/** Where a lower object's bytes live. */
export interface LowerSource {
  /** Index into the overlay's lowers, 0 = top. */
  layer: number;
  /**
   * The lower object's inode number. Equal to the node's own number for the lower object itself
   * (copied up or not); another number for a copy of it (see `isCopy`), which `revert` makes.
   */
  ino: number;
  /** The lower entry's own metadata and link count, as the layer lists them. */
  meta: EntryMeta;
  nlink: number;
  ref: unknown;
  /** The object's first path in its layer (where a rename moved it from). */
  path: string;
  size: number;
  /** The lower's own mtime: with `size` (or `etag`), what tells a changed base object on reopen. */
  mtimeMs: number;
  /** The content's identity, where the layer gives one (`LowerEntry.etag`). */
  etag?: string;
  /**
   * The layer object itself: `layer` indexes the overlay's current stack, which a remount
   * replaces, while a handle opened before it keeps reading the layer it opened.
   */
  from?: LowerLayer;
}

/**
 * A copy of a lower object: an object of its own (its own inode number, born in the upper) that
 * reads a lower object's bytes. `revert` gives one to a name whose lower object lives on under
 * another name (it was renamed or linked away), so the two never share data or identity.
 */
export function isCopy(node: FileNode | SymlinkNode): boolean {
  return node.lower !== undefined && node.lower.ino !== node.ino;
}

/** A copy nothing has changed since it was made: it shows exactly its lower entry. */
export function isPristineCopy(node: FileNode | SymlinkNode): boolean {
  const lower = node.lower;
  if (lower === undefined || lower.ino === node.ino) return false;
  if (node.kind === 'file' && (node.dataUpper || node.size !== lower.size)) return false;
  return node.nlink === 1 && sameOwnerAndMode(node, lower.meta) && node.mtimeMs === lower.meta.mtimeMs;
}

/** Same permission bits and owner: what a directory's own change (chmod, chown) is about. */
export function sameOwnerAndMode(a: EntryMeta, b: EntryMeta): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid;
}

/** What identifies a lower object's bytes across reopening: its etag, else size and mtime. */
export function stampOf(source: LowerSource): string {
  return source.etag ?? `${source.size}:${source.mtimeMs}`;
}

abstract class BaseNode implements EntryMeta {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
  /** The lower layer the object was found in (topmost for a merged directory). */
  layer: number | 'upper';
  /** True once the upper holds a record of this object. */
  upper = false;
  /** This object's slot in its overlay's `EntryStore` while some name refers to it (0: none). */
  slot = 0;

  constructor(ino: number, meta: EntryMeta, layer: number | 'upper') {
    this.ino = ino;
    this.mode = meta.mode;
    this.uid = meta.uid;
    this.gid = meta.gid;
    this.atimeMs = meta.atimeMs;
    this.mtimeMs = meta.mtimeMs;
    this.ctimeMs = meta.ctimeMs;
    this.birthtimeMs = meta.birthtimeMs;
    this.layer = layer;
  }

  meta(): EntryMeta {
    return {
      mode: this.mode,
      uid: this.uid,
      gid: this.gid,
      atimeMs: this.atimeMs,
      mtimeMs: this.mtimeMs,
      ctimeMs: this.ctimeMs,
      birthtimeMs: this.birthtimeMs,
    };
  }

  setMeta(meta: EntryMeta): void {
    this.mode = meta.mode;
    this.uid = meta.uid;
    this.gid = meta.gid;
    this.atimeMs = meta.atimeMs;
    this.mtimeMs = meta.mtimeMs;
    this.ctimeMs = meta.ctimeMs;
    this.birthtimeMs = meta.birthtimeMs;
  }
}

/** A regular file; its bytes are chunks in the upper over an optional lower source. */
export class FileNode extends BaseNode {
  readonly kind = 'file';
  nlink: number;
  size: number;
  lower: LowerSource | undefined;
  /** Bytes at or past this offset never come from the lower (see `UpperInode.lowerLimit`). */
  lowerLimit: number;
  /** Indices of the chunks the upper holds for this file. */
  chunks = new Set<number>();
  /** False while a copied-up file is metadata-only: all its bytes still come from the lower. */
  dataUpper: boolean;
  /** Open handles; an unlinked file's data outlives its last name until they close. */
  openCount = 0;

  constructor(ino: number, meta: EntryMeta, layer: number | 'upper', size: number, lower?: LowerSource) {
    super(ino, meta, layer);
    this.nlink = 1;
    this.size = size;
    this.lower = lower;
    this.lowerLimit = lower ? size : 0;
    this.dataUpper = lower === undefined;
  }
}

export class SymlinkNode extends BaseNode {
  readonly kind = 'symlink';
  nlink = 1;
  target: string;
  lower: LowerSource | undefined;
  constructor(ino: number, meta: EntryMeta, layer: number | 'upper', target: string, lower?: LowerSource) {
    super(ino, meta, layer);
    this.target = target;
    this.lower = lower;
  }
}

/**
 * A directory. Lower directories (`upper === false`) are shared with the lower
 * index and never change; a change to one first copies it up into a new object.
 */
export class DirNode extends BaseNode {
  readonly kind = 'dir';
  /** The names in this directory, held in the overlay's wasm index. */
  readonly children: EntryTable;
  /** Number of children that are directories (for nlink). */
  subdirs = 0;
  /** The lower directory whose children this one merges; null when opaque or pure upper. */
  lowerSrc: DirNode | null;
  /** Lower directories only: how many lowers contribute to it, and its path there. */
  lowerCount = 0;
  lowerPath = '';
  opaque = false;
  redirect: string | undefined;
  /**
   * Cached sorted names, kept in step with `children` by setChild/deleteChild (a name spliced in
   * or out: a listing after one create in a big directory does not sort it all again). An upper
   * copy starts with its lower directory's array, copied before its first change.
   */
  sorted: string[] | undefined;
  #sortedShared = false;

  constructor(
    ino: number,
    meta: EntryMeta,
    layer: number | 'upper',
    lowerSrc: DirNode | null,
    store: EntryStore,
    /** A bulk-built lower directory's node in the index: it holds the names (see EntryTable). */
    lowerNode?: number,
  ) {
    super(ino, meta, layer);
    this.lowerSrc = lowerSrc;
    this.children = new EntryTable(store, lowerNode);
  }

  setChild(name: string, node: Node): void {
    const old = this.children.get(name);
    if (old?.kind === 'dir') this.subdirs--;
    if (node.kind === 'dir') this.subdirs++;
    this.children.set(name, node);
    if (old === undefined) this.#sortedEdit(name, true);
  }

  deleteChild(name: string): void {
    const old = this.children.get(name);
    if (old === undefined) return;
    if (old.kind === 'dir') this.subdirs--;
    this.children.delete(name);
    this.#sortedEdit(name, false);
  }

  /** Names in a stable order: the same tree always lists the same way. */
  names(): string[] {
    if (!this.sorted) {
      this.sorted = this.children.keys().sort(compareNames);
      this.#sortedShared = false;
    }
    return this.sorted;
  }

  /** Puts `name` into (or takes it out of) the cached sorted names, if there are any. */
  #sortedEdit(name: string, add: boolean): void {
    let sorted = this.sorted;
    if (sorted === undefined) return;
    if (this.#sortedShared) {
      sorted = sorted.slice();
      this.sorted = sorted;
      this.#sortedShared = false;
    }
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNames(sorted[mid] as string, name) < 0) lo = mid + 1;
      else hi = mid;
    }
    const there = sorted[lo] === name;
    if (add && !there) sorted.splice(lo, 0, name);
    else if (!add && there) sorted.splice(lo, 1);
  }

  /** A merged directory (in the upper over a lower, or in several lowers) reports nlink 1, as the kernel does. */
  get nlink(): number {
    const merged = this.upper ? this.lowerSrc !== null : this.lowerCount > 1;
    return merged ? 1 : 2 + this.subdirs;
  }

  /** An upper copy of this directory: same identity and metadata, children of its own. */
  copyUp(): DirNode {
    const copy = new DirNode(
      this.ino,
      this.meta(),
      this.layer,
      this.upper ? this.lowerSrc : this,
      this.children.store,
    );
    copy.children.copyFrom(this.children);
    copy.subdirs = this.subdirs;
    // Shared until either side changes (a lower directory never does).
    copy.sorted = this.sorted;
    copy.#sortedShared = this.sorted !== undefined;
    this.#sortedShared = copy.#sortedShared;
    copy.upper = true;
    return copy;
  }
}

export type Node = FileNode | DirNode | SymlinkNode;

// Code-unit order equals byte order for BMP names and is cheap; stable is what matters.
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The upper record of a node as it is now. */
export function toUpperInode(node: Node): UpperInode {
  const rec: UpperInode = { ino: node.ino, kind: node.kind, nlink: 1, ...node.meta() };
  if (node.kind === 'file') {
    rec.nlink = node.nlink;
    rec.size = node.size;
    if (node.lower) {
      setOrigin(rec, node);
      rec.lowerLimit = node.lowerLimit;
      if (!node.dataUpper) rec.metacopy = true;
    }
  } else if (node.kind === 'symlink') {
    rec.nlink = node.nlink;
    rec.target = node.target;
    if (node.lower) setOrigin(rec, node);
  } else {
    if (node.layer !== 'upper') rec.origin = node.ino;
    if (node.opaque) rec.opaque = true;
    if (node.redirect !== undefined) rec.redirect = node.redirect;
  }
  return rec;
}

/** Where a copied-up object came from: its lower inode number, and what identifies it if the lowers change. */
function setOrigin(rec: UpperInode, node: FileNode | SymlinkNode): void {
  const lower = node.lower as LowerSource;
  rec.origin = lower.ino;
  rec.originPath = lower.path;
  rec.originStamp = stampOf(lower);
}
