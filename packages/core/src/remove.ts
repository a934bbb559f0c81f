/** Removing names: unlink, rmdir and recursive removal, with whiteouts where a lower still has the name. */
import type { DirNode, Node } from './inode.js';
import type { Located } from './lookup.js';
import type { Namespace } from './namespace.js';
import type { Txn } from './txn.js';

/** One name of `node` is gone: drop the object with its last name (unless still open). */
export function dropLink(ns: Namespace, node: Node, tx: Txn): void {
  if (node.kind === 'dir') {
    dropDir(ns, node, tx);
    return;
  }
  tx.write(node);
  node.nlink--;
  node.ctimeMs = Date.now();
  if (node.nlink > 0) {
    // A lower object that keeps other names needs a record to remember its link
    // count across reopening (the kernel's index does the same).
    node.upper = true;
    return;
  }
  if (node.kind === 'file' && node.openCount > 0) return; // dropped by the last close
  if (node.upper) {
    node.upper = false;
    tx.put({ op: 'drop-inode', ino: node.ino });
  }
  // The object is shared with the lower index: `revert` may show its entry again, as the lowers have it.
  if (node.layer !== 'upper') ns.lowerAgain(node, tx);
}

/**
 * A directory leaves the tree with everything in it. Only what has a record, or gets one, needs
 * work: an upper directory (its record goes), a file or symlink with a record or with other
 * names (a link count to keep). The index lists the names that may be such, the directories
 * below included, each after its names (`visits`); the rest are pristine lower entries, whose
 * objects are never made just to be dropped.
 */
function dropDir(ns: Namespace, dir: DirNode, tx: Txn): void {
  const store = dir.children.store;
  for (const value of dir.children.visits(true)) {
    const node = store.found(value);
    if (node.kind === 'dir') dropDirRecord(node, tx);
    else if (node.upper || node.nlink > 1) dropLink(ns, node, tx);
  }
  dropDirRecord(dir, tx);
}

function dropDirRecord(dir: DirNode, tx: Txn): void {
  if (!dir.upper) return;
  tx.save(dir);
  dir.upper = false;
  tx.put({ op: 'drop-inode', ino: dir.ino });
}

/** Removes the located name (any kind) from its parent, which is copied up first. */
export function removeName(ns: Namespace, loc: Located, tx: Txn): void {
  const node = loc.node as Node;
  const parent = ns.upperChain(loc, tx);
  ns.dropName(parent, loc.name, tx);
  ns.touchDir(parent, tx);
  dropLink(ns, node, tx);
}
