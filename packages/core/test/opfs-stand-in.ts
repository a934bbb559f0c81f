/**
 * An in-memory Origin Private File System with the API Vellum uses
 * (`navigator.storage.getDirectory()`, directory and file handles, the
 * `FileSystemSyncAccessHandle` subset, `createWritable`, `move`), for Node tests.
 *
 * It models what a crash does: a sync handle's writes are live at once but
 * durable only after `flush()`; `crash()` keeps, per file, a random prefix of
 * the writes since the last flush, the first write not kept possibly torn (a
 * prefix of its bytes), and releases every lock. `createWritable` content and
 * directory changes (create, remove, move) are durable at once, as the atomic
 * swaps they are. `failWrites` makes writes throw (a full disk, a dying
 * process), `quota` makes them throw QuotaExceededError.
 */
import type {
  OpfsDirectoryHandle,
  OpfsFileHandle,
  OpfsSyncAccessHandle,
  OpfsWritable,
} from '../src/opfs/types.js';

type Pending = { at: number; bytes: Uint8Array } | { truncate: number };

class FileNode {
  /** What a reader sees now. */
  live: Uint8Array = new Uint8Array(0);
  /** What survives a crash, before the pending writes. */
  durable: Uint8Array = new Uint8Array(0);
  /** Writes through a sync handle since its last flush, in order. */
  pending: Pending[] = [];
  lock: StandInSyncHandle | 'writable' | undefined;
}

type Node = FileNode | DirNode;
class DirNode {
  readonly children = new Map<string, Node>();
}

const domError = (name: string, message: string): DOMException => new DOMException(message, name);

function writeAt(target: Uint8Array, at: number, bytes: Uint8Array): Uint8Array {
  const out = target.byteLength >= at + bytes.byteLength ? target : grow(target, at + bytes.byteLength);
  out.set(bytes, at);
  return out;
}

function grow(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes.subarray(0, Math.min(size, bytes.byteLength)));
  return out;
}

/** Options of a stand-in file system. */
export interface StandInOptions {
  /** Total bytes the files may hold; a write past it throws QuotaExceededError. */
  quota?: number;
}

/** One origin's private file system, in memory. */
export class OpfsStandIn {
  readonly root = new DirNode();
  quota: number;
  /** Called before each write through a sync handle; throwing makes the write fail. */
  failWrites: ((file: string, at: number, length: number) => void) | undefined;
  /** Every sync handle open, for `crash()`. */
  readonly open = new Set<StandInSyncHandle>();
  /** Sync-handle writes done so far (for tests that aim a fault at the n-th write). */
  writes = 0;
  /**
   * Steps that change storage (writes, truncates, flushes, moves, removals) done so far; the
   * process dies at step `dieAt`: a write or truncate there is left unflushed, a flush, move
   * or removal there does not happen, and every call after it throws until `crash()`.
   */
  steps = 0;
  dieAt: number | undefined;
  dead = false;

  /** Counts one storage step; throws where the process dies (after `land`, which leaves a write unflushed). */
  step(land?: () => void): void {
    if (this.dead) throw domError('InvalidStateError', 'the process is dead');
    this.steps++;
    if (this.steps === this.dieAt) {
      land?.();
      this.dead = true;
      throw domError('InvalidStateError', 'the process died here');
    }
  }

  constructor(options: StandInOptions = {}) {
    this.quota = options.quota ?? Number.POSITIVE_INFINITY;
  }

  /** `navigator.storage.getDirectory()`. */
  readonly getDirectory = async (): Promise<OpfsDirectoryHandle> => new StandInDirectory(this, this.root, '');

  /** Bytes held by every file (what the quota counts). */
  usage(): number {
    let total = 0;
    const walk = (dir: DirNode) => {
      for (const node of dir.children.values()) {
        if (node instanceof DirNode) walk(node);
        else total += node.live.byteLength;
      }
    };
    walk(this.root);
    return total;
  }

  /**
   * The process dies: each file keeps its durable content plus a random prefix
   * of the writes since its last flush, the next write torn at a random byte
   * (`random` in [0, 1), default Math.random). Every open handle becomes unusable.
   */
  crash(random: () => number = Math.random): void {
    const walk = (dir: DirNode) => {
      for (const node of dir.children.values()) {
        if (node instanceof DirNode) {
          walk(node);
          continue;
        }
        let bytes: Uint8Array = node.durable;
        const keep = Math.floor(random() * (node.pending.length + 1));
        node.pending.forEach((p, i) => {
          if (i > keep) return;
          if ('truncate' in p) {
            if (i < keep) bytes = grow(bytes, p.truncate);
          } else if (i < keep) bytes = writeAt(bytes.slice(), p.at, p.bytes);
          else
            bytes = writeAt(
              bytes.slice(),
              p.at,
              p.bytes.subarray(0, Math.floor(random() * p.bytes.byteLength)),
            );
        });
        node.durable = bytes;
        node.live = bytes.slice();
        node.pending = [];
        node.lock = undefined;
      }
    };
    walk(this.root);
    for (const handle of this.open) handle.closed = true;
    this.open.clear();
    this.dead = false;
    this.dieAt = undefined;
  }
}

class StandInDirectory implements OpfsDirectoryHandle {
  readonly kind = 'directory' as const;
  constructor(
    readonly fs: OpfsStandIn,
    readonly node: DirNode,
    readonly name: string,
  ) {}

  async getDirectoryHandle(name: string, options: { create?: boolean } = {}): Promise<OpfsDirectoryHandle> {
    if (this.fs.dead) throw domError('InvalidStateError', 'the process is dead');
    const found = this.node.children.get(name);
    if (found instanceof FileNode) throw domError('TypeMismatchError', `'${name}' is a file`);
    if (found) return new StandInDirectory(this.fs, found, name);
    if (!options.create) throw domError('NotFoundError', `no directory '${name}'`);
    const made = new DirNode();
    this.node.children.set(name, made);
    return new StandInDirectory(this.fs, made, name);
  }

