/**
 * The merged namespace of one overlay: the tree of nodes, the layers behind it,
 * and the writer lock that makes each fs operation one upper transaction.
 */
import { FsError } from './errors.js';
import { DirNode, FIRST_UPPER_INO, type Node, ROOT_INO, toUpperInode } from './inode.js';
import type { EntryMeta, LowerLayer, UpperChange, UpperLayer, UpperMeta, UpperSnapshot } from './layer.js';
import { type Located, locate, resolve, resolveReal, type WalkOptions } from './lookup.js';
import type { LowerIndex } from './lower-index.js';
import { type Replayed, replay } from './replay.js';
import { captureState, Txn } from './txn.js';

export interface NamespaceConfig {
  lowers: readonly LowerLayer[];
  upper: UpperLayer;
  lowerIndex: LowerIndex;
  chunkSize: number;
  umask: number;
  uid: number;
  gid: number;
}

export class Namespace {
  /** The lower stack; replaced as a whole by a remount (`swapStack`), never changed in place. */
  lowers: readonly LowerLayer[];
  readonly upper: UpperLayer;
  lowerIndex: LowerIndex;
  readonly chunkSize: number;
  readonly umask: number;
  readonly uid: number;
  readonly gid: number;
  root: DirNode;
  nextIno = FIRST_UPPER_INO;
  /**
   * Whether the upper holds a meta record (next inode number, the lowers' ids).
   * The first transaction that changes anything writes it, so that reopening on
   * other lowers is noticed even when nothing was ever allocated.
   */
  metaStored = false;
  /**
   * Lower objects are shared with the lower index and change in place on
   * copy-up (so every hard link sees it); this keeps how each looked before,
   * for `reset`.
   */
  readonly pristine = new Map<Node, () => void>();
  /** The writer currently running, if any; readers wait for it so they never see a half-applied change. */
  #active: Promise<void> | null = null;
  #queue: Promise<void> = Promise.resolve();
  /** Asynchronous writers queued or running. */
  #writers = 0;

  constructor(config: NamespaceConfig, root: DirNode) {
    this.lowers = config.lowers;
    this.upper = config.upper;
    this.lowerIndex = config.lowerIndex;
    this.chunkSize = config.chunkSize;
    this.umask = config.umask;
    this.uid = config.uid;
    this.gid = config.gid;
    this.root = root;
  }

  /** A writer is between its first change and its commit (readers must wait, see `settled`). */
  get busy(): boolean {
    return this.#active !== null;
  }

  /** Resolves once the writer in flight (if any) has committed or rolled back. */
  async settled(): Promise<void> {
    if (this.#active) await this.#active;
  }

  locate(path: string, opts: WalkOptions): Located {
    return locate(this.root, path, opts);
  }

  /** What a read-only call needs: the object alone, no chain of parents (see `resolve`). */
  resolve(path: string, opts: WalkOptions): Node | undefined {
    return resolve(this.root, path, opts);
  }

  /** The object and its canonical path (see `resolveReal`). */
  resolveReal(path: string, opts: WalkOptions): { node: Node; path: string } {
    return resolveReal(this.root, path, opts);
  }

  /**
   * Runs one mutating operation as one upper transaction: writers run one at a
   * time; on any failure (the operation's own error or a refused commit) every
   * in-memory change is undone.
   */
  async mutate<T>(syscall: string, path: string, fn: (tx: Txn) => Promise<T> | T): Promise<T> {
    const previous = this.#queue;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#queue = previous.then(() => gate);
    this.#writers++;
    await previous;
    this.#active = gate;
    const tx = new Txn((node) => this.rememberLower(node));
    try {
      const result = await fn(tx);
      const changes = this.#withMeta(tx.finish());
      if (changes.length > 0) {
        try {
          await this.upper.commit(changes);
        } catch (error) {
          throw commitError(error, syscall, path);
        }
        this.metaStored = true;
      }
      return result;
    } catch (error) {
      tx.rollback();
      throw error;
    } finally {
      this.#active = null;
      this.#writers--;
      release();
    }
  }

  /**
   * The same for a synchronous caller: the operation must not need to wait for
   * anything. Refused (EAGAIN) while an asynchronous writer is queued or running
   * (it would interleave with it) and when the upper cannot commit synchronously.
   */
  mutateSync<T>(syscall: string, path: string, fn: (tx: Txn) => T): T {
    if (this.#writers > 0) {
      throw new FsError('EAGAIN', syscall, path, undefined, {
        cause: new Error('an asynchronous write is in progress; wait for it or use the async API'),
      });
    }
    const commitSync = this.upper.commitSync?.bind(this.upper);
    if (!commitSync) {
      throw new FsError('EAGAIN', syscall, path, undefined, {
        cause: new Error('the upper layer commits asynchronously only (e.g. IndexedDB): use the async API'),
      });
    }
    const tx = new Txn((node) => this.rememberLower(node));
    try {
      const result = fn(tx);
      const changes = this.#withMeta(tx.finish());
      if (changes.length > 0) {
        try {
          commitSync(changes);
        } catch (error) {
          throw commitError(error, syscall, path);
        }
        this.metaStored = true;
      }
      return result;
    } catch (error) {
      tx.rollback();
      throw error;
    }
  }

  /**
   * The first stored change carries the meta record and the root's record
   * along: reopening then sees the lowers' ids and the same root, times included.
   */
  #withMeta(changes: UpperChange[]): UpperChange[] {
    if (this.metaStored || changes.length === 0) return changes;
    const head: UpperChange[] = [];
    if (!changes.some((c) => c.op === 'put-meta')) head.push({ op: 'put-meta', meta: this.meta() });
    if (!changes.some((c) => c.op === 'put-inode' && c.inode.ino === ROOT_INO)) {
      head.push({ op: 'put-inode', inode: toUpperInode(this.root) });
    }
    return [...head, ...changes];
  }

