/**
 * Metadata changes. On a lower object they copy up metadata only (metacopy):
 * reads keep coming from the lower until the first data write.
 */
import type { Node } from './inode.js';
import type { Located } from './lookup.js';
import type { Namespace } from './namespace.js';
import type { Txn } from './txn.js';

export interface AttrChange {
  mode?: number;
  uid?: number;
  gid?: number;
  atimeMs?: number;
  mtimeMs?: number;
}

export function setAttr(ns: Namespace, loc: Located, change: AttrChange, tx: Txn): Node {
  const node = ns.copyUp(loc, tx, false);
  tx.write(node);
  if (change.mode !== undefined) node.mode = change.mode & 0o7777;
  if (change.uid !== undefined && change.uid !== -1) node.uid = change.uid;
  if (change.gid !== undefined && change.gid !== -1) node.gid = change.gid;
  if (change.atimeMs !== undefined) node.atimeMs = change.atimeMs;
  if (change.mtimeMs !== undefined) node.mtimeMs = change.mtimeMs;
  node.ctimeMs = Date.now();
  return node;
}
