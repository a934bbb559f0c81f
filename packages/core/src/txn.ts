/**
 * One fs operation = one transaction. The operation changes the in-memory
 * namespace as it plans (so later steps of the same operation see earlier
 * ones), records how to undo each change, and lists the upper changes; if the
 * upper refuses the commit, the undo log puts the namespace back as it was.
 */
import type { DirNode, Node } from './inode.js';
import { toUpperInode } from './inode.js';
import type { UpperChange } from './layer.js';

export class Txn {
  readonly changes: UpperChange[] = [];
  readonly #undo: (() => void)[] = [];
  readonly #saved = new Set<Node>();
  /** Nodes whose upper record must be written at commit (deduplicated, written as they end up). */
  readonly #dirty = new Set<Node>();

  /** Called the first time a transaction saves a node (the namespace remembers pristine lower objects). */
  readonly #onFirstSave: ((node: Node) => void) | undefined;

  constructor(onFirstSave?: (node: Node) => void) {
    this.#onFirstSave = onFirstSave;
  }

  /** Records a node's mutable fields once per transaction, so they can be restored. */
  save(node: Node): void {
    if (this.#saved.has(node)) return;
    this.#saved.add(node);
    this.#onFirstSave?.(node);
    this.#undo.push(captureState(node));
  }

  /** Marks a node's upper record to be (re)written with its final state at commit. */
  write(node: Node): void {
    this.save(node);
    this.#dirty.add(node);
  }

  setChild(dir: DirNode, name: string, node: Node): void {
    const old = dir.children.get(name);
    this.#undo.push(() => (old === undefined ? dir.deleteChild(name) : dir.setChild(name, old)));
    dir.setChild(name, node);
  }

  deleteChild(dir: DirNode, name: string): void {
    const old = dir.children.get(name);
    if (old === undefined) return;
    this.#undo.push(() => dir.setChild(name, old));
    dir.deleteChild(name);
  }

  /** Any other in-memory change, with its inverse. */
  onUndo(undo: () => void): void {
    this.#undo.push(undo);
  }

  put(change: UpperChange): void {
    this.changes.push(change);
  }

  /** The changes to commit: the listed ones, then the final records of dirty nodes. */
  finish(): UpperChange[] {
    const out = [...this.changes];
    for (const node of this.#dirty) if (node.upper) out.push({ op: 'put-inode', inode: toUpperInode(node) });
    return out;
  }

  rollback(): void {
    for (let i = this.#undo.length - 1; i >= 0; i--) (this.#undo[i] as () => void)();
    this.#undo.length = 0;
  }
}

/** A function that puts a node's mutable fields back as they are now. */
export function captureState(node: Node): () => void {
  const meta = node.meta();
  const upper = node.upper;
  if (node.kind === 'file') {
    const { nlink, size, lowerLimit, dataUpper } = node;
    const chunks = new Set(node.chunks);
    return () => {
      Object.assign(node, { nlink, size, lowerLimit, dataUpper, upper });
      node.chunks = chunks;
      node.setMeta(meta);
    };
  }
  if (node.kind === 'symlink') {
    const { nlink } = node;
    return () => {
      Object.assign(node, { nlink, upper });
      node.setMeta(meta);
    };
  }
  const { opaque, redirect, lowerSrc } = node;
  return () => {
    Object.assign(node, { opaque, redirect, lowerSrc, upper });
    node.setMeta(meta);
  };
}