  /** Keeps a lower object's state before its first change, for `reset`. */
  rememberLower(node: Node): void {
    if (node.layer !== 'upper' && node.kind !== 'dir' && !this.pristine.has(node)) {
      this.pristine.set(node, captureState(node));
    }
  }

  /**
   * One lower object back as the lowers describe it (the caller drops its upper record): for one
   * whose last name went, which only `revert` can show again, and for one reverted.
   */
  lowerAgain(node: Node, tx: Txn): void {
    const restore = this.pristine.get(node);
    tx.save(node);
    restore?.();
    node.upper = false;
    this.pristine.delete(node);
    tx.onUndo(() => {
      if (restore) this.pristine.set(node, restore);
    });
  }

  /** Every lower object back as the lowers describe it, and a fresh root: the upper is empty again. */
  forgetUpper(): void {
    for (const restore of this.pristine.values()) restore();
    this.pristine.clear();
    this.root = this.lowerIndex.root.copyUp();
    this.nextIno = FIRST_UPPER_INO;
    this.metaStored = false;
  }

  /**
   * The upper changed under this view (another tab wrote it): lays `snapshot`
   * over the same lower index, in place of the current tree. Lower objects
   * keep their numbers (same index), upper ones the numbers their records hold.
   */
  reload(snapshot: UpperSnapshot): void {
    this.forgetUpper();
    const replayed = replay(snapshot, this.lowerIndex, (node) => {
      if (!this.pristine.has(node)) this.pristine.set(node, captureState(node));
    });
    this.root = replayed.root;
    this.nextIno = replayed.nextIno;
    this.metaStored = snapshot.meta !== undefined;
  }

  /**
   * A remount, inside transaction `tx`: `lowers` and their index in place of the current stack,
   * and the upper's records (`snapshot`) laid over them, undone if the transaction fails. The old
   * stack's objects are left as they are, so a handle opened on one keeps reading what it opened;
   * the caller closes the old index once the transaction committed.
   */
  swapStack(
    lowers: readonly LowerLayer[],
    lowerIndex: LowerIndex,
    snapshot: UpperSnapshot,
    tx: Txn,
  ): Replayed {
    const before = {
      lowers: this.lowers,
      lowerIndex: this.lowerIndex,
      root: this.root,
      nextIno: this.nextIno,
      metaStored: this.metaStored,
      pristine: [...this.pristine],
    };
    const pristine = new Map<Node, () => void>();
    const replayed = replay(snapshot, lowerIndex, (node) => {
      if (!pristine.has(node)) pristine.set(node, captureState(node));
    });
    this.lowers = lowers;
    this.lowerIndex = lowerIndex;
    this.root = replayed.root;
    this.nextIno = Math.max(replayed.nextIno, this.nextIno);
    this.pristine.clear();
    for (const [node, restore] of pristine) this.pristine.set(node, restore);
    tx.onUndo(() => {
      this.lowers = before.lowers;
      this.lowerIndex = before.lowerIndex;
      this.root = before.root;
      this.nextIno = before.nextIno;
      this.metaStored = before.metaStored;
      this.pristine.clear();
      for (const [node, restore] of before.pristine) this.pristine.set(node, restore);
    });
    // The new lowers' ids go in the same transaction: a reopen on the new stack is no "changed lower".
    tx.put({ op: 'put-meta', meta: this.meta() });
    return replayed;
  }

