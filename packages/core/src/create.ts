/** Creating names: directories, files, symlinks and hard links. */
import { FsError } from './errors.js';
import { DirNode, FileNode, type Node, SymlinkNode } from './inode.js';
import type { Located } from './lookup.js';
import type { Namespace } from './namespace.js';
import type { Txn } from './txn.js';

/** Puts a new upper object under the located name (parents copied up first). */
function place(ns: Namespace, loc: Located, node: Node, tx: Txn): DirNode {
  const parent = ns.upperChain(loc, tx);
  node.upper = true;
  tx.write(node);
  ns.addName(parent, loc.name, node, tx);
  ns.touchDir(parent, tx);
  return parent;
}

/**
 * A new directory. Inside a merged parent it is opaque, as the kernel makes it
 * with `redirect_dir=on`: a lower directory of the same name (deleted earlier)
 * must not show through.
 */
export function makeDir(ns: Namespace, loc: Located, mode: number, tx: Txn): DirNode {
  const dir = new DirNode(ns.allocIno(tx), ns.newMeta(mode), 'upper', null, ns.lowerIndex.store);
  dir.opaque = place(ns, loc, dir, tx).lowerSrc !== null;
  return dir;
}

export function makeFile(ns: Namespace, loc: Located, mode: number, tx: Txn): FileNode {
  const node = new FileNode(ns.allocIno(tx), ns.newMeta(mode), 'upper', 0);
  place(ns, loc, node, tx);
  return node;
}

export function makeSymlink(ns: Namespace, loc: Located, target: string, tx: Txn): SymlinkNode {
  // Symlink permissions are always 0777 on Linux, whatever the umask.
  const meta = { ...ns.newMeta(0), mode: 0o777 };
  const node = new SymlinkNode(ns.allocIno(tx), meta, 'upper', target);
  place(ns, loc, node, tx);
  return node;
}

/** A second name for `node` (already copied up by the caller, as `link` copies up its source). */
export function addLink(ns: Namespace, loc: Located, node: Node, tx: Txn): void {
  if (node.kind === 'dir') throw new FsError('EPERM', 'link');
  const parent = ns.upperChain(loc, tx);
  tx.write(node);
  node.nlink++;
  node.ctimeMs = Date.now();
  ns.addName(parent, loc.name, node, tx);
  ns.touchDir(parent, tx);
}
