/**
 * rename(2) over the merged tree. Directories from the lowers move like any
 * other (no EXDEV): the moved directory records where its lower contents live
 * (a redirect), the old name is whited out, and the children follow without
 * being touched.
 */
import { FsError } from './errors.js';
import type { DirNode, Node } from './inode.js';
import { type Located, parentOf } from './lookup.js';
import type { Namespace } from './namespace.js';
import { lastDots } from './path.js';
import { dropLink } from './remove.js';
import type { Txn } from './txn.js';

/** renameat2(2)'s flags, which `node:fs` does not expose. */
export interface RenameFlags {
  /** Fail with EEXIST instead of replacing an existing destination (RENAME_NOREPLACE). */
  noReplace?: boolean;
  /** Swap the two names atomically; both must exist (RENAME_EXCHANGE). */
  exchange?: boolean;
}

export function rename(
  ns: Namespace,
  oldPath: string,
  newPath: string,
  tx: Txn,
  flags: RenameFlags = {},
): FsError | undefined {
  const fail = (
    code: 'ENOENT' | 'EBUSY' | 'ENOTDIR' | 'EISDIR' | 'ENOTEMPTY' | 'EINVAL' | 'EEXIST',
  ): FsError => new FsError(code, 'rename', oldPath, newPath);
  const walk = (path: string): Located => {
    try {
      return ns.locate(path, { follow: false, syscall: 'rename', display: path, entry: true });
    } catch (error) {
      if (error instanceof FsError) throw new FsError(error.code, 'rename', oldPath, newPath);
      throw error;
    }
  };
  const src = walk(oldPath);
  let dst = walk(newPath);
  // A last component '.' or '..' on either side, whatever it names: EBUSY (the kernel's check
  // of both names before it looks at what they hold).
  if (lastDots(oldPath) !== '' || lastDots(newPath) !== '') throw fail('EBUSY');
  const node = src.node;
  if (node === undefined) throw fail('ENOENT');
  if (src.dirs.length === 0 || dst.dirs.length === 0) throw fail('EBUSY');
  const target = dst.node;
  if (flags.noReplace && target !== undefined) throw fail('EEXIST');
  // The kernel: unless the source is a directory, a trailing slash on either name is ENOTDIR
  // (a symlink named 'link/' is moved as itself, so it is refused too).
  if (flags.exchange && target !== undefined && target.kind !== 'dir' && dst.trailingSlash)
    throw fail('ENOTDIR');
  if (node.kind !== 'dir' && (src.trailingSlash || (!flags.exchange && dst.trailingSlash)))
    throw fail('ENOTDIR');
  if (flags.exchange) {
    if (target === undefined) throw fail('ENOENT');
    // Either one inside the other would make a loop.
    const inside = (a: Node, chain: DirNode[]): boolean => a.kind === 'dir' && chain.includes(a);
    if (inside(node, dst.dirs) || inside(target, src.dirs)) throw fail('EINVAL');
    if (target !== node) exchange(ns, src, newPath, walk, tx);
    return undefined;
  }
  // The kernel checks ancestry before types: moving a directory under itself, or
  // onto one of the source's own ancestors.
  if (node.kind === 'dir' && dst.dirs.includes(node)) throw fail('EINVAL');
  if (target?.kind === 'dir' && src.dirs.includes(target)) throw fail('ENOTEMPTY');
  if (target === node) return undefined; // the same object (or two links of it): nothing to do
  if (node.kind === 'dir') {
    if (target !== undefined) {
      if (target.kind !== 'dir') throw fail('ENOTDIR');
      if (target.children.size > 0) {
        if (!(target.upper && target.lowerSrc === null)) throw fail('ENOTEMPTY');
        return refusedByUpper(ns, src, newPath, walk, tx, fail('ENOTEMPTY'));
      }
    }
  } else {
    if (target?.kind === 'dir') throw fail('EISDIR');
    if (dst.trailingSlash && target === undefined) throw fail('ENOTDIR');
  }

  const moving = ns.copyUp(src, tx, false);
  const srcParent = parentOf(src);
  const srcName = src.name;
  // Copying up the source's chain may have replaced directories the destination walk saw.
  dst = walk(newPath);
  const dstParent = ns.upperChain(dst, tx);
  if (dst.node !== undefined) dropLink(ns, dst.node, tx);
  ns.dropName(srcParent, srcName, tx);
  ns.addName(dstParent, dst.name, moving, tx);
  if (moving.kind === 'dir') placeDir(moving, dstParent, dst.name, tx);
  ns.touchDir(srcParent, tx);
  if (dstParent !== srcParent) ns.touchDir(dstParent, tx);
  tx.write(moving);
  moving.ctimeMs = Date.now();
  return undefined;
}

/**
 * The kernel checks a merged or lower target for emptiness itself, but leaves a
 * pure-upper target to the upper filesystem's rename, after it has copied up the
 * source and the destination's parents; the upper filesystem (ext4, with
 * RENAME_WHITEOUT) has also touched the source's parent by then. Those effects
 * stay although the rename fails, so they are committed and the error returned.
 */
function refusedByUpper(
  ns: Namespace,
  src: Located,
  newPath: string,
  walk: (path: string) => Located,
  tx: Txn,
  error: FsError,
): FsError {
  ns.copyUp(src, tx, false);
  const srcParent = parentOf(src);
  ns.upperChain(walk(newPath), tx);
  if (srcParent.lowerSrc?.children.has(src.name)) ns.touchDir(srcParent, tx);
  return error;
}

/** Swaps two existing names: both objects are copied up, no whiteout is needed. */
function exchange(
  ns: Namespace,
  src: Located,
  newPath: string,
  walk: (path: string) => Located,
  tx: Txn,
): void {
  const a = ns.copyUp(src, tx, false);
  const aParent = parentOf(src);
  // Copying up one side may have replaced directories the other walk saw; upper
  // directories are never replaced, so `src` stays valid after the second copy-up.
  const dst = walk(newPath);
  const b = ns.copyUp(dst, tx, false);
  const bParent = parentOf(dst);
  ns.addName(aParent, src.name, b, tx);
  ns.addName(bParent, dst.name, a, tx);
  if (b.kind === 'dir') placeDir(b, aParent, src.name, tx);
  if (a.kind === 'dir') placeDir(a, bParent, dst.name, tx);
  ns.touchDir(aParent, tx);
  if (bParent !== aParent) ns.touchDir(bParent, tx);
  const now = Date.now();
  for (const node of [a, b]) {
    tx.write(node);
    node.ctimeMs = now;
  }
}

/**
 * Records how a moved directory finds its lower contents from its new place:
 * nothing if the lower directory there is its own, a redirect if it merges one
 * from elsewhere, opaque if it merges none and would otherwise pick one up.
 */
function placeDir(dir: DirNode, parent: DirNode, name: string, tx: Txn): void {
  tx.write(dir);
  const natural = parent.lowerSrc?.children.get(name);
  const naturalDir: Node | undefined = natural?.kind === 'dir' ? natural : undefined;
  if (dir.lowerSrc === null) {
    dir.redirect = undefined;
    if (parent.lowerSrc !== null) dir.opaque = true;
  } else if (dir.lowerSrc === naturalDir) {
    dir.redirect = undefined;
  } else {
    dir.redirect = dir.lowerSrc.lowerPath;
  }
}
