/**
 * Reverting one path to the base. The one rule: afterwards the path reads exactly what the lowers
 * have at that name (in the lower directory its parent merges, or for a parent that merges none, at
 * its place in the lowers), and no other path changes, except
 * the other names of a file the lowers themselves hard-link to this one. The name first loses
 * whatever it holds (as an unlink or `rm -r` would, without a whiteout), then gets the lowers'
 * entry back (`lowerView`): the lower object itself where nothing else uses it, else a copy.
 */
import { Kind } from '@vellum/wasm';
import { FsError } from './errors.js';
import { DirNode, FileNode, type LowerSource, type Node, SymlinkNode } from './inode.js';
import type { Located } from './lookup.js';
import type { Namespace } from './namespace.js';
import { dropLink } from './remove.js';
import type { Txn } from './txn.js';

export function revertName(ns: Namespace, loc: Located, path: string, tx: Txn): void {
  if (loc.dirs.length === 0) throw new FsError('EINVAL', 'revert', path);
  const parent = loc.dirs[loc.dirs.length - 1];
  if (parent === undefined) throw new FsError('EINVAL', 'revert', path);
  // The lower directory the parent merges (its own merge source, or itself while still a lower
  // one); for a parent that merges none (opaque, or born in the upper), the lowers' directory at
  // its place, whose entry cannot show through it: the name then gets a copy of that entry.
  const merged = parent.upper ? parent.lowerSrc : parent;
  const lowerDir = merged ?? ns.lowerIndex.dirAt(lowerPathOf(loc));
  const base = lowerDir?.children.get(loc.name);
  const current = loc.node;
  if (current === undefined && base === undefined) throw new FsError('ENOENT', 'revert', path);
  if (current !== undefined && current.kind === 'dir' && current.redirect !== undefined) {
    // The lower contents of a moved directory belong to its old name: put it back there instead.
    throw new FsError('EINVAL', 'revert', path, undefined, {
      cause: new Error(`'${path}' was renamed from '${current.redirect}'; rename it back to revert it`),
    });
  }
  if (current === base && (current === undefined || !current.upper)) {
    // Nothing of ours at the name itself; a lower directory may still show a file the lowers
    // hard-link to a name elsewhere that was changed there: as the lowers have it again.
    if (current?.kind === 'dir') for (const node of linkedInside(current)) restore(ns, node, 0, tx);
    return;
  }
  if (base !== undefined && base.kind !== 'dir' && base.nlink === 0 && base !== current) {
    // Removed while open: the open object holds bytes that are no longer the lower's.
    throw new FsError('EBUSY', 'revert', path, undefined, {
      cause: new Error(`'${path}' was removed while open; close it first`),
    });
  }
  // The name first loses what it holds, as an unlink or rm -r would (no whiteout).
  const live = ns.upperChain(loc, tx);
  if (current !== undefined) {
    tx.deleteChild(live, loc.name);
    dropLink(ns, current, tx);
  }
  if (base === undefined) {
    ns.dropName(live, loc.name, tx);
  } else {
    const back = merged === null ? copyOf(ns, base, tx, new Map()) : lowerView(ns, base, tx);
    tx.setChild(live, loc.name, back);
    // The lower object itself shows through the merge; a copy is a name of the upper's.
    if (back === base) tx.put({ op: 'drop-dirent', parent: live.ino, name: loc.name });
    else tx.put({ op: 'put-dirent', dirent: { parent: live.ino, name: loc.name, ino: back.ino } });
  }
  ns.touchDir(live, tx);
}

/**
 * Where the lowers have the parent of `loc`'s name: the path of the nearest directory on the chain
 * that merges a lower one (its lower path, which a rename keeps), with the names below it.
 */
function lowerPathOf(loc: Located): string {
  const below: string[] = [];
  for (let i = loc.dirs.length - 1; i >= 0; i--) {
    const dir = loc.dirs[i] as DirNode;
    const merged = dir.upper ? dir.lowerSrc : dir;
    if (merged !== null) return [merged.lowerPath === '/' ? '' : merged.lowerPath, ...below].join('/') || '/';
    below.unshift(loc.names[i] as string);
  }
  return `/${below.slice(1).join('/')}`;
}

/**
 * What a reverted name shows for the lowers' entry `base`, once the name's own object is gone.
 * A file or symlink:
 * - untouched, or back as the lowers have it since its last name went (see `dropLink`): `base`;
 * - one the lowers give several names (hard links) that still has other names: `base`, one name
 *   more, with its data and metadata back as the lowers have them (its other names are hard
 *   links of it, and read the same);
 * - one that lives on under other names (renamed or linked away), or only in open handles: a
 *   copy of its lower entry with an inode number of its own (`isCopy`), so that the moved object
 *   keeps its content, number and identity and the two never share a byte.
 * A directory: the lower directory itself, its hard-linked files counted and restored as above,
 * unless something of it lives on elsewhere (a file renamed or linked out of it, or it or a
 * directory in or above it moved away: the moved directory merges the same lower objects). Then
 * a copy of it: a new opaque directory of copies, every object with a number of its own.
 */
