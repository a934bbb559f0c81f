/** Creating names: directories, files, symlinks and hard links. */
import { FsError } from './errors.js';
import { DirNode, FileNode, type Node, SymlinkNode } from './inode.js';
import type { Located } from './lookup.js';
import type { Namespace } from './namespace.js';
import type { Txn } from './txn.js';

/**
 * A new directory. Inside a merged parent it is opaque, as the kernel makes it
 * with `redirect_dir=on`: a lower directory of the same name (deleted earlier)
 * must not show through.
 */
export function makeDir(ns: Namespace, loc: Located, mode: number, tx: Txn): DirNode {
  const parent = ns.upperChain(loc, tx);
  const dir = new DirNode(ns.allocIno(tx), ns.newMeta(mode), 'upper', null);
  dir.upper = true;
  dir.opaque = parent.lowerSrc !== null;
  tx.write(dir);
  ns.addName(parent, loc.name, dir, tx);
  ns.touchDir(parent, tx);
  return dir;
}

export function makeFile(ns: Namespace, loc: Located, mode: number, tx: Txn): FileNode {
  const parent = ns.upperChain(loc, tx);
  const node = new FileNode(ns.allocIno(tx), ns.newMeta(mode), 'upper', 0);
  node.upper = true;
  tx.write(node);
  ns.addName(parent, loc.name, node, tx);
  ns.touchDir(parent, tx);
  return node;
}

export function makeSymlink(ns: Namespace, loc: Located, target: string, tx: Txn): SymlinkNode {
  const parent = ns.upperChain(loc, tx);
  const meta = ns.newMeta(0o777);
  meta.mode = 0o777; // symlink permissions are always 0777 on Linux
  const node = new SymlinkNode(ns.allocIno(tx), meta, 'upper', target);
  node.upper = true;
  tx.write(node);
  ns.addName(parent, loc.name, node, tx);
  ns.touchDir(parent, tx);
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

/** Fails unless the located name is free, as every create does. */
export function requireFree(loc: Located, syscall: string, path: string): void {
  if (loc.node !== undefined) throw new FsError('EEXIST', syscall, path);
}
