/** `FileHandle`, as `fs.promises.open` returns it, over an object of the overlay. */
import { asResult, collect, decode, encode, type WriteData } from './bytes.js';
import { FsError } from './errors.js';
import {
  readData,
  readDataSync,
  truncateData,
  truncateDataSync,
  writeData,
  writeDataSync,
} from './file-data.js';
import type { FileNode, Node } from './inode.js';
import type { Namespace } from './namespace.js';
import type { OpenMode } from './open-flags.js';
import { Stats } from './stats.js';
import type { Txn } from './txn.js';

let nextFd = 3;

/**
 * `read({ buffer, offset, length, position })`, Node's object form.
 *
 * @example
 * ```ts
 * const { bytesRead, buffer } = await fh.read({ buffer: new Uint8Array(1024), position: 0 });
 * ```
 */
export type ReadOptions<T> = {
  /** Where the bytes go (default: a new 16 KiB `Uint8Array`). */
  buffer?: T;
  /** Where in `buffer` they start (default 0). */
  offset?: number;
  /** How many to read at most (default: the rest of `buffer`). */
  length?: number;
  /** Where in the file to read from; `null` or absent: the handle's position, which then advances. */
  position?: number | null;
};

/**
 * Node's two forms of `FileHandle.read` as one: the buffer (or a fresh one from
 * `alloc`), where in it the bytes go, how many, and from where (null: the handle's
 * position). Shared with look-alike handles (the worker client's).
 */
export function readArgs<T extends ArrayBufferView>(
  bufferOrOptions: T | ReadOptions<T> | undefined,
  offset: number | undefined,
  length: number | undefined,
  position: number | null | undefined,
  alloc: () => Uint8Array,
): { buffer: T; offset: number; length: number; position: number | null | undefined } {
  let buffer: T;
  if (bufferOrOptions === undefined || !ArrayBuffer.isView(bufferOrOptions)) {
    const o: ReadOptions<T> = bufferOrOptions ?? {};
    buffer = o.buffer ?? (alloc() as unknown as T);
    offset = o.offset;
    length = o.length;
    position = o.position;
  } else {
    buffer = bufferOrOptions;
  }
  const off = offset ?? 0;
  return { buffer, offset: off, length: length ?? buffer.byteLength - off, position };
}

/** The bytes `write(buffer, offset?, length?)` names, as a view (no copy). */
export function writtenBytes(
  view: ArrayBufferView,
  offset: number | null | undefined,
  length: number | string | undefined,
): Uint8Array {
  const off = offset ?? 0;
  const len = typeof length === 'number' ? length : view.byteLength - off;
  return new Uint8Array(view.buffer, view.byteOffset + off, len);
}

/**
 * What `FileHandle.read` resolves with, as Node's.
 *
 * @example
 * ```ts
 * const { bytesRead, buffer } = await fh.read({ buffer: new Uint8Array(1024), position: 0 });
 * const head = buffer.subarray(0, bytesRead);
 * ```
 */
export interface ReadResult<T extends ArrayBufferView> {
  /** Bytes read: fewer than asked at the end of the file, 0 past it. */
  bytesRead: number;
  /** The buffer read into. */
  buffer: T;
}
/** What `FileHandle.write` resolves with, as Node's. */
export interface WriteResult<T> {
  /** Bytes written. */
  bytesWritten: number;
  /** The data given. */
  buffer: T;
}

/**
 * An open file. Every write is one upper transaction; a reader that opened a
 * lower file before it was copied up sees the new data afterwards, because all
 * names and handles share one object.
 *
 * @example
 * ```ts
 * const fh = await ov.open('/log.txt', 'a');
 * await fh.write('one more line\n');
 * await fh.close();
 * ```
 */
export class FileHandle {
  /** The descriptor the overlay's fd-based sync calls (`readSync(fd, …)`, `fstatSync`, …) take. */
  readonly fd = nextFd++;

  readonly #ns: Namespace;
  readonly #node: Node;
  readonly #mode: OpenMode;
  readonly #path: string;
  readonly #table: FdTable | undefined;
  #position = 0;
  #closed = false;

  /** @internal `table`: where the overlay finds the handle by `fd` for Node's fd-based sync calls. */
  constructor(ns: Namespace, node: Node, mode: OpenMode, path: string, table?: FdTable) {
    this.#ns = ns;
    this.#node = node;
    this.#mode = mode;
    this.#path = path;
    this.#table = table;
    table?.set(this.fd, this);
    if (node.kind === 'file') node.openCount++;
    if (mode.write) writing.set(this, path);
  }

