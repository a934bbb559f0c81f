/** `FileHandle`, as `fs.promises.open` returns it, over an object of the overlay. */
import { asResult, collect, decode, encode, type WriteData } from './bytes.js';
import { FsError } from './errors.js';
import { readData, truncateData, writeData } from './file-data.js';
import type { FileNode, Node } from './inode.js';
import type { Namespace } from './namespace.js';
import type { OpenMode } from './open-flags.js';
import { Stats } from './stats.js';

let nextFd = 3;

/** `read({ buffer, offset, length, position })`, Node's object form. */
export type ReadOptions<T> = { buffer?: T; offset?: number; length?: number; position?: number | null };

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

export interface ReadResult<T extends ArrayBufferView> {
  bytesRead: number;
  buffer: T;
}
export interface WriteResult<T> {
  bytesWritten: number;
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
  readonly fd = nextFd++;
  readonly #ns: Namespace;
  readonly #node: Node;
  readonly #mode: OpenMode;
  readonly #path: string;
  #position = 0;
  #closed = false;

  /** @internal */
  constructor(ns: Namespace, node: Node, mode: OpenMode, path: string) {
    this.#ns = ns;
    this.#node = node;
    this.#mode = mode;
    this.#path = path;
    if (node.kind === 'file') node.openCount++;
  }

  #file(syscall: string, forWrite: boolean): FileNode {
    if (this.#closed) throw new FsError('EBADF', syscall);
    if (this.#node.kind === 'dir') throw new FsError('EISDIR', syscall);
    if (forWrite ? !this.#mode.write : !this.#mode.read) throw new FsError('EBADF', syscall);
    return this.#node as FileNode;
  }

  async read<T extends ArrayBufferView = Uint8Array>(
    bufferOrOptions?: T | ReadOptions<T>,
    offset?: number,
    length?: number,
    position?: number | null,
  ): Promise<ReadResult<T>> {
    const args = readArgs(bufferOrOptions, offset, length, position, () => asResult(new Uint8Array(16384)));
    const file = this.#file('read', false);
    if (this.#ns.busy) await this.#ns.settled();
    const bytes = await readData(this.#ns, file, args.position ?? this.#position, args.length);
    const { buffer } = args;
    new Uint8Array(buffer.buffer, buffer.byteOffset + args.offset, bytes.length).set(bytes);
    if (args.position === null || args.position === undefined) this.#position += bytes.length;
    return { bytesRead: bytes.length, buffer };
  }

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
      const at = this.#mode.append ? file.size : (position ?? this.#position);
      await writeData(this.#ns, file, bytes, at, tx);
      if (this.#mode.append || position === null || position === undefined)
        this.#position = at + bytes.length;
    });
    return bytes.length;
  }

  async readFile(options?: { encoding?: string | null } | string | null): Promise<Uint8Array | string> {
    const file = this.#file('read', false);
    if (this.#ns.busy) await this.#ns.settled();
    const bytes = await readData(this.#ns, file, this.#position, file.size);
    this.#position += bytes.length;
    const encoding = typeof options === 'string' ? options : options?.encoding;
    return encoding ? decode(bytes, encoding) : asResult(bytes);
  }

  async writeFile(data: WriteData, options?: { encoding?: string | null } | string | null): Promise<void> {
    const encoding = typeof options === 'string' ? options : options?.encoding;
    await this.#writeBytes(await collect(data, encoding), undefined);
  }

  async appendFile(data: WriteData, options?: { encoding?: string | null } | string | null): Promise<void> {
    const encoding = typeof options === 'string' ? options : options?.encoding;
    const file = this.#file('write', true);
    await this.#writeBytes(await collect(data, encoding), file.size);
  }

  async stat(): Promise<Stats> {
    if (this.#closed) throw new FsError('EBADF', 'fstat');
    if (this.#ns.busy) await this.#ns.settled();
    return new Stats(this.#node);
  }

  async truncate(len = 0): Promise<void> {
    const file = this.#file('ftruncate', true);
    await this.#ns.mutate('ftruncate', this.#path, (tx) => truncateData(this.#ns, file, len, tx));
  }

  async chmod(mode: number): Promise<void> {
    await this.#setattr('fchmod', (node) => {
      node.mode = mode & 0o7777;
    });
  }

  async chown(uid: number, gid: number): Promise<void> {
    await this.#setattr('fchown', (node) => {
      if (uid !== -1) node.uid = uid;
      if (gid !== -1) node.gid = gid;
    });
  }

  async utimes(atime: number | string | Date, mtime: number | string | Date): Promise<void> {
    await this.#setattr('futime', (node) => {
      node.atimeMs = toMs(atime);
      node.mtimeMs = toMs(mtime);
    });
  }

  async #setattr(syscall: string, change: (node: Node) => void): Promise<void> {
    if (this.#closed) throw new FsError('EBADF', syscall);
    const node = this.#node;
    await this.#ns.mutate(syscall, this.#path, (tx) => {
      // A handle's object is already copied up if it was opened for writing; a
      // read-only handle on a lower object records metadata by inode (metacopy).
      tx.write(node);
      node.upper = true;
      change(node);
      node.ctimeMs = Date.now();
    });
  }

  async sync(): Promise<void> {}
  async datasync(): Promise<void> {}

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const node = this.#node;
    if (node.kind !== 'file') return;
    node.openCount--;
    if (node.openCount === 0 && node.nlink === 0 && node.upper) {
      // The last name went while we were open: the data goes with the last handle.
      await this.#ns.mutate('close', this.#path, (tx) => {
        tx.save(node);
        node.upper = false;
        tx.put({ op: 'drop-inode', ino: node.ino });
      });
    }
  }
}

/** Node accepts seconds (number), numeric strings and Dates for times. */
export function toMs(time: number | string | Date): number {
  if (time instanceof Date) return time.getTime();
  const n = typeof time === 'string' ? Number(time) : time;
  if (!Number.isFinite(n)) return Date.now();
  return n * 1000;
}
