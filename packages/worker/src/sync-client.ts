/**
 * Synchronous access to an overlay worker from another worker, over a SharedArrayBuffer
 * channel: for code that cannot await (a language server, a WASI program).
 */
import { asResult, copyForTransfer } from './bytes.js';
import { fromWireError } from './errors.js';
import { type PathLike, pathString } from './path.js';
import type { WireDirent, WireError, WireHandle } from './protocol.js';
import { Dirent, Stats } from './stats.js';
import {
  DEFAULT_CAPACITY,
  FORMAT,
  Format,
  HEADER_BYTES,
  KIND,
  Kind,
  LENGTH,
  STATE,
  type SyncRequest,
} from './sync-protocol.js';

/**
 * The port end `connectSync` needs: a `MessagePort` (web or `worker_threads`).
 *
 * @example
 * ```ts
 * const port: SyncPort = await fs.syncPort(); // a MessagePort; transfer it to the worker that calls connectSync
 * ```
 */
export interface SyncPort {
  /** Sends the channel's messages to the overlay worker. */
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/** Tuning of the shared-memory channel {@link connectSync} opens. */
export interface ConnectSyncOptions {
  /** Payload bytes per chunk of shared memory (default 1 MiB). */
  capacity?: number;
  /** How long one call may block before it fails with ETIMEDOUT (default 30 s). */
  timeoutMs?: number;
}

/**
 * `readdirSync`'s options: `Dirent`s instead of names, the whole tree.
 *
 * @inline
 */
type ReaddirOptions = { withFileTypes?: boolean; recursive?: boolean };

/**
 * Times as Node takes them: seconds since the epoch, or a `Date`.
 *
 * @inline
 */
type SyncTime = number | Date;
const decoder = new TextDecoder();

/**
 * The synchronous calls {@link connectSync} offers: Node's `*Sync` names, each a blocking
 * round trip to the overlay worker. Errors have Node's shape (`code`, `syscall`, `path`).
 *
 * @example
 * ```ts
 * const sfs: SyncOverlay = connectSync(port);
 * if (!sfs.existsSync('/out')) sfs.mkdirSync('/out', { recursive: true });
 * sfs.writeFileSync('/out/result.json', JSON.stringify({ ok: true }));
 * ```
 */
export interface SyncOverlay {
  /** A whole file's bytes. */
  readFileSync(path: PathLike): Uint8Array;
  /** A whole file decoded as text with `encoding`. */
  readFileSync(path: PathLike, options: { encoding: string } | string): string;
  /** A whole file: bytes, or text when an encoding is given. */
  readFileSync(path: PathLike, options?: { encoding?: string | null } | string | null): Uint8Array | string;
  /** Replaces a file's contents (creating it), as `Overlay.writeFile`. */
  writeFileSync(
    path: PathLike,
    data: string | ArrayBufferView,
    options?: { encoding?: string | null; mode?: number; flag?: string } | string | null,
  ): void;
  /** The object `path` names, following symlinks. */
  statSync(path: PathLike): Stats;
  /** As `statSync`, but a final symlink is described itself. */
  lstatSync(path: PathLike): Stats;
  /** The names in a directory (`recursive`: the whole tree as relative paths). */
  readdirSync(path: PathLike, options?: ReaddirOptions & { withFileTypes?: false }): string[];
  /** The entries of a directory as `Dirent`s. */
  readdirSync(path: PathLike, options: ReaddirOptions & { withFileTypes: true }): Dirent[];
  /** Whether `path` exists (following symlinks). */
  existsSync(path: PathLike): boolean;
  /** Creates a directory (`recursive`: with its missing parents; returns the first one created). */
  mkdirSync(path: PathLike, options?: { recursive?: boolean; mode?: number } | number): string | undefined;
  /** Removes a name that is not a directory. */
  unlinkSync(path: PathLike): void;
  /** Renames a file or directory, as `Overlay.rename` without flags. */
  renameSync(oldPath: PathLike, newPath: PathLike): void;
  /** Removes an empty directory. */
  rmdirSync(path: PathLike): void;
  /** A symlink's target. */
  readlinkSync(path: PathLike): string;
  /** Creates a symlink at `path` pointing to `target` (stored as given). */
  symlinkSync(target: PathLike, path: PathLike): void;
  /** Changes the permission bits (following symlinks). */
  chmodSync(path: PathLike, mode: number): void;
  /** Changes the permission bits of a symlink itself. */
  lchmodSync(path: PathLike, mode: number): void;
  /** Sets access and modification times (seconds, or Dates), following symlinks. */
  utimesSync(path: PathLike, atime: SyncTime, mtime: SyncTime): void;
  /** Sets the times of a symlink itself. */
  lutimesSync(path: PathLike, atime: SyncTime, mtime: SyncTime): void;
  /** Cuts or extends a file to `len` bytes (default 0). */
  truncateSync(path: PathLike, len?: number): void;
  /**
   * Opens a file (Node's flags: `'r'`, `'w+'`, … or the numeric `O_*` bits) and returns a
   * descriptor of this connection, for the calls below; close it with `closeSync`.
   */
  openSync(path: PathLike, flags?: string | number, mode?: number): number;
  /** Closes a descriptor from `openSync`. */
  closeSync(fd: number): void;
  /**
   * Reads up to `length` bytes at `position` (`null`: the descriptor's own position) into
   * `buffer` at `offset`; returns how many were read.
   */
  readSync(
    fd: number,
    buffer: ArrayBufferView,
    offset: number,
    length: number,
    position: number | null,
  ): number;
  /** Writes `length` bytes of `buffer` from `offset` at `position` (`null`: the descriptor's own); returns how many. */
  writeSync(
    fd: number,
    buffer: ArrayBufferView,
    offset?: number,
    length?: number,
    position?: number | null,
  ): number;
  /** The stats of an open descriptor's file (still there after the file was unlinked). */
  fstatSync(fd: number): Stats;
  /** Cuts or extends an open file. */
  ftruncateSync(fd: number, len?: number): void;
  /** Changes an open file's permission bits. */
  fchmodSync(fd: number, mode: number): void;
  /** Sets an open file's times. */
  futimesSync(fd: number, atime: SyncTime, mtime: SyncTime): void;
}

function refuse(message: string): never {
  throw new Error(`@vellum/worker connectSync: ${message}`);
}

/**
 * Connects synchronously to an overlay worker through a port from
 * `OverlayClient.syncPort()`. Each call blocks this thread (`Atomics.wait`) until the
 * overlay worker answers, so it must run in a worker, and the page must be
 * cross-origin isolated (SharedArrayBuffer); otherwise it throws at once.
 *
 * @example
 * ```ts
 * // page
 * const port = await fs.syncPort();
 * langServer.postMessage({ port }, [port]);
 * // language-server worker
 * onmessage = ({ data }) => {
 *   const sfs = connectSync(data.port);
 *   const text = sfs.readFileSync('/src/main.ts', 'utf8');
 * };
 * ```
 */
export function connectSync(port: SyncPort, options: ConnectSyncOptions = {}): SyncOverlay {
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown };
  if (typeof SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    refuse(
      'SharedArrayBuffer is unavailable: the page must be cross-origin isolated ' +
        '(serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
    );
  }
  if (g.document !== undefined)
    refuse('call it in a worker: a page’s main thread cannot block on Atomics.wait');
  const capacity = options.capacity ?? DEFAULT_CAPACITY;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const shared = new SharedArrayBuffer(HEADER_BYTES + capacity);
  const ctl = new Int32Array(shared, 0, HEADER_BYTES / 4);
  const data = new Uint8Array(shared, HEADER_BYTES);
  const post = (msg: SyncRequest, transfer: Transferable[] = []): void => port.postMessage(msg, transfer);
  post({ hello: shared });

