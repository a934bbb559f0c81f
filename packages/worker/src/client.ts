/**
 * The page's (or Node thread's) side: the overlay in the worker behind the same async
 * API as `Overlay`, plus bulk calls that cross the boundary once, events, and a port
 * for synchronous access from other workers.
 */
import type {
  BaseChange,
  Change,
  FsckReport,
  LowerDescriptor,
  Origin,
  RebaseOptions,
  RebaseResult,
  RemountResult,
  RenameFlags,
  SnapshotInfo,
  UpperUsage,
} from '@vellum/core';
import type { WireStatMany, WireWalk, WireWriteEntry } from './bulk.js';
import { asResult, copyForTransfer } from './bytes.js';
import { Connection } from './connection.js';
import { type WireInit, wireLowers } from './descriptors.js';
import { fromWireError } from './errors.js';
import { EVENT_TYPES, eventStream, type OverlayEvent, type OverlayEventType } from './events.js';
import { FileHandle } from './file-handle.js';
import { portLink, type WorkerLink } from './link.js';
import { type PathLike, pathString } from './path.js';
import type { WireDirent, WireError, WireEvent, WireHandle } from './protocol.js';
import { Dirent, Stats } from './stats.js';
import { unpackWalk, type WalkEntry } from './walk-entries.js';

export type { ChangeDetail } from './events.js';
export type { WalkEntry } from './walk-entries.js';

import { prepareData, type WriteData } from './write-data.js';

/**
 * An encoding name, or options with one (and Node's open flag).
 *
 * @inline
 */
type ReadOptions = { encoding?: string | null; flag?: string | number } | string | null | undefined;
/**
 * An encoding name, or options: the text's encoding, the new file's mode, the open flag.
 *
 * @inline
 */
type WriteOptions =
  | { encoding?: string | null; mode?: number; flag?: string | number }
  | string
  | null
  | undefined;
/**
 * `readdir`'s options: `Dirent`s instead of names, the whole tree, the names' encoding.
 *
 * @inline
 */
type ReaddirOptions = { withFileTypes?: boolean; recursive?: boolean; encoding?: string | null };
/**
 * Times as Node takes them: seconds, a numeric string, or a Date.
 *
 * @inline
 */
type Times = number | string | Date;

/**
 * One file for {@link OverlayClient.writeMany}.
 *
 * @example
 * ```ts
 * const entries: WriteEntry[] = [
 *   { path: '/src/a.ts', data: 'export const a = 1;' },
 *   { path: '/bin/run', data: '#!/bin/sh\n', mode: 0o755 },
 * ];
 * await fs.writeMany(entries, { parents: true });
 * ```
 */
export interface WriteEntry {
  /** The file's path. */
  path: string;
  /** Its contents (a string is encoded with `encoding`, default UTF-8). */
  data: string | ArrayBufferView;
  /** Mode of a file created (default 0o666 before the umask). */
  mode?: number;
  /** The encoding of a string `data`. */
  encoding?: string;
  /** Node's open flag (default `'w'`; `'wx'` fails with EEXIST where the file exists). */
  flag?: string;
}

/**
 * An overlay running in a worker, with `Overlay`'s async API. Errors keep their Node
 * shape (`code`, `errno`, `syscall`, `path`, `dest`, message); file data crosses as
 * transferred buffers. It is an `EventTarget` (and {@link OverlayClient.events} iterates
 * the same events): `change` fires after every mutating call (before the call resolves)
 * with `ChangeDetail`; `progress` and `warning` come from zip and HTTP lowers
 * (`ProgressDetail`, `WarningDetail`); `close` fires when the worker ends.
 *
 * @example
 * ```ts
 * const fs = await createOverlayWorker({ lowers: [{ type: 'memory', tree: { 'a.txt': 'hi' } }], upper: { type: 'memory' } });
 * fs.addEventListener('change', (e) => console.log((e as CustomEvent<ChangeDetail>).detail.paths));
 * await fs.writeFile('/a.txt', 'hello');
 * console.log(await fs.readFile('/a.txt', 'utf8'), await fs.changes());
 * fs.close();
 * ```
 */