  #file(syscall: string, forWrite: boolean): FileNode {
    if (this.#closed) throw new FsError('EBADF', syscall);
    if (this.#node.kind === 'dir') throw new FsError('EISDIR', syscall);
    if (forWrite ? !this.#mode.write : !this.#mode.read) throw new FsError('EBADF', syscall);
    return this.#node as FileNode;
  }

  /**
   * Reads into `buffer`, as Node's `filehandle.read(buffer, offset?, length?, position?)`. Without a
   * position it reads from the handle's position and moves it.
   */
  read<T extends ArrayBufferView>(
    buffer: T,
    offset?: number,
    length?: number,
    position?: number | null,
  ): Promise<ReadResult<T>>;
  /**
   * Reads as Node's `filehandle.read({ buffer, offset, length, position })`; without a buffer, into a
   * new 16 KiB `Uint8Array`. Without a position it reads from the handle's position and moves it.
   */
  read<T extends ArrayBufferView = Uint8Array>(options?: ReadOptions<T>): Promise<ReadResult<T>>;
  // Two signatures, not `T | ReadOptions<T>`: a typed array has a `buffer` property too, so with one
  // signature TypeScript inferred T from it as well and widened `read(new Uint8Array(n))` to
  // `ArrayBufferView`.
  async read<T extends ArrayBufferView>(
    bufferOrOptions?: T | ReadOptions<T>,
    offset?: number,
    length?: number,
    position?: number | null,
  ): Promise<ReadResult<T>> {
    const args = readArgs(bufferOrOptions, offset, length, position, () => asResult(new Uint8Array(16384)));
    const file = this.#file('read', false);
    if (this.#ns.busy) await this.#ns.settled();
    const bytes = await readData(this.#ns, file, args.position ?? this.#position, args.length);
    return { bytesRead: this.#delivered(bytes, args), buffer: args.buffer };
  }

  /**
   * @internal The body of Node's `fs.readSync(fd, …)`: EAGAIN where a layer (or a write
   * being committed) would make it wait. Returns the number of bytes read.
   */
  readSync(
    buffer: ArrayBufferView,
    offset: number,
    length: number,
    position: number | null | undefined,
  ): number {
    const file = this.#file('read', false);
    refuseWhileBusy(this.#ns, 'read', this.#path);
    const bytes = readDataSync(this.#ns, file, position ?? this.#position, length);
    return this.#delivered(bytes, { buffer, offset, position });
  }

  /** Copies what was read into the caller's buffer and moves the position if none was given. */
  #delivered(
    bytes: Uint8Array,
    args: { buffer: ArrayBufferView; offset: number; position: number | null | undefined },
  ): number {
    const { buffer } = args;
    new Uint8Array(buffer.buffer, buffer.byteOffset + args.offset, bytes.length).set(bytes);
    if (args.position === null || args.position === undefined) this.#position += bytes.length;
    return bytes.length;
  }

  /**
   * Writes bytes or a string, as Node's `filehandle.write`: `(buffer, offset?, length?, position?)` or
   * `(string, position?, encoding?)`. Without a position it writes at the handle's position (at the end
   * for `'a'`) and moves it.
   */
  async write<T extends ArrayBufferView | string>(
    data: T,
    offsetOrPosition?: number | null,
    lengthOrEncoding?: number | string,
    position?: number | null,
  ): Promise<WriteResult<T>> {
    let bytes: Uint8Array;
    let at: number | null | undefined;
    if (typeof data === 'string') {
      bytes = encode(data, typeof lengthOrEncoding === 'string' ? lengthOrEncoding : 'utf8');
      at = offsetOrPosition;
    } else {
      bytes = writtenBytes(data as ArrayBufferView, offsetOrPosition, lengthOrEncoding);
      at = position;
    }
    const written = await this.#writeBytes(bytes, at);
    return { bytesWritten: written, buffer: data };
  }

  async #writeBytes(bytes: Uint8Array, position: number | null | undefined): Promise<number> {
    const file = this.#file('write', true);
    await this.#ns.mutate('write', this.#path, async (tx) => {
      const at = this.#writeAt(file, position);
      await writeData(this.#ns, file, bytes, at, tx);
      this.#wrote(at, bytes.length, position);
    });
    return bytes.length;
  }

  /**
   * @internal The body of Node's `fs.writeSync(fd, …)`: one upper transaction, committed
   * before it returns (EAGAIN on an upper that commits asynchronously only).
   */
  writeSync(bytes: Uint8Array, position: number | null | undefined): number {
    const file = this.#file('write', true);
    this.#ns.mutateSync('write', this.#path, (tx) => {
      const at = this.#writeAt(file, position);
      writeDataSync(this.#ns, file, bytes, at, tx);
      this.#wrote(at, bytes.length, position);
    });
    return bytes.length;
  }

  #writeAt(file: FileNode, position: number | null | undefined): number {
    return this.#mode.append ? file.size : (position ?? this.#position);
  }

  #wrote(at: number, length: number, position: number | null | undefined): void {
    if (this.#mode.append || position === null || position === undefined) this.#position = at + length;
  }

  /** The rest of the file from the handle's position: bytes, or text with an encoding. */
  async readFile(options?: { encoding?: string | null } | string | null): Promise<Uint8Array | string> {
    const file = this.#file('read', false);
    if (this.#ns.busy) await this.#ns.settled();
    const bytes = await readData(this.#ns, file, this.#position, file.size);
    this.#position += bytes.length;
    const encoding = typeof options === 'string' ? options : options?.encoding;
    return encoding ? decode(bytes, encoding) : asResult(bytes);
  }

  /** Writes `data` from the handle's position on, as Node's (on a fresh `'w'` handle: the new contents). */
  async writeFile(data: WriteData, options?: { encoding?: string | null } | string | null): Promise<void> {
    const encoding = typeof options === 'string' ? options : options?.encoding;
    await this.#writeBytes(await collect(data, encoding), undefined);
  }

  /** Appends to the file (opened for writing). */
  async appendFile(data: WriteData, options?: { encoding?: string | null } | string | null): Promise<void> {
    const encoding = typeof options === 'string' ? options : options?.encoding;
    const file = this.#file('write', true);
    await this.#writeBytes(await collect(data, encoding), file.size);
  }

  /** The file's stats. */
  async stat(): Promise<Stats> {
    if (this.#closed) throw new FsError('EBADF', 'fstat');
    if (this.#ns.busy) await this.#ns.settled();
    return new Stats(this.#node);
  }

  /** @internal Node's `fs.fstatSync(fd)`. */
  statSync(): Stats {
    if (this.#closed) throw new FsError('EBADF', 'fstat');
    refuseWhileBusy(this.#ns, 'fstat', this.#path);
    return new Stats(this.#node);
  }

  /** Cuts or extends (with zeros) the file to `len` bytes (default 0). */
  async truncate(len = 0): Promise<void> {
    const file = this.#file('ftruncate', true);
    await this.#ns.mutate('ftruncate', this.#path, (tx) => truncateData(this.#ns, file, len, tx));
  }

  /** @internal Node's `fs.ftruncateSync(fd, len)`. */
  truncateSync(len = 0): void {
    const file = this.#file('ftruncate', true);
    this.#ns.mutateSync('ftruncate', this.#path, (tx) => truncateDataSync(this.#ns, file, len, tx));
  }

  /** Sets the file's permission bits. */
  async chmod(mode: number): Promise<void> {
    await this.#ns.mutate('fchmod', this.#path, (tx) => this.#setattr('fchmod', tx, chmodOf(mode)));
  }

  /** Sets the file's owner. */
  async chown(uid: number, gid: number): Promise<void> {
    await this.#ns.mutate('fchown', this.#path, (tx) => this.#setattr('fchown', tx, chownOf(uid, gid)));
  }

  /** Sets the file's access and modification times (seconds or `Date`s). */
  async utimes(atime: number | string | Date, mtime: number | string | Date): Promise<void> {
    await this.#ns.mutate('futime', this.#path, (tx) => this.#setattr('futime', tx, utimesOf(atime, mtime)));
  }

  /** @internal Node's `fs.fchmodSync(fd, mode)`. */
  chmodSync(mode: number): void {
    this.#ns.mutateSync('fchmod', this.#path, (tx) => this.#setattr('fchmod', tx, chmodOf(mode)));
  }

  /** @internal Node's `fs.fchownSync(fd, uid, gid)`. */
  chownSync(uid: number, gid: number): void {
    this.#ns.mutateSync('fchown', this.#path, (tx) => this.#setattr('fchown', tx, chownOf(uid, gid)));
  }

  /** @internal Node's `fs.futimesSync(fd, atime, mtime)`. */
  utimesSync(atime: number | string | Date, mtime: number | string | Date): void {
    this.#ns.mutateSync('futime', this.#path, (tx) => this.#setattr('futime', tx, utimesOf(atime, mtime)));
  }

  #setattr(syscall: string, tx: Txn, change: (node: Node) => void): void {
    if (this.#closed) throw new FsError('EBADF', syscall);
    const node = this.#node;
    // A handle's object is already copied up if it was opened for writing; a
    // read-only handle on a lower object records metadata by inode (metacopy).
    tx.write(node);
    node.upper = true;
    change(node);
    node.ctimeMs = Date.now();
  }

  /**
   * Resolves at once: every write through the handle was committed when it resolved (the upper's own
   * durability is `Overlay.sync`).
   */
  async sync(): Promise<void> {}
  /** As `sync`. */
  async datasync(): Promise<void> {}

  /** Closes the handle; a file whose last name went while it was open is dropped now. */
  async close(): Promise<void> {
    if (!this.#release()) return;
    const node = this.#node as FileNode;
    await this.#ns.mutate('close', this.#path, (tx) => dropData(this.#ns, node, tx));
  }

  /**
   * @internal Node's `fs.closeSync(fd)`. Closing the last handle of an unlinked file drops
   * its data; where the upper cannot commit synchronously that commit is left to the
   * background (and to the next open, which drops data no name or handle refers to).
   */
  closeSync(): void {
    if (!this.#release()) return;
    const node = this.#node as FileNode;
    if (this.#ns.upper.commitSync && !this.#ns.busy) {
      this.#ns.mutateSync('close', this.#path, (tx) => dropData(this.#ns, node, tx));
    } else {
      this.#ns
        .mutate('close', this.#path, (tx) => dropData(this.#ns, node, tx))
        .catch(() => {
          // Nothing to report to: the caller has gone. Reopening drops the orphan.
        });
    }
  }

  /** Marks the handle closed; true if the last name went while it was open, so the data must go. */
  #release(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.#table?.delete(this.fd);
    writing.delete(this);
    const node = this.#node;
    if (node.kind !== 'file') return false;
    node.openCount--;
    return node.openCount === 0 && node.nlink === 0 && (node.upper || node.layer !== 'upper');
  }
}

/** Open handles by file descriptor, for Node's fd-based calls (`readSync(fd, …)`). */
export type FdTable = Map<number, FileHandle>;

/** Handles open for writing, with the path each was opened by. */
const writing = new WeakMap<FileHandle, string>();

/**
 * The path of a handle of `table` open for writing, if any: a remount refuses while one is
 * (its writes would go to an object the new tree no longer holds).
 */
export function pathOpenForWriting(table: FdTable): string | undefined {
  for (const fh of table.values()) {
    const path = writing.get(fh);
    if (path !== undefined) return path;
  }
  return undefined;
}

/** The last handle of an unlinked file closed: its data goes with it (a lower object's, see `dropLink`). */
function dropData(ns: Namespace, node: FileNode, tx: Txn): void {
  tx.save(node);
  if (node.upper) {
    node.upper = false;
    tx.put({ op: 'drop-inode', ino: node.ino });
  }
  if (node.layer !== 'upper') ns.lowerAgain(node, tx);
}

/** A synchronous reader cannot wait for a writer in flight: it is told so instead of seeing half of it. */
export function refuseWhileBusy(ns: Namespace, syscall: string, path: string): void {
  if (ns.busy) {
    throw new FsError('EAGAIN', syscall, path, undefined, {
      cause: new Error('an asynchronous write is being committed; use the async API or retry'),
    });
  }
}

const chmodOf =
  (mode: number) =>
  (node: Node): void => {
    node.mode = mode & 0o7777;
  };

const chownOf =
  (uid: number, gid: number) =>
  (node: Node): void => {
    if (uid !== -1) node.uid = uid;
    if (gid !== -1) node.gid = gid;
  };

const utimesOf =
  (atime: number | string | Date, mtime: number | string | Date) =>
  (node: Node): void => {
    node.atimeMs = toMs(atime);
    node.mtimeMs = toMs(mtime);
  };

/** Node accepts seconds (number), numeric strings and Dates for times. */
export function toMs(time: number | string | Date): number {
  if (time instanceof Date) return time.getTime();
  const n = typeof time === 'string' ? Number(time) : time;
  if (!Number.isFinite(n)) return Date.now();
  return n * 1000;
}
