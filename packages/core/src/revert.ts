/**
 * Reverting one path to the base: whatever the upper holds at that name (a
 * whiteout, a copy-up, a new object, a replaced directory) is dropped, and the
 * lowers' entry shows through again, as if the name had never been touched.
 */
import { FsError } from './errors.js';
import type { Node } from './inode.js';
import type { Located } from './lookup.js';
import type { Namespace } from './namespace.js';
import { dropLink } from './remove.js';
import type { Txn } from './txn.js';

export function revertName(ns: Namespace, loc: Located, path: string, tx: Txn): void {
  if (loc.dirs.length === 0) throw new FsError('EINVAL', 'revert', path);
  const parent = loc.dirs[loc.dirs.length - 1];
  if (parent === undefined) throw new FsError('EINVAL', 'revert', path);
  const base = parent.lowerSrc?.children.get(loc.name);
  const current = loc.node;
  if (current === undefined && base === undefined) throw new FsError('ENOENT', 'revert', path);
  if (current !== undefined && current.kind === 'dir' && current.redirect !== undefined) {
    // The lower contents of a moved directory belong to its old name: put it back there instead.
    throw new FsError('EINVAL', 'revert', path, undefined, {
      cause: new Error(`'${path}' was renamed from '${current.redirect}'; rename it back to revert it`),
    });
  }
  if (current === base && (current === undefined || !current.upper)) return; // nothing of ours here
  const live = ns.upperChain(loc, tx);
  if (current !== undefined) forget(ns, current, tx);
  if (base !== undefined) {
    if (current !== base) bringBack(base, path, tx);
    tx.setChild(live, loc.name, base);
    tx.put({ op: 'drop-dirent', parent: live.ino, name: loc.name });
  } else {
    ns.dropName(live, loc.name, tx);
  }
  ns.touchDir(live, tx);
}

/**
 * Drops what the upper holds for a node and, for a directory, everything under
 * it: lower objects go back to how the lowers describe them (they are shared
 * with the lower index), objects born in the upper lose this name.
 */
function forget(ns: Namespace, node: Node, tx: Txn): void {
  if (node.kind === 'dir') {
    if (!node.upper) return; // a lower directory: nothing below it is ours
    // Names without an object (pristine lower entries) hold nothing of ours: not made to find out.
    const store = node.children.store;
    for (const value of node.children.visits(false)) forget(ns, store.found(value), tx);
    tx.save(node);
    node.upper = false;
    tx.put({ op: 'drop-inode', ino: node.ino });
    return;
  }
  if (node.layer === 'upper') {
    dropLink(ns, node, tx);
    return;
  }
  if (!node.upper) return;
  ns.lowerAgain(node, tx);
  tx.put({ op: 'drop-inode', ino: node.ino });
}

/**
 * The lower object a name gets back. One whose names all went is as the lowers have it (see
 * `dropLink`) unless it is still open, holding bytes that are no longer the lower's: refused
 * until closed. One that kept another name (a hard link) counts this one again.
 */
function bringBack(base: Node, path: string, tx: Txn): void {
  if (base.kind === 'dir') return;
  if (base.nlink === 0) {
    throw new FsError('EBUSY', 'revert', path, undefined, {
      cause: new Error(`'${path}' was removed while open; close it first`),
    });
  }
  if (!base.upper) return;
  tx.write(base);
  base.nlink++;
  base.ctimeMs = Date.now();
}
