/** Client side: `FileHandle` for a handle the worker holds open. */
import type { ReadOptions } from '@vellum/core';
import { readArgs, writtenBytes } from '@vellum/core/internal';
import { allocResult, asResult, copyForTransfer } from './bytes.js';
import type { Connection } from './connection.js';
import { Stats } from './stats.js';
import { prepareData, type WriteData } from './write-data.js';

export interface ReadResult<T extends ArrayBufferView> {
  bytesRead: number;
  buffer: T;
}
export interface WriteResult<T> {
  bytesWritten: number;
  buffer: T;
}
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

  /** @internal */
  constructor(conn: Connection, id: number, fd: number) {
    this.#conn = conn;
    this.#id = id;
    this.fd = fd;
    unclosed.register(this, { conn, id }, this);
  }

  #call(op: string, args: unknown[], transfer?: ArrayBuffer[]): Promise<unknown> {
    return this.#conn.call(`fh.${op}`, [this.#id, ...args], transfer);
  }

  async read<T extends ArrayBufferView = Uint8Array>(
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

  async readFile(options?: { encoding?: string | null } | string | null): Promise<Uint8Array | string> {
    const out = await this.#call('readFile', [options]);
    return typeof out === 'string' ? out : asResult(out as Uint8Array);
  }

  async writeFile(data: WriteData, options?: { encoding?: string | null } | string | null): Promise<void> {
    const p = await prepareData(data);
    await this.#call('writeFile', [p.data, options], p.transfer);
  }

  async appendFile(data: WriteData, options?: { encoding?: string | null } | string | null): Promise<void> {
    const p = await prepareData(data);
    await this.#call('appendFile', [p.data, options], p.transfer);
  }

  async stat(): Promise<Stats> {
    return new Stats((await this.#call('stat', [])) as Float64Array);
  }

  async truncate(len = 0): Promise<void> {
    await this.#call('truncate', [len]);
  }

  async chmod(mode: number): Promise<void> {
    await this.#call('chmod', [mode]);
  }

  async chown(uid: number, gid: number): Promise<void> {
    await this.#call('chown', [uid, gid]);
  }

  async utimes(atime: Times, mtime: Times): Promise<void> {
    await this.#call('utimes', [atime, mtime]);
  }

  async sync(): Promise<void> {
    await this.#call('sync', []);
  }

  async datasync(): Promise<void> {
    await this.#call('datasync', []);
  }

  async close(): Promise<void> {
    unclosed.unregister(this);
    await this.#call('close', []);
  }
}