  /** A new inode number for an object born in the upper; the counter is stored in the same transaction. */
  allocIno(tx: Txn): number {
    const ino = this.nextIno++;
    tx.onUndo(() => {
      this.nextIno = ino;
    });
    tx.put({ op: 'put-meta', meta: this.meta() });
    return ino;
  }

  meta(): UpperMeta {
    return { nextIno: this.nextIno, lowerIds: this.lowers.map((l) => l.id) };
  }

  /** Metadata for a new object: the caller's mode less the umask, now for every time. */
  newMeta(mode: number): EntryMeta {
    const now = Date.now();
    return {
      mode: mode & ~this.umask & 0o7777,
      uid: this.uid,
      gid: this.gid,
      atimeMs: now,
      mtimeMs: now,
      ctimeMs: now,
      birthtimeMs: now,
    };
  }

  /**
   * Makes every directory on the chain an upper directory (copy-up of the
   * parents: the directories themselves, never their other children).
   */
  upperChain(loc: Located, tx: Txn): DirNode {
    const { dirs, names } = loc;
    for (let i = 1; i < dirs.length; i++) {
      const dir = dirs[i] as DirNode;
      if (dir.upper) continue;
      const parent = dirs[i - 1] as DirNode;
      const copy = dir.copyUp();
      tx.setChild(parent, names[i] as string, copy);
      tx.write(copy);
      tx.put({ op: 'put-dirent', dirent: { parent: parent.ino, name: names[i] as string, ino: copy.ino } });
      dirs[i] = copy;
    }
    return dirs[dirs.length - 1] as DirNode;
  }

  /**
   * Copies the located object up: a directory alone, or a file's or symlink's
   * metadata (`data` also marks a file's data as the upper's, as an open for
   * writing does; its chunks still come from the lower until written).
   */
  copyUp(loc: Located, tx: Txn, data: boolean): Node {
    const node = loc.node as Node;
    if (loc.dirs.length === 0) return node; // the root is always upper
    const parent = this.upperChain(loc, tx);
    if (node.kind === 'dir') {
      if (node.upper) return node;
      const copy = node.copyUp();
      tx.setChild(parent, loc.name, copy);
      tx.write(copy);
      tx.put({ op: 'put-dirent', dirent: { parent: parent.ino, name: loc.name, ino: copy.ino } });
      loc.node = copy;
      return copy;
    }
    if (node.upper && (node.kind !== 'file' || node.dataUpper || !data)) return node;
    tx.write(node);
    if (!node.upper) {
      node.upper = true;
      tx.put({ op: 'put-dirent', dirent: { parent: parent.ino, name: loc.name, ino: node.ino } });
    }
    if (data && node.kind === 'file') node.dataUpper = true;
    return node;
  }

  /** Removes `name` from an upper directory, leaving a whiteout where a lower still has it. */
  dropName(dir: DirNode, name: string, tx: Txn): void {
    tx.deleteChild(dir, name);
    if (dir.lowerSrc?.children.has(name)) {
      tx.put({ op: 'put-dirent', dirent: { parent: dir.ino, name, ino: null } });
    } else {
      tx.put({ op: 'drop-dirent', parent: dir.ino, name });
    }
  }

  /** Adds `name` → `node` to an upper directory (replacing a whiteout if one is there). */
  addName(dir: DirNode, name: string, node: Node, tx: Txn): void {
    tx.setChild(dir, name, node);
    tx.put({ op: 'put-dirent', dirent: { parent: dir.ino, name, ino: node.ino } });
  }

  /** An entry was created or removed in `dir`: its mtime and ctime move, as the kernel's do. */
  touchDir(dir: DirNode, tx: Txn): void {
    tx.write(dir);
    const now = Date.now();
    dir.mtimeMs = now;
    dir.ctimeMs = now;
  }
}

/** An upper's refusal as an fs error: a full quota is ENOSPC, anything else EIO. */
export function commitError(error: unknown, syscall: string, path: string): FsError {
  // An upper's own fs error (EROFS from a read-only tab, …) gets the caller's call and path.
  if (error instanceof FsError) {
    return error.path === undefined
      ? new FsError(error.code, syscall, path, undefined, { cause: error.cause ?? error })
      : error;
  }
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  const code = name === 'QuotaExceededError' ? 'ENOSPC' : 'EIO';
  return new FsError(code, syscall, path, undefined, { cause: error });
}

export { DirNode };
