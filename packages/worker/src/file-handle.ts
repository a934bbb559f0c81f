/** Client side: `FileHandle` for a handle the worker holds open. */
import type { ReadOptions, ReadResult, WriteResult } from '@vellum/core';
import { readArgs, writtenBytes } from '@vellum/core/internal';
import { allocResult, asResult, copyForTransfer } from './bytes.js';
import type { Connection } from './connection.js';
import { Stats } from './stats.js';
import { prepareData, type WriteData } from './write-data.js';

export type { ReadResult, WriteResult };

/**
 * Times as Node takes them: seconds, a numeric string, or a Date.
 *
 * @inline
 */
type Times = number | string | Date;

// A handle dropped without close() would stay open in the worker (and keep an unlinked file's data).
const unclosed = new FinalizationRegistry<{ conn: Connection; id: number }>(({ conn, id }) => {
  if (conn.gone === undefined) conn.call('fh.close', [id]).catch(() => {});
});

/**
 * An open file of the overlay in the worker, with `fs.promises` `FileHandle`'s methods.
 * Reads arrive as transferred buffers and are copied into the caller's buffer once.
 *
 * @example
 * ```ts
 * const fh = await fs.open('/log.txt', 'a');
 * await fh.write('one more line\n');
 * await fh.close();
 * ```
 */
export class FileHandle {
  /** The engine's descriptor number. */
  readonly fd: number;
  readonly #conn: Connection;
  readonly #id: number;

  /** @internal Made by the client's `open`. */
  constructor(conn: Connection, id: number, fd: number) {
    this.#conn = conn;
    this.#id = id;
    this.fd = fd;
    unclosed.register(this, { conn, id }, this);
  }

  #call(op: string, args: unknown[], transfer?: ArrayBuffer[]): Promise<unknown> {
    return this.#conn.call(`fh.${op}`, [this.#id, ...args], transfer);
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
    const args = readArgs(bufferOrOptions, offset, length, position, () => allocResult(16384));
    const bytes = (await this.#call('read', [args.length, args.position ?? null])) as Uint8Array;
    const { buffer } = args;
    new Uint8Array(buffer.buffer, buffer.byteOffset + args.offset, bytes.length).set(bytes);
    return { bytesRead: bytes.length, buffer };
  }

  /**
   * Writes bytes or a string, as Node's `filehandle.write`: `(buffer, offset?, length?, position?)` or
   * `(string, position?, encoding?)`. Without a position it writes at the handle's position and moves
   * it.
   */
  async write<T extends ArrayBufferView | string>(
    data: T,
    offsetOrPosition?: number | null,
    lengthOrEncoding?: number | string,
    position?: number | null,
  ): Promise<WriteResult<T>> {
    let written: unknown;
    if (typeof data === 'string') {
      written = await this.#call('write', [data, offsetOrPosition, lengthOrEncoding]);
    } else {
      const bytes = copyForTransfer(
        writtenBytes(data as ArrayBufferView, offsetOrPosition, lengthOrEncoding),
      );
      written = await this.#call('write', [bytes, position], [bytes.buffer]);
    }
    return { bytesWritten: written as number, buffer: data };
  }

  /** The rest of the file from the handle's position: bytes, or text with an encoding. */
  async readFile(options?: { encoding?: string | null } | string | null): Promise<Uint8Array | string> {
    const out = await this.#call('readFile', [options]);
    return typeof out === 'string' ? out : asResult(out as Uint8Array);
  }

  /**
   * Writes `data` from the handle's position on, as Node's (on a fresh `'w'` handle: the new contents).
   */
  async writeFile(data: WriteData, options?: { encoding?: string | null } | string | null): Promise<void> {
    const p = await prepareData(data);
    await this.#call('writeFile', [p.data, options], p.transfer);
  }

  /** Appends to the file. */
  async appendFile(data: WriteData, options?: { encoding?: string | null } | string | null): Promise<void> {
    const p = await prepareData(data);
    await this.#call('appendFile', [p.data, options], p.transfer);
  }

  /** The file's stats. */
  async stat(): Promise<Stats> {
    return new Stats((await this.#call('stat', [])) as Float64Array);
  }

  /** Cuts or extends (with zeros) the file to `len` bytes (default 0). */
  async truncate(len = 0): Promise<void> {
    await this.#call('truncate', [len]);
  }

  /** Sets the file's permission bits. */
  async chmod(mode: number): Promise<void> {
    await this.#call('chmod', [mode]);
  }

  /** Sets the file's owner. */
  async chown(uid: number, gid: number): Promise<void> {
    await this.#call('chown', [uid, gid]);
  }

  /** Sets the file's access and modification times (seconds or `Date`s). */
  async utimes(atime: Times, mtime: Times): Promise<void> {
    await this.#call('utimes', [atime, mtime]);
  }

  /** As the engine's: every write through the handle was committed when it resolved (the upper's durability: `sync()` of the client). */
  async sync(): Promise<void> {
    await this.#call('sync', []);
  }

  /** As `sync`. */
  async datasync(): Promise<void> {
    await this.#call('datasync', []);
  }

  /** Closes the handle in the worker. */
  async close(): Promise<void> {
    unclosed.unregister(this);
    await this.#call('close', []);
  }
}