export class OverlayClient extends EventTarget {
  readonly #conn: Connection;
  /** The client itself, for consumers that take an object with a `promises` member. */
  readonly promises: this;
  #baseChanges: readonly BaseChange[] = [];
  #readOnly = false;

  /** @internal Use `createOverlayWorker`. */
  constructor(link: WorkerLink) {
    super();
    this.promises = this;
    this.#conn = new Connection(
      link,
      (event: WireEvent) => this.dispatchEvent(new CustomEvent(event.type, { detail: event.detail })),
      (reason) => this.dispatchEvent(new CustomEvent('close', { detail: { reason } })),
    );
  }

  /** @internal Sends the layers and settings; `createOverlayWorker` calls it once. */
  async init(options: WireInit): Promise<void> {
    const opened = await this.#conn.init(options);
    this.#baseChanges = opened.baseChanges;
    this.#readOnly = opened.readOnly;
  }

  /**
   * True when this overlay's IndexedDB upper opened read-only because another tab holds
   * the workspace's writer lock (`whenLocked: 'read-only'`): every write fails with EROFS,
   * and the view follows the writer's commits (a `remote-change` event after each).
   *
   * @example
   * ```ts
   * const fs = await createOverlayWorker({
   *   lowers: [{ type: 'zip', url: '/template.zip' }],
   *   upper: { type: 'idb', name: 'w', whenLocked: 'read-only' },
   * });
   * if (fs.readOnly) console.warn('Read-only: another tab writes to this workspace');

   * ```
   */
  get readOnly(): boolean {
    return this.#readOnly;
  }

  /**
   * Copied-up files whose lower object changed (or went) since the upper was written,
   * as the engine found them when it opened (see `Overlay.baseChanges`).
   *
   * @example
   * ```ts
   * for (const { path, change } of fs.baseChanges) console.warn(`${path}: base ${change}`); // offer fs.revert(path)
   * ```
   */
  get baseChanges(): readonly BaseChange[] {
    return this.#baseChanges;
  }

  #call(op: string, args: unknown[], transfer?: Transferable[]): Promise<unknown> {
    return this.#conn.call(op, args, transfer);
  }

  // ── reading ────────────────────────────────────────────────────────────

  /** As `Overlay.stat`: the object `path` names, following symlinks. */
  async stat(path: PathLike): Promise<Stats> {
    return new Stats((await this.#call('stat', [pathString(path)])) as Float64Array);
  }

  /** As `Overlay.lstat`: a final symlink is described itself. */
  async lstat(path: PathLike): Promise<Stats> {
    return new Stats((await this.#call('lstat', [pathString(path)])) as Float64Array);
  }

  /** As `Overlay.access`: resolves when `path` exists, rejects with ENOENT otherwise. */
  async access(path: PathLike, mode?: number): Promise<void> {
    await this.#call('access', [pathString(path), mode]);
  }

  /**
   * A whole file's bytes.
   *
   * @example
   * ```ts
   * const bytes = await fs.readFile('/logo.png');
   * ```
   */
  async readFile(
    path: PathLike,
    options?: { encoding?: null; flag?: string | number } | null,
  ): Promise<Uint8Array>;
  /**
   * A whole file decoded as text with `encoding`.
   *
   * @example
   * ```ts
   * const text = await fs.readFile('/README.md', 'utf8');
   * ```
   */
  async readFile(
    path: PathLike,
    options: { encoding: string; flag?: string | number } | string,
  ): Promise<string>;
  /** A whole file: bytes, or text when an encoding is given. */
  async readFile(path: PathLike, options?: ReadOptions): Promise<Uint8Array | string>;
  async readFile(path: PathLike, options?: ReadOptions): Promise<Uint8Array | string> {
    const out = await this.#call('readFile', [pathString(path), options]);
    return typeof out === 'string' ? out : asResult(out as Uint8Array);
  }

  /**
   * The names in a directory, sorted, the layers merged (`recursive`: the whole tree as relative paths).
   */
  async readdir(
    path: PathLike,
    options?: (ReaddirOptions & { withFileTypes?: false }) | string | null,
  ): Promise<string[]>;
  /**
   * The entries of a directory as `Dirent`s.
   *
   * @example
   * ```ts
   * const dirs = (await fs.readdir('/src', { withFileTypes: true })).filter((d) => d.isDirectory());
   * ```
   */
  async readdir(path: PathLike, options: ReaddirOptions & { withFileTypes: true }): Promise<Dirent[]>;
  /** The names or the `Dirent`s of a directory, as `options.withFileTypes` says. */
  async readdir(path: PathLike, options?: ReaddirOptions | string | null): Promise<string[] | Dirent[]>;
  async readdir(path: PathLike, options?: ReaddirOptions | string | null): Promise<string[] | Dirent[]> {
    const o = typeof options === 'object' && options !== null ? options : undefined;
    const out = await this.#call('readdir', [pathString(path), o]);
    return o?.withFileTypes ? (out as WireDirent[]).map((d) => new Dirent(d)) : (out as string[]);
  }

  /** As `Overlay.readlink`: a symlink's target. */
  async readlink(path: PathLike, _options?: ReadOptions): Promise<string> {
    return (await this.#call('readlink', [pathString(path)])) as string;
  }

  /** As `Overlay.realpath`: the canonical path. */
  async realpath(path: PathLike, _options?: ReadOptions): Promise<string> {
    return (await this.#call('realpath', [pathString(path)])) as string;
  }

  // ── writing ────────────────────────────────────────────────────────────

  /** As `Overlay.mkdir` (`recursive` resolves with the first directory created). */
  async mkdir(
    path: PathLike,
    options?: { recursive?: boolean; mode?: number } | number,
  ): Promise<string | undefined> {
    return (await this.#call('mkdir', [pathString(path), options])) as string | undefined;
  }

  /** As `Overlay.mkdtemp`: a new directory named `prefix` plus six random characters. */
  async mkdtemp(prefix: string): Promise<string> {
    return (await this.#call('mkdtemp', [prefix])) as string;
  }

  /**
   * As `Overlay.writeFile`: replaces a file's contents (a lower file is copied up first). Bytes cross as
   * one private copy, transferred: the buffer given stays the caller's.
   *
   * @example
   * ```ts
   * await fs.writeFile('/src/main.ts', 'console.log(2)');
   * ```
   */
  async writeFile(path: PathLike, data: WriteData, options?: WriteOptions): Promise<void> {
    const p = await prepareData(data);
    await this.#call('writeFile', [pathString(path), p.data, options], p.transfer);
  }

  /** As `Overlay.appendFile`. */
  async appendFile(path: PathLike, data: WriteData, options?: WriteOptions): Promise<void> {
    const p = await prepareData(data);
    await this.#call('appendFile', [pathString(path), p.data, options], p.transfer);
  }

  /** As `Overlay.open`: a `FileHandle` whose calls go to the worker. */
  async open(path: PathLike, flags?: string | number, mode?: number): Promise<FileHandle> {
    const h = (await this.#call('open', [pathString(path), flags, mode])) as WireHandle;
    return new FileHandle(this.#conn, h.id, h.fd);
  }

  /** As `Overlay.copyFile` (`mode` 1, `COPYFILE_EXCL`: fail with EEXIST when `dest` exists). */
  async copyFile(src: PathLike, dest: PathLike, mode?: number): Promise<void> {
    await this.#call('copyFile', [pathString(src), pathString(dest), mode]);
  }

  /** As `Overlay.symlink`: `path` becomes a symlink to `target`. */
  async symlink(target: PathLike, path: PathLike, type?: string | null): Promise<void> {
    await this.#call('symlink', [pathString(target), pathString(path), type]);
  }

  /** As `Overlay.link`: `newPath` becomes another name of `existingPath`'s file. */
  async link(existingPath: PathLike, newPath: PathLike): Promise<void> {
    await this.#call('link', [pathString(existingPath), pathString(newPath)]);
  }

  /** As `Overlay.unlink`. */
  async unlink(path: PathLike): Promise<void> {
    await this.#call('unlink', [pathString(path)]);
  }

  /** As `Overlay.rmdir`: removes an empty directory. */
  async rmdir(path: PathLike, options?: unknown): Promise<void> {
    await this.#call('rmdir', [pathString(path), options]);
  }

  /** As `Overlay.rm`: `recursive` removes a tree in one transaction, `force` ignores a missing path. */
  async rm(path: PathLike, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    await this.#call('rm', [pathString(path), options]);
  }

  /** Like `Overlay.rename`, including renameat2's flags. */
  async rename(oldPath: PathLike, newPath: PathLike, flags?: RenameFlags): Promise<void> {
    await this.#call('rename', [pathString(oldPath), pathString(newPath), flags]);
  }

  /** As `Overlay.chmod`. */
  async chmod(path: PathLike, mode: number): Promise<void> {
    await this.#call('chmod', [pathString(path), mode]);
  }

  /** As `Overlay.lchmod`. */
  async lchmod(path: PathLike, mode: number): Promise<void> {
    await this.#call('lchmod', [pathString(path), mode]);
  }

  /** As `Overlay.chown`. */
  async chown(path: PathLike, uid: number, gid: number): Promise<void> {
    await this.#call('chown', [pathString(path), uid, gid]);
  }

  /** As `Overlay.lchown`. */
  async lchown(path: PathLike, uid: number, gid: number): Promise<void> {
    await this.#call('lchown', [pathString(path), uid, gid]);
  }

  /** As `Overlay.utimes` (seconds, numeric strings or `Date`s). */
  async utimes(path: PathLike, atime: Times, mtime: Times): Promise<void> {
    await this.#call('utimes', [pathString(path), atime, mtime]);
  }

  /** As `Overlay.lutimes`. */
  async lutimes(path: PathLike, atime: Times, mtime: Times): Promise<void> {
    await this.#call('lutimes', [pathString(path), atime, mtime]);
  }

  /** As `Overlay.truncate`. */
  async truncate(path: PathLike, len?: number): Promise<void> {
    await this.#call('truncate', [pathString(path), len]);
  }

  // ── beyond fs ──────────────────────────────────────────────────────────

  /** Which layer serves `path` (see `Overlay.origin`). */
  async origin(path: PathLike): Promise<Origin> {
    return (await this.#call('origin', [pathString(path)])) as Origin;
  }

  /** Every change the upper holds relative to the lowers, sorted by path. */
  async changes(): Promise<Change[]> {
    return (await this.#call('changes', [])) as Change[];
  }

  /**
   * The changes as a zip layer (see `changesZip` of `@vellum/core/zip`), made in the worker: OCI
   * whiteouts and opaque marks, moved directories written whole, so that the zip stacked on the
   * same lowers gives the same view. What an "export my work" button wants.
   *
   * @example
   * ```ts
   * const zip = await fs.changesZip();
   * // The changes alone, as a lower of another overlay:
   * const changesOnly = await createOverlayWorker({
   *   lowers: [{ type: 'zip', data: zip, whiteouts: 'oci' }],
   *   upper: { type: 'memory' },
   * });
   * ```
   */
  async changesZip(): Promise<Uint8Array> {
    return (await this.#call('changesZip', [])) as Uint8Array;
  }

  /**
   * The same changes as an OCI image layer tar (see `changesTar` of `@vellum/core/zip`), made in
   * the worker.
   *
   * @example
   * ```ts
   * const tar = await fs.changesTar(); // a container layer over the same base
   * ```
   */
  async changesTar(): Promise<Uint8Array> {
    return (await this.#call('changesTar', [])) as Uint8Array;
  }

  /** Discards every change, atomically. */
  async reset(): Promise<void> {
    await this.#call('reset', []);
  }

  /** Bytes and records the upper stores. */
  async usage(): Promise<UpperUsage> {
    return (await this.#call('usage', [])) as UpperUsage;
  }

  /**
   * Replaces the lower stack under the kept upper, in the worker (see `Overlay.remount`): core's
   * lower descriptors, as `createOverlayWorker` takes them. A `change` event names `/`, and
   * `baseChanges` is what the engine found on the new stack.
   *
   * @example
   * ```ts
   * const { baseChanges } = await fs.remount({ lowers: [{ type: 'zip', url: '/course/v2/lesson-1.zip' }] });
   * ```
   */
  async remount(options: { lowers: readonly LowerDescriptor[] }): Promise<RemountResult> {
    const result = (await this.#call('remount', [{ lowers: wireLowers(options.lowers) }])) as RemountResult;
    this.#baseChanges = result.baseChanges;
    return result;
  }

  /**
   * Moves the learner's work onto a new base with three-way decisions, in the worker (see
   * `Overlay.rebase`; the stacks as core's lower descriptors). Unless `dryRun`, a `change` event
   * names `/`.
   *
   * @example
   * ```ts
   * const plan = await fs.rebase({ to: [{ type: 'zip', url: '/course/v2/lesson-1.zip' }], dryRun: true });
   * for (const c of plan.conflicts) console.log(c.path, c.kind);
   * ```
   */
  async rebase(
    options: Omit<RebaseOptions, 'to' | 'from' | 'context'> & {
      to: readonly LowerDescriptor[];
      from?: readonly LowerDescriptor[];
    },
  ): Promise<RebaseResult> {
    const wire: RebaseOptions = { ...options, to: wireLowers(options.to) };
    if (options.from !== undefined) wire.from = wireLowers(options.from);
    const result = (await this.#call('rebase', [wire])) as RebaseResult;
    if (!result.dryRun) this.#baseChanges = result.baseChanges;
    return result;
  }

  /**
   * Freezes the upper's state under a new id (see `Overlay.snapshot`): records, not data.
   *
   * @example
   * ```ts
   * const before = await fs.snapshot('before solve');
   * ```
   */
  async snapshot(label?: string): Promise<SnapshotInfo> {
    return (await this.#call('snapshot', [label])) as SnapshotInfo;
  }

  /**
   * Makes a snapshot's state the current one, atomically (see `Overlay.restore`); a `change`
   * event names `/`.
   *
   * @example
   * ```ts
   * const before = await fs.snapshot('before solve');
   * await fs.restore(before.id); // undo solve
   * ```
   */
  async restore(id: string): Promise<void> {
    await this.#call('restore', [id]);
    this.#baseChanges = [];
  }

  /**
   * The snapshots kept, oldest first (see `Overlay.snapshots`).
   *
   * @example
   * ```ts
   * for (const s of await fs.snapshots()) console.log(s.id, s.label);
   * ```
   */
  async snapshots(): Promise<SnapshotInfo[]> {
    return (await this.#call('snapshots', [])) as SnapshotInfo[];
  }

  /**
   * Forgets a snapshot (see `Overlay.dropSnapshot`).
   *
   * @example
   * ```ts
   * const { id } = await fs.snapshot();
   * await fs.dropSnapshot(id);
   * ```
   */
  async dropSnapshot(id: string): Promise<void> {
    await this.#call('dropSnapshot', [id]);
  }

  /**
   * Puts one path back as the lowers show it (see `Overlay.revert`); a `change` event
   * names the path.
   *
   * @example
   * ```ts
   * await fs.revert('/src/main.ts'); // the base version again
   * ```
   */
  async revert(path: PathLike): Promise<void> {
    await this.#call('revert', [pathString(path)]);
  }

  /**
   * The durability barrier (see `Overlay.sync`): resolves once every call that resolved
   * before it is stored; with a write-back IndexedDB upper, rejects as the failed group
   * commit did (ENOSPC for a full quota, else EIO).
   *
   * @example
   * ```ts
   * await fs.writeMany(files);
   * await fs.sync(); // all of it survives a reload now
   * ```
   */
  async sync(): Promise<void> {
    await this.#call('sync', []);
  }

  /**
   * Checks what the upper stores (see `Overlay.fsck`).
   *
   * @example
   * ```ts
   * const { ok, problems } = await fs.fsck();
   * ```
   */
  async fsck(): Promise<FsckReport> {
    return (await this.#call('fsck', [])) as FsckReport;
  }

  // ── bulk: one crossing each ────────────────────────────────────────────

  /**
   * The whole subtree under `dir` (not `dir` itself), depth first in readdir order,
   * with types and `lstat`s, in one crossing; with `{ origins: true }` each entry also
   * says which layer serves it (`Overlay.origin`), still in the same crossing.
   *
   * @example
   * ```ts
   * for (const { path, type, stats, origin } of await fs.walk('/src', { origins: true }))
   *   console.log(type, path, stats.size, origin?.layer);
   * ```
   */
  async walk(dir: PathLike = '/', options?: { origins?: boolean }): Promise<WalkEntry[]> {
    const wire = (await this.#call('walk', [pathString(dir), options?.origins === true])) as WireWalk;
    return unpackWalk(wire);
  }

  /**
   * `stat` (or `lstat` with `{ follow: false }`) of many paths in one crossing. A path
   * that fails gives its error in its slot instead of failing the whole call.
   *
   * @example
   * ```ts
   * const [a, b] = await fs.statMany(['/a', '/missing']); // b instanceof Error, b.code === 'ENOENT'
   * ```
   */
  async statMany(paths: readonly PathLike[], options?: { follow?: boolean }): Promise<(Stats | Error)[]> {
    const wire = (await this.#call('statMany', [
      paths.map(pathString),
      options?.follow !== false,
    ])) as WireStatMany;
    return paths.map((_, i) => {
      const error = wire.errors[i];
      return error === undefined ? new Stats(wire.stats, i) : fromWireError(error);
    });
  }

  /**
   * The contents of many files in one crossing (bytes transferred, or text with an
   * encoding). A path that fails gives its error in its slot.
   *
   * @example
   * ```ts
   * const [main, readme] = await fs.readMany(['/src/main.ts', '/README.md'], 'utf8');
   * ```
   */
  async readMany(paths: readonly PathLike[], encoding?: string): Promise<(Uint8Array | string | Error)[]> {
    const values = (await this.#call('readMany', [paths.map(pathString), encoding])) as (
      | Uint8Array
      | string
      | WireError
    )[];
    return values.map((v) =>
      typeof v === 'string' ? v : v instanceof Uint8Array ? asResult(v) : fromWireError(v),
    );
  }

  /**
   * Writes many files in one crossing; each write is its own engine transaction, so
   * a failure leaves the others written. `parents: true` creates missing directories
   * (`mkdir -p`). Resolves to each entry's error, or `undefined` where it succeeded.
   * The callers' buffers stay usable (they are copied once, and the copies transferred).
   *
   * @example
   * ```ts
   * const errors = await fs.writeMany(
   *   [
   *     { path: '/t/a.txt', data: 'a' },
   *     { path: '/t/b.bin', data: new Uint8Array([1, 2, 3]) },
   *   ],
   *   { parents: true },
   * );
   * ```
   */
  async writeMany(
    entries: readonly WriteEntry[],
    options?: { parents?: boolean },
  ): Promise<(Error | undefined)[]> {
    const transfer: ArrayBuffer[] = [];
    const wire: WireWriteEntry[] = entries.map((e) => {
      let data: string | Uint8Array;
      if (typeof e.data === 'string') data = e.data;
      else {
        const copy = copyForTransfer(e.data);
        transfer.push(copy.buffer);
        data = copy;
      }
      return { path: pathString(e.path), data, mode: e.mode, encoding: e.encoding, flag: e.flag };
    });
    const errors = (await this.#call('writeMany', [wire, options?.parents === true], transfer)) as Record<
      number,
      WireError
    >;
    return entries.map((_, i) => {
      const error = errors[i];
      return error === undefined ? undefined : fromWireError(error);
    });
  }

  // ── the worker ─────────────────────────────────────────────────────────

  /**
   * A port for {@link connectSync} in another worker: transfer it there
   * (`worker.postMessage(port, [port])`). One port serves one synchronous client.
   */
  async syncPort(): Promise<MessagePort> {
    const channel = new MessageChannel();
    await this.#call('attachSync', [channel.port1], [channel.port1]);
    return channel.port2;
  }

  /**
   * A port on which the same worker answers another client's calls: transfer it to a
   * Service Worker, an iframe or another worker, which calls {@link connectOverlay} with
   * it. Each call makes a new port; the worker keeps serving this client as before.
   * Events (`change`, …) stay with this client, whoever caused them.
   *
   * @example
   * ```ts
   * const port = await fs.port();
   * navigator.serviceWorker.controller?.postMessage({ type: 'overlay-port', port }, [port]);
   * // in the Service Worker: const fs = connectOverlay(event.data.port);
   * ```
   */
  async port(): Promise<MessagePort> {
    const channel = new MessageChannel();
    await this.#call('attachPort', [channel.port1], [channel.port1]);
    return channel.port2;
  }

  /**
   * The worker's events as an async iterator: `change`, `progress`, `warning` (all of
   * them by default, or the `types` given) and finally `close`, after which it ends.
   * Events are queued between `next()` calls, none is dropped; `break` or `signal`
   * stops listening.
   *
   * @example
   * ```ts
   * for await (const e of fs.events(['change'])) {
   *   if (e.type === 'change') refresh(e.detail.paths);
   * }
   * ```
   */
  events<K extends OverlayEventType = OverlayEventType>(
    types?: readonly K[],
    options?: { signal?: AbortSignal },
  ): AsyncIterableIterator<
    Extract<
      OverlayEvent,
      {
        /** The types asked for, and `close`. */
        type: K | 'close';
      }
    >
  > {
    const all = types ?? (EVENT_TYPES as readonly K[]);
    return eventStream(this, all, this.#conn.gone !== undefined, options?.signal);
  }

  /** A round trip to the worker that does nothing: a health check. */
  ping(): Promise<void> {
    return this.#conn.ping();
  }

  /** Why the worker is gone (`'was closed'`, `'crashed: …'`, …), or `undefined` while it serves. */
  get closed(): string | undefined {
    return this.#conn.gone;
  }

  /**
   * Ends the worker: calls in flight and later calls reject with `WorkerGoneError` at
   * once; the worker commits what a write-back upper still queues and closes its
   * IndexedDB connection, then is terminated. Resolves once it is gone (awaiting is
   * needed only to reopen the same database right away).
   *
   * @example
   * ```ts
   * await fs.close();
   * const again = await createOverlayWorker({ lowers: [{ type: 'zip', url: '/template.zip' }], upper: { type: 'idb', name: 'lesson-1' } });

   * ```
   */
  close(): Promise<void> {
    return this.#conn.close();
  }
}

/**
 * A client over a port from {@link OverlayClient.port}: the same async API, served by the
 * worker that made the port, with no worker of its own. `close()` closes the port only.
 * It sees no events, and it is not told if the worker ends: a call then never settles, so
 * a caller that must answer in bounded time (a Service Worker's fetch) races a timer.
 *
 * @example
 * ```ts
 * // service-worker.ts
 * let remote: OverlayClient | undefined;
 * self.addEventListener('message', (event) => {
 *   if (event.data?.type === 'overlay-port') remote = connectOverlay(event.data.port);
 * });
 * // later: const bytes = await remote?.readFile('/index.html');
 * ```
 */
export function connectOverlay(port: MessagePort): OverlayClient {
  return new OverlayClient(portLink(port));
}
