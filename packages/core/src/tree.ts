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
  mode?: number;
  uid?: number;
  gid?: number;
  mtimeMs?: number;
  atimeMs?: number;
}

export interface TreeFile extends TreeMeta {
  readonly kind: 'file';
  readonly data: Uint8Array;
}
export interface TreeDir extends TreeMeta {
  readonly kind: 'dir';
  readonly children: Tree;
  /** Hides the same directory's contents in the layers below this one. */
  readonly opaque?: boolean;
}
export interface TreeSymlink extends TreeMeta {
  readonly kind: 'symlink';
  readonly target: string;
}
/** A second name for a file described elsewhere in the same tree (absolute path). */
export interface TreeHardlink {
  readonly kind: 'hardlink';
  readonly target: string;
}
/** Hides the name in the layers below this one. */
export interface TreeWhiteout {
  readonly kind: 'whiteout';
}

export type TreeNode =
  | string
  | Uint8Array
  | Tree
  | TreeFile
  | TreeDir
  | TreeSymlink
  | TreeHardlink
  | TreeWhiteout;

/** A directory's children by name. */
export interface Tree {
  [name: string]: TreeNode;
}

const encoder = new TextEncoder();
/** Marks helper results so that a plain object is always a directory. */
const BRAND: unique symbol = Symbol.for('vellum.tree');
const brand = <T extends object>(node: T): T => Object.defineProperty(node, BRAND, { value: true });

/** A regular file with explicit metadata. */
export function file(data: string | Uint8Array, meta: TreeMeta = {}): TreeFile {
  return brand({ kind: 'file', data: typeof data === 'string' ? encoder.encode(data) : data, ...meta });
}

/** A directory with explicit metadata, optionally opaque. */
export function dir(children: Tree = {}, meta: TreeMeta & { opaque?: boolean } = {}): TreeDir {
  return brand({ kind: 'dir', children, ...meta });
}

/** A symbolic link. */
export function symlink(target: string, meta: TreeMeta = {}): TreeSymlink {
  return brand({ kind: 'symlink', target, ...meta });
}

/** Another name for the file at `target` (an absolute path inside the same tree). */
export function hardlink(target: string): TreeHardlink {
  return brand({ kind: 'hardlink', target });
}

/** A whiteout: the name is deleted as far as the layers below are concerned. */
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
