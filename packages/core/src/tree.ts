/**
 * The tree description language for building layers from plain objects.
 *
 * A plain object is a directory, a string or `Uint8Array` is a regular file, and
 * the helpers below describe everything else (modes, times, symlinks, hard links,
 * whiteouts, opaque directories), so a test or a user can write an OCI-like lower
 * with its own whiteouts as a literal.
 *
 * @example
 * ```ts
 * const lower = MemoryLayer.fromTree({
 *   'README.md': '# hello',
 *   bin: { run: file('#!/bin/sh\n', { mode: 0o755 }) },
 *   docs: dir({ 'a.txt': 'a' }, { opaque: true }),
 *   link: symlink('README.md'),
 *   same: hardlink('/README.md'),
 *   gone: whiteout(),
 * });
 * ```
 */

/** Metadata a tree entry may carry; anything omitted takes the layer's default. */
export interface TreeMeta {
  /** Permission bits (`0o644`, `0o755`, …). */
  mode?: number;
  /** Owner's user id. */
  uid?: number;
  /** Owner's group id. */
  gid?: number;
  /** Modification time, milliseconds since the epoch. */
  mtimeMs?: number;
  /** Access time, milliseconds since the epoch. */
  atimeMs?: number;
}

/** A regular file with metadata: what {@link file} returns. */
export interface TreeFile extends TreeMeta {
  /** A regular file. */
  readonly kind: 'file';
  /** Its contents. */
  readonly data: Uint8Array;
}
/** A directory with metadata: what {@link dir} returns. */
export interface TreeDir extends TreeMeta {
  /** A directory. */
  readonly kind: 'dir';
  /** Its entries by name. */
  readonly children: Tree;
  /** Hides the same directory's contents in the layers below this one. */
  readonly opaque?: boolean;
}
/** A symbolic link: what {@link symlink} returns. */
export interface TreeSymlink extends TreeMeta {
  /** A symbolic link. */
  readonly kind: 'symlink';
  /** The link's target, stored as given. */
  readonly target: string;
}
/** A second name for a file described elsewhere in the same tree (absolute path). */
export interface TreeHardlink {
  /** A hard link. */
  readonly kind: 'hardlink';
  /** The absolute path, in the same tree, of the file this name shares. */
  readonly target: string;
}
/** Hides the name in the layers below this one. */
export interface TreeWhiteout {
  /** A whiteout. */
  readonly kind: 'whiteout';
}

/**
 * One entry of a {@link Tree}: a string or bytes (a file), a plain object (a directory),
 * or what one of the helpers returns.
 */
export type TreeNode =
  | string
  | Uint8Array
  | Tree
  | TreeFile
  | TreeDir
  | TreeSymlink
  | TreeHardlink
  | TreeWhiteout;

/**
 * A directory's children by name: the literal `MemoryLayer.fromTree` and the `memory`
 * descriptor take.
 *
 * @example
 * ```ts
 * const tree: Tree = { 'README.md': '# hello', src: { 'main.ts': 'console.log(1)' } };
 * const layer = MemoryLayer.fromTree(tree);
 * ```
 */
export interface Tree {
  /** A child: a file (string or bytes), a directory (a plain object), or a helper's result. */
  [name: string]: TreeNode;
}

const encoder = new TextEncoder();
/** Marks helper results so that a plain object is always a directory. */
const BRAND: unique symbol = Symbol.for('vellum.tree');
const brand = <T extends object>(node: T): T => Object.defineProperty(node, BRAND, { value: true });

/**
 * A regular file with explicit metadata (a string is stored as UTF-8).
 *
 * @example
 * ```ts
 * MemoryLayer.fromTree({ bin: { run: file('#!/bin/sh\necho hi\n', { mode: 0o755 }) } });
 * ```
 */
export function file(data: string | Uint8Array, meta: TreeMeta = {}): TreeFile {
  return brand({ kind: 'file', data: typeof data === 'string' ? encoder.encode(data) : data, ...meta });
}

/**
 * A directory with explicit metadata, optionally opaque.
 *
 * @example
 * ```ts
 * // An upper-style lower: its `docs` hides the lower layers' `docs` entirely.
 * MemoryLayer.fromTree({ docs: dir({ 'index.md': '# new docs' }, { opaque: true, mode: 0o750 }) });
 * ```
 */
export function dir(children: Tree = {}, meta: TreeMeta & { opaque?: boolean } = {}): TreeDir {
  return brand({ kind: 'dir', children, ...meta });
}

/**
 * A symbolic link.
 *
 * @example
 * ```ts
 * MemoryLayer.fromTree({ 'README.md': '# hello', 'readme.txt': symlink('README.md') });
 * ```
 */
export function symlink(target: string, meta: TreeMeta = {}): TreeSymlink {
  return brand({ kind: 'symlink', target, ...meta });
}

/**
 * Another name for the file at `target` (an absolute path inside the same tree).
 *
 * @example
 * ```ts
 * MemoryLayer.fromTree({ 'a.txt': 'shared', 'b.txt': hardlink('/a.txt') }); // one file, nlink 2
 * ```
 */
export function hardlink(target: string): TreeHardlink {
  return brand({ kind: 'hardlink', target });
}

/**
 * A whiteout: the name is deleted as far as the layers below are concerned.
 *
 * @example
 * ```ts
 * // A patch layer over `base` that deletes base's old.txt.
 * const patch = MemoryLayer.fromTree({ 'old.txt': whiteout() });
 * const ov = await Overlay.create({ lowers: [patch, base], upper: new MemoryUpper() });
 * ```
 */
export function whiteout(): TreeWhiteout {
  return brand({ kind: 'whiteout' });
}

/** Classifies a tree node; plain objects are directories, helper results carry a brand. */
export function describeNode(node: TreeNode): TreeFile | TreeDir | TreeSymlink | TreeHardlink | TreeWhiteout {
  if (typeof node === 'string' || node instanceof Uint8Array) return file(node);
  // The brand, not the shape, decides: a directory may have a child named "kind".
  if (BRAND in node) return node as TreeFile | TreeDir | TreeSymlink | TreeHardlink | TreeWhiteout;
  return dir(node as Tree);
}
