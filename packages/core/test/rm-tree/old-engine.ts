/**
 * The engine's removal and revert as they were before the wasm index listed what they must
 * visit (remove.ts and revert.ts at 2ac709f, verbatim but for the names, and for what each does
 * to one object, which follows the engine: a lower object whose last name goes is the lowers'
 * again, a reverted name counts in its object's links): every child's object is made and
 * checked. The model the property test compares the new code against. `revert` is no longer
 * modelled apart: since issue 22 it removes what a name holds with `dropLink` (which the test
 * swaps for `oldDropLink`) and then shows the lowers' entry (revert.ts), so the model's revert
 * is the engine's over the model's removal.
 */
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