function lowerView(ns: Namespace, base: Node, tx: Txn): Node {
  if (base.kind !== 'dir') {
    // Open after its last name went (this one): the handles keep it, as after an unlink.
    if (base.nlink === 0 || livesOn(base)) return copyOf(ns, base, tx, new Map());
    if (base.upper) restore(ns, base, 1, tx);
    return base;
  }
  const inside = linkedInside(base);
  if (inside.some(livesOn) || movedAway(ns.root, base.lowerPath)) return copyOf(ns, base, tx, new Map());
  for (const node of inside) restore(ns, node, 1, tx);
  return base;
}

/** The files and symlinks with a record under a lower directory, once per name (see `visits`). */
function linkedInside(dir: DirNode): (FileNode | SymlinkNode)[] {
  const out: (FileNode | SymlinkNode)[] = [];
  for (const value of dir.children.visits(true)) {
    const node = dir.children.store.found(value);
    if (node.kind !== 'dir' && node.upper) out.push(node);
  }
  return out;
}

/** A lower object whose other names are not its lowers' hard links: renamed or linked away. */
function livesOn(node: FileNode | SymlinkNode): boolean {
  return node.upper && node.nlink > 0 && (node.lower?.nlink ?? 1) <= 1;
}

/** A lower hard-linked file gets `more` names and is as the lowers have it again, its count kept. */
function restore(ns: Namespace, node: FileNode | SymlinkNode, more: number, tx: Txn): void {
  if (node.nlink === 0) {
    // Removed while open: the open object holds bytes that are no longer the lower's.
    throw new FsError('EBUSY', 'revert', node.lower?.path, undefined, {
      cause: new Error(`'${node.lower?.path}' was removed while open; close it first`),
    });
  }
  const names = node.nlink + more;
  ns.lowerAgain(node, tx);
  tx.put({ op: 'drop-inode', ino: node.ino }); // its chunks go; the record is written again
  ns.rememberLower(node);
  tx.write(node);
  node.nlink = names;
  node.upper = true;
  node.ctimeMs = Date.now();
}

/**
 * A copy of a lower entry: files and symlinks read the lower object's bytes under a number of
 * their own; a directory is a new opaque one of copies (hard links within it stay one copy).
 */
function copyOf(ns: Namespace, node: Node, tx: Txn, copies: Map<Node, FileNode | SymlinkNode>): Node {
  if (node.kind === 'dir') {
    const dir = new DirNode(ns.allocIno(tx), node.meta(), 'upper', null, ns.lowerIndex.store);
    dir.upper = true;
    dir.opaque = true;
    tx.write(dir);
    for (const name of node.names())
      ns.addName(dir, name, copyOf(ns, node.children.get(name) as Node, tx, copies), tx);
    return dir;
  }
  const known = copies.get(node);
  if (known !== undefined) {
    tx.write(known);
    known.nlink++;
    return known;
  }
  const lower = node.lower as LowerSource; // a lower object always has its source
  const ino = ns.allocIno(tx);
  const copy =
    node.kind === 'file'
      ? new FileNode(ino, lower.meta, 'upper', lower.size, lower)
      : new SymlinkNode(ino, lower.meta, 'upper', node.target, lower);
  copy.upper = true;
  tx.write(copy);
  copies.set(node, copy);
  return copy;
}

/** Whether a live directory moved elsewhere merges the lower directory at `path`, one in it or one above it. */
function movedAway(root: DirNode, path: string): boolean {
  const related = (other: string): boolean =>
    other === path ||
    other.startsWith(`${path === '/' ? '' : path}/`) ||
    path.startsWith(`${other === '/' ? '' : other}/`);
  const visit = (dir: DirNode): boolean => {
    const table = dir.children;
    const index = table.store.index;
    for (const id of table.touched()) {
      // A container's own names are not typed in the index: their objects say what they are.
      if (index.kind(id) === Kind.Whiteout) continue;
      const child = table.store.nodeObject(id);
      if (child.kind !== 'dir' || !child.upper) continue;
      if (child.redirect !== undefined && child.lowerSrc !== null && related(child.lowerSrc.lowerPath))
        return true;
      if (visit(child)) return true;
    }
    return false;
  };
  return visit(root);
}