  const wait = (op: string): void => {
    // Waking up is not being answered: the worker stores the answer's flag, then notifies, and
    // the notify of the previous answer can land after this thread saw that flag, went on and
    // began waiting for the next one. Only the flag says an answer is there.
    const deadline = performance.now() + timeoutMs;
    while (Atomics.load(ctl, STATE) === 0) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(ctl, STATE, 0, left) === 'timed-out') {
        throw Object.assign(
          new Error(`ETIMEDOUT: the overlay worker did not answer ${op} within ${timeoutMs} ms`),
          {
            code: 'ETIMEDOUT',
            errno: -110,
            syscall: op,
          },
        );
      }
    }
  };

  /** One request; the whole payload, reassembled from its chunks. */
  const call = (op: string, args: unknown[], transfer?: Transferable[]): unknown => {
    Atomics.store(ctl, STATE, 0);
    post({ op, args }, transfer);
    wait(op);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const length = Atomics.load(ctl, LENGTH);
      parts.push(data.slice(0, length));
      total += length;
      if (Atomics.load(ctl, KIND) !== Kind.More) break;
      Atomics.store(ctl, STATE, 0);
      post({ more: true });
      wait(op);
    }
    const kind = Atomics.load(ctl, KIND);
    const format = Atomics.load(ctl, FORMAT);
    let payload = parts[0] ?? new Uint8Array(0);
    if (parts.length > 1) {
      payload = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        payload.set(p, at);
        at += p.length;
      }
    }
    if (kind === Kind.Error) throw fromWireError(JSON.parse(decoder.decode(payload)) as WireError);
    if (format === Format.Void) return undefined;
    if (format === Format.Bytes) return asResult(payload);
    return JSON.parse(decoder.decode(payload));
  };

  const stats = (v: unknown): Stats => new Stats(Float64Array.from(v as number[]));

  const sync = {
    readFileSync(
      path: PathLike,
      options?: { encoding?: string | null } | string | null,
    ): Uint8Array | string {
      return call('readFile', [pathString(path), options]) as Uint8Array | string;
    },
    writeFileSync(
      path: PathLike,
      data: string | ArrayBufferView,
      options?: { encoding?: string | null; mode?: number; flag?: string } | string | null,
    ): void {
      if (typeof data === 'string') {
        call('writeFile', [pathString(path), data, options]);
        return;
      }
      // Requests travel by postMessage, so a large write needs no chunking: its copy is transferred.
      const copy = copyForTransfer(data);
      call('writeFile', [pathString(path), copy, options], [copy.buffer]);
    },
    statSync: (path: PathLike): Stats => stats(call('stat', [pathString(path)])),
    lstatSync: (path: PathLike): Stats => stats(call('lstat', [pathString(path)])),
    readdirSync(path: PathLike, options?: ReaddirOptions): string[] | Dirent[] {
      const out = call('readdir', [pathString(path), options]);
      return options?.withFileTypes ? (out as WireDirent[]).map((d) => new Dirent(d)) : (out as string[]);
    },
    existsSync(path: PathLike): boolean {
      try {
        call('access', [pathString(path)]);
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ETIMEDOUT') throw error;
        return false;
      }
    },
    mkdirSync: (
      path: PathLike,
      options?: { recursive?: boolean; mode?: number } | number,
    ): string | undefined => call('mkdir', [pathString(path), options]) as string | undefined,
    unlinkSync: (path: PathLike): void => void call('unlink', [pathString(path)]),
    renameSync: (oldPath: PathLike, newPath: PathLike): void =>
      void call('rename', [pathString(oldPath), pathString(newPath)]),
    rmdirSync: (path: PathLike): void => void call('rmdir', [pathString(path)]),
    readlinkSync: (path: PathLike): string => call('readlink', [pathString(path)]) as string,
    symlinkSync: (target: PathLike, path: PathLike): void =>
      void call('symlink', [pathString(target), pathString(path)]),
    chmodSync: (path: PathLike, mode: number): void => void call('chmod', [pathString(path), mode]),
    lchmodSync: (path: PathLike, mode: number): void => void call('lchmod', [pathString(path), mode]),
    utimesSync: (path: PathLike, atime: SyncTime, mtime: SyncTime): void =>
      void call('utimes', [pathString(path), atime, mtime]),
    lutimesSync: (path: PathLike, atime: SyncTime, mtime: SyncTime): void =>
      void call('lutimes', [pathString(path), atime, mtime]),
    truncateSync: (path: PathLike, len = 0): void => void call('truncate', [pathString(path), len]),
    // Descriptors: the worker's handle ids, which name the FileHandle the worker keeps open.
    openSync(path: PathLike, flags?: string | number, mode?: number): number {
      return (call('open', [pathString(path), flags, mode]) as WireHandle).id;
    },
    closeSync: (fd: number): void => void call('fh.close', [fd]),
    readSync(
      fd: number,
      buffer: ArrayBufferView,
      offset: number,
      length: number,
      position: number | null,
    ): number {
      const bytes = call('fh.read', [fd, length, position]) as Uint8Array;
      new Uint8Array(buffer.buffer, buffer.byteOffset + offset, bytes.length).set(bytes);
      return bytes.length;
    },
    writeSync(
      fd: number,
      buffer: ArrayBufferView,
      offset = 0,
      length = buffer.byteLength - offset,
      position: number | null = null,
    ): number {
      const copy = copyForTransfer(new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length));
      return call('fh.write', [fd, copy, position], [copy.buffer]) as number;
    },
    fstatSync: (fd: number): Stats => stats(call('fh.stat', [fd])),
    ftruncateSync: (fd: number, len = 0): void => void call('fh.truncate', [fd, len]),
    fchmodSync: (fd: number, mode: number): void => void call('fh.chmod', [fd, mode]),
    futimesSync: (fd: number, atime: SyncTime, mtime: SyncTime): void =>
      void call('fh.utimes', [fd, atime, mtime]),
  };
  return sync as SyncOverlay;
}
