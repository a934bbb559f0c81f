/**
 * The engine's removal and revert as they were before the wasm index listed what they must
 * visit (remove.ts and revert.ts at 2ac709f, verbatim but for the names, and for what each does
 * to one object, which follows the engine: a lower object whose last name goes is the lowers'
 * again, a reverted name counts in its object's links): every child's object is made and
 * checked. The model the property test compares the new code against.
 */
import { FsError } from '../../src/errors.js';
import type { DirNode, Node } from '../../src/inode.js';
import type { Located } from '../../src/lookup.js';
import type { Namespace } from '../../src/namespace.js';
import type { Txn } from '../../src/txn.js';

export function oldDropLink(ns: Namespace, node: Node, tx: Txn): void {
  if (node.kind === 'dir') {
    oldDropDir(ns, node, tx);
    return;
  }
  tx.write(node);
  node.nlink--;
  node.ctimeMs = Date.now();
  if (node.nlink > 0) {
    node.upper = true;
    return;
  }
  if (node.kind === 'file' && node.openCount > 0) return;
  if (node.upper) {
    node.upper = false;
    tx.put({ op: 'drop-inode', ino: node.ino });
  }
  if (node.layer !== 'upper') ns.lowerAgain(node, tx);
}

function oldDropDir(ns: Namespace, dir: DirNode, tx: Txn): void {
  for (const child of dir.children.values()) {
    if (child.kind === 'dir') oldDropDir(ns, child, tx);
    else if (child.upper || child.nlink > 1) oldDropLink(ns, child, tx);
  }
  if (dir.upper) {
    tx.save(dir);
    dir.upper = false;
    tx.put({ op: 'drop-inode', ino: dir.ino });
  }
}

export function oldRemoveName(ns: Namespace, loc: Located, tx: Txn): void {
  const node = loc.node as Node;
  const parent = ns.upperChain(loc, tx);
  ns.dropName(parent, loc.name, tx);
  ns.touchDir(parent, tx);
  oldDropLink(ns, node, tx);
}

export function oldRevertName(ns: Namespace, loc: Located, path: string, tx: Txn): void {
  if (loc.dirs.length === 0) throw new FsError('EINVAL', 'revert', path);
  const parent = loc.dirs[loc.dirs.length - 1];
  if (parent === undefined) throw new FsError('EINVAL', 'revert', path);
  const base = parent.lowerSrc?.children.get(loc.name);
  const current = loc.node;
  if (current === undefined && base === undefined) throw new FsError('ENOENT', 'revert', path);
  if (current !== undefined && current.kind === 'dir' && current.redirect !== undefined) {
    throw new FsError('EINVAL', 'revert', path, undefined, {
      cause: new Error(`'${path}' was renamed from '${current.redirect}'; rename it back to revert it`),
    });
  }
  if (current === base && (current === undefined || !current.upper)) return;
  const live = ns.upperChain(loc, tx);
  if (current !== undefined) oldForget(ns, current, tx);
  if (base !== undefined) {
    if (current !== base && base.kind !== 'dir') {
      if (base.nlink === 0) throw new FsError('EBUSY', 'revert', path);
      if (base.upper) {
        tx.write(base);
        base.nlink++;
        base.ctimeMs = Date.now();
      }
    }
    tx.setChild(live, loc.name, base);
    tx.put({ op: 'drop-dirent', parent: live.ino, name: loc.name });
  } else {
    ns.dropName(live, loc.name, tx);
  }
  ns.touchDir(live, tx);
}

function oldForget(ns: Namespace, node: Node, tx: Txn): void {
  if (node.kind === 'dir') {
    if (!node.upper) return;
    for (const child of node.children.values()) oldForget(ns, child, tx);
    tx.save(node);
    node.upper = false;
    tx.put({ op: 'drop-inode', ino: node.ino });
    return;
  }
  if (node.layer === 'upper') {
    oldDropLink(ns, node, tx);
    return;
  }
  if (!node.upper) return;
  ns.lowerAgain(node, tx);
  tx.put({ op: 'drop-inode', ino: node.ino });
}