  async getFileHandle(name: string, options: { create?: boolean } = {}): Promise<OpfsFileHandle> {
    if (this.fs.dead) throw domError('InvalidStateError', 'the process is dead');
    const found = this.node.children.get(name);
    if (found instanceof DirNode) throw domError('TypeMismatchError', `'${name}' is a directory`);
    if (found) return new StandInFile(this.fs, this.node, name);
    if (!options.create) throw domError('NotFoundError', `no file '${name}'`);
    this.node.children.set(name, new FileNode());
    return new StandInFile(this.fs, this.node, name);
  }

  async removeEntry(name: string, options: { recursive?: boolean } = {}): Promise<void> {
    const found = this.node.children.get(name);
    if (!found) throw domError('NotFoundError', `no entry '${name}'`);
    if (found instanceof DirNode && found.children.size > 0 && !options.recursive) {
      throw domError('InvalidModificationError', `directory '${name}' is not empty`);
    }
    if (found instanceof FileNode && found.lock) {
      throw domError('NoModificationAllowedError', `'${name}' is locked`);
    }
    this.fs.step();
    this.node.children.delete(name);
  }

  async *keys(): AsyncIterableIterator<string> {
    for (const name of [...this.node.children.keys()]) yield name;
  }
}

class StandInFile implements OpfsFileHandle {
  readonly kind = 'file' as const;
  #name: string;
  constructor(
    readonly fs: OpfsStandIn,
    readonly parent: DirNode,
    name: string,
  ) {
    this.#name = name;
  }

  get name(): string {
    return this.#name;
  }

  #node(): FileNode {
    const node = this.parent.children.get(this.#name);
    if (!(node instanceof FileNode)) throw domError('NotFoundError', `file '${this.#name}' is gone`);
    return node;
  }

  async getFile(): Promise<Blob> {
    return new Blob([this.#node().live.slice()]);
  }

  async createSyncAccessHandle(): Promise<OpfsSyncAccessHandle> {
    if (this.fs.dead) throw domError('InvalidStateError', 'the process is dead');
    const node = this.#node();
    if (node.lock) throw domError('NoModificationAllowedError', `'${this.#name}' is locked`);
    const handle = new StandInSyncHandle(this.fs, node, this.#name);
    node.lock = handle;
    this.fs.open.add(handle);
    return handle;
  }

  async createWritable(options: { keepExistingData?: boolean } = {}): Promise<OpfsWritable> {
    const node = this.#node();
    if (node.lock) throw domError('NoModificationAllowedError', `'${this.#name}' is locked`);
    let content: Uint8Array = options.keepExistingData ? node.live.slice() : new Uint8Array(0);
    let position = 0;
    const fs = this.fs;
    return {
      async write(data: Uint8Array) {
        if (fs.usage() - node.live.byteLength + position + data.byteLength > fs.quota) {
          throw domError('QuotaExceededError', 'quota exceeded');
        }
        content = writeAt(content, position, data);
        position += data.byteLength;
      },
      async close() {
        // The swap: durable at once, nothing pending survives it.
        node.live = content.slice();
        node.durable = content.slice();
        node.pending = [];
      },
      async abort() {},
    };
  }

  async move(newName: string): Promise<void> {
    const node = this.#node();
    const there = this.parent.children.get(newName);
    if (there instanceof DirNode) throw domError('InvalidModificationError', `'${newName}' is a directory`);
    if (there?.lock) throw domError('NoModificationAllowedError', `'${newName}' is locked`);
    this.fs.step();
    this.parent.children.delete(this.#name);
    this.parent.children.set(newName, node);
    this.#name = newName;
  }
}

class StandInSyncHandle implements OpfsSyncAccessHandle {
  closed = false;
  constructor(
    readonly fs: OpfsStandIn,
    readonly node: FileNode,
    readonly name: string,
  ) {}

  #usable(): void {
    if (this.fs.dead) throw domError('InvalidStateError', 'the process is dead');
    if (this.closed) throw domError('InvalidStateError', `the access handle of '${this.name}' is closed`);
  }

  read(buffer: Uint8Array, options: { at?: number } = {}): number {
    this.#usable();
    const at = options.at ?? 0;
    const bytes = this.node.live.subarray(at, at + buffer.byteLength);
    buffer.set(bytes);
    return bytes.byteLength;
  }

  write(buffer: Uint8Array, options: { at?: number } = {}): number {
    this.#usable();
    const at = options.at ?? 0;
    this.fs.failWrites?.(this.name, at, buffer.byteLength);
    const grows = Math.max(0, at + buffer.byteLength - this.node.live.byteLength);
    if (this.fs.usage() + grows > this.fs.quota) throw domError('QuotaExceededError', 'quota exceeded');
    this.fs.writes++;
    const bytes = buffer.slice();
    const land = () => {
      this.node.live = writeAt(this.node.live, at, bytes);
      this.node.pending.push({ at, bytes });
    };
    this.fs.step(land);
    land();
    return bytes.byteLength;
  }

  truncate(size: number): void {
    this.#usable();
    const land = () => {
      this.node.live = grow(this.node.live, size);
      this.node.pending.push({ truncate: size });
    };
    this.fs.step(land);
    land();
  }

  getSize(): number {
    this.#usable();
    return this.node.live.byteLength;
  }

  flush(): void {
    this.#usable();
    this.fs.step();
    this.node.durable = this.node.live.slice();
    this.node.pending = [];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.node.lock = undefined;
    this.fs.open.delete(this);
  }
}
