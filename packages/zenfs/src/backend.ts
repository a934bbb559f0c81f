/**
 * `OverlayBackend`: a Vellum overlay as a ZenFS 2.x `FileSystem`, so that ZenFS's
 * VFS (and every tool written against it) sees overlayfs semantics.
 */
import {
  Overlay as Engine,
  FsError,
  type LowerLayer,
  type OverlayOptions,
  type RebaseOptions,
  type RebaseResult,
  type RemountResult,
  type SnapshotInfo,
  type UpperLayer,
} from '@vellum/core';
import { type CreationOptions, FileSystem, type InodeLike } from '@zenfs/core';
import { type LowerSpec, resolveLower } from './descriptors.js';
import { explained, explainedAsync, notReady } from './errors.js';
import { toInode } from './inode.js';
import { applyMetadata, applyMetadataSync, planMetadata } from './metadata.js';
import { type PreloadReport, preload } from './preload.js';

/** ZenFS's `type` field: a magic number per kind of filesystem ("VELL"). */
const VELLUM_TYPE = 0x56454c4c;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Layers to open an overlay on, or an overlay already open. */
export type OverlayBackendOptions =
  | (Omit<OverlayOptions, 'umask'> & {
      /** Read-only layer objects, topmost first. */
      lowers: readonly LowerLayer[];
      /** The writable layer object. */
      upper: UpperLayer;
      /**
       * Applied to new files' and directories' modes. Default 0: ZenFS's VFS passes
       * the final mode (it applies no umask of its own), unlike `node:fs`.
       */
      umask?: number;
    })
  | {
      /** An overlay opened with `Overlay.create`, to share with other code. */
      overlay: Engine;
    };

const encoder = new TextEncoder();

/**
 * The Vellum overlay as a ZenFS `FileSystem`: mount it anywhere in ZenFS's VFS.
 * Async calls wait for the overlay to open; sync calls answer where every layer
 * involved can without waiting and otherwise throw EAGAIN naming the layer
 * (`preload()` or the async API is then the way).
 *
 * @example
 * ```ts
 * import { fs, mount } from '@zenfs/core';
 * import { MemoryLayer, MemoryUpper } from '@vellum/core';
 * import { OverlayBackend } from '@vellum/zenfs';
 * const backend = new OverlayBackend({ lowers: [MemoryLayer.fromTree({ 'a.txt': 'hi' })], upper: new MemoryUpper() });
 * await backend.ready();
 * mount('/work', backend);
 * fs.rmSync('/work/a.txt');          // a whiteout in the upper; the lower is untouched
 * fs.existsSync('/work/a.txt');      // false
 * ```
 */
export class OverlayBackend extends FileSystem {
  readonly #opening: Promise<Engine>;
  #engine: Engine | undefined;

  constructor(options: OverlayBackendOptions) {
    super(VELLUM_TYPE, 'vellum');
    // Reading never copies anything up (overlayfs has no atime copy-up either): the VFS must not
    // write back an access time after each read.
    this.attributes.set('no_atime');
    if ('overlay' in options) {
      this.#engine = options.overlay;
      this.#opening = Promise.resolve(options.overlay);
    } else {
      this.#opening = Engine.create({ ...options, umask: options.umask ?? 0 }).then((engine) => {
        this.#engine = engine;
        return engine;
      });
      // A failed open is reported by ready() and every call; it must not also be an unhandled rejection.
      this.#opening.catch(() => {});
    }
  }

  /** The engine itself, for what ZenFS has no call for (`changes`, `revert`, `origin`, `fsck`). */
  get overlay(): Promise<Engine> {
    return this.#opening;
  }

  /**
   * Replaces the lower stack under the kept upper (see `Overlay.remount`): layer objects or
   * core's layer descriptors, as a mount configuration takes them. The mount point stays; every
   * path reads the new stack from the next call on.
   *
   * @example
   * ```ts
   * await backend.remount({ lowers: [{ type: 'zip', url: '/course/v2/lesson-1.zip' }] });
   * ```
   */
  async remount(options: { lowers: readonly LowerSpec[] }): Promise<RemountResult> {
    const engine = await this.#opening;
    return engine.remount({ lowers: await Promise.all(options.lowers.map(resolveLower)) });
  }

  /**
   * Moves the learner's work onto a new base with three-way decisions (see `Overlay.rebase`);
   * the stacks as layer objects or core's layer descriptors.
   *
   * @example
   * ```ts
   * const { merged, conflicts } = await backend.rebase({ to: [{ type: 'zip', url: '/course/v2/lesson-1.zip' }] });
   * ```
   */
  async rebase(
    options: Omit<RebaseOptions, 'to' | 'from'> & { to: readonly LowerSpec[]; from?: readonly LowerSpec[] },
  ): Promise<RebaseResult> {
    const engine = await this.#opening;
    const { to, from, ...rest } = options;
    return engine.rebase({
      ...rest,
      to: await Promise.all(to.map(resolveLower)),
      ...(from === undefined ? {} : { from: await Promise.all(from.map(resolveLower)) }),
    });
  }

  /**
   * Freezes the upper's state under a new id (see `Overlay.snapshot`).
   *
   * @example
   * ```ts
   * const before = await backend.snapshot('before solve');
   * ```
   */
  async snapshot(label?: string): Promise<SnapshotInfo> {
    return (await this.#opening).snapshot(label);
  }

  /**
   * Makes a snapshot's state the current one, atomically (see `Overlay.restore`).
   *
   * @example
   * ```ts
   * const before = await backend.snapshot('before solve');
   * await backend.restore(before.id);
   * ```
   */
  async restore(id: string): Promise<void> {
    await (await this.#opening).restore(id);
  }

  /**
   * The snapshots kept, oldest first (see `Overlay.snapshots`).
   *
   * @example
   * ```ts
   * for (const s of await backend.snapshots()) console.log(s.id, s.label);
   * ```
   */
  async snapshots(): Promise<SnapshotInfo[]> {
    return (await this.#opening).snapshots();
  }

  /**
   * Forgets a snapshot (see `Overlay.dropSnapshot`).
   *
   * @example
   * ```ts
   * const { id } = await backend.snapshot();
   * await backend.dropSnapshot(id);
   * ```
   */
  async dropSnapshot(id: string): Promise<void> {
    await (await this.#opening).dropSnapshot(id);
  }

  /** Resolves once the overlay is open (rejects with the reason it could not open). */
  override async ready(): Promise<void> {
    await this.#opening;
  }

  /** Throws unless the overlay is open already. */
  override readySync(): void {
    this.#now('mount', '/');
  }

  /** The engine, if open; sync callers cannot wait for it. */
  #now(syscall: string, path: string): Engine {
    if (this.#engine === undefined) throw notReady(syscall, path);
    return this.#engine;
  }

  /**
   * Reads what a sync consumer will need, so that layers that cache (zip, HTTP)
   * can then answer `readFileSync` and friends at once. Paths, directories (all
   * files below) or globs (`*`, `**`, `?`).
   *
   * @example
   * ```ts
   * import { fs } from '@zenfs/core';
   * await backend.preload(['/src/**\/*.ts', '/package.json']);

   * fs.readFileSync('/work/src/main.ts', 'utf8'); // no EAGAIN from a lazy lower
   * ```
   */
  async preload(patterns: string | readonly string[]): Promise<PreloadReport> {
    return preload(await this.#opening, typeof patterns === 'string' ? [patterns] : patterns);
  }

  // ── namespace ──────────────────────────────────────────────────────────

  /**
   * Renames, with overlayfs semantics (a lower directory is moved by redirect, a lower file copied up).
   */
  override rename(oldPath: string, newPath: string): Promise<void> {
    return explainedAsync(this.#rename(oldPath, newPath));
  }

  async #rename(oldPath: string, newPath: string): Promise<void> {
    await (await this.#opening).rename(oldPath, newPath);
  }

  /** As `rename`, at once (EAGAIN where a layer would have to wait). */
  override renameSync(oldPath: string, newPath: string): void {
    explained(() => this.#now('rename', oldPath).renameSync(oldPath, newPath));
  }

  /**
   * ZenFS resolves symlinks itself, so this is lstat, and a path that crosses a
   * symlink in a parent component is not found (ENOENT) as on ZenFS's own
   * backends: the VFS then resolves it component by component, so that
   * `realpath` and its vnode cache see the real path.
   */
  override stat(path: string): Promise<InodeLike> {
    return explainedAsync(this.#stat(path));
  }

  async #stat(path: string): Promise<InodeLike> {
    const ov = await this.#opening;
    const stats = await ov.lstat(path);
    const parent = parentOf(path);
    if (parent !== '/' && (await ov.realpath(parent)) !== parent) throw throughSymlink(path);
    return toInode(stats);
  }

  /** As `stat`, at once (EAGAIN where a layer would have to wait). */
  override statSync(path: string): InodeLike {
    return explained(() => {
      const ov = this.#now('stat', path);
      const stats = ov.lstatSync(path);
      const parent = parentOf(path);
      if (parent !== '/' && ov.realpathSync(parent) !== parent) throw throughSymlink(path);
      return toInode(stats);
    });
  }

  /**
   * Sets metadata (mode, owner, times) the VFS changed; a lower object is copied up for metadata only.
   */
  override touch(path: string, metadata: Partial<InodeLike>): Promise<void> {
    return explainedAsync(this.#touch(path, metadata));
  }

  async #touch(path: string, metadata: Partial<InodeLike>): Promise<void> {
    const ov = await this.#opening;
    await applyMetadata(ov, path, planMetadata(await ov.lstat(path), metadata));
  }

  /** As `touch`, at once. */
  override touchSync(path: string, metadata: Partial<InodeLike>): void {
    explained(() => {
      const ov = this.#now('touch', path);
      applyMetadataSync(ov, path, planMetadata(ov.lstatSync(path), metadata));
    });
  }

  /** Creates a file owned by the caller's credentials (ZenFS's `open` with a create flag calls it). */
  override createFile(path: string, options: CreationOptions): Promise<InodeLike> {
    return explainedAsync(this.#createFile(path, options));
  }

  async #createFile(path: string, options: CreationOptions): Promise<InodeLike> {
    const ov = await this.#opening;
    await ov.writeFile(path, new Uint8Array(0), { flag: 'wx', mode: options.mode & 0o7777 });
    return this.#owned(ov, path, options, await ov.lstat(path));
  }

  /** As `createFile`, at once. */
  override createFileSync(path: string, options: CreationOptions): InodeLike {
    return explained(() => {
      const ov = this.#now('open', path);
      ov.writeFileSync(path, new Uint8Array(0), { flag: 'wx', mode: options.mode & 0o7777 });
      return this.#ownedSync(ov, path, options);
    });
  }

  /** Creates a directory owned by the caller's credentials. */
  override mkdir(path: string, options: CreationOptions): Promise<InodeLike> {
    return explainedAsync(this.#mkdir(path, options));
  }

  async #mkdir(path: string, options: CreationOptions): Promise<InodeLike> {
    const ov = await this.#opening;
    await ov.mkdir(path, { mode: options.mode & 0o7777 });
    return this.#owned(ov, path, options, await ov.lstat(path));
  }

  /** As `mkdir`, at once. */
  override mkdirSync(path: string, options: CreationOptions): InodeLike {
    return explained(() => {
      const ov = this.#now('mkdir', path);
      ov.mkdirSync(path, { mode: options.mode & 0o7777 });
      return this.#ownedSync(ov, path, options);
    });
  }

  /** New objects belong to the engine's uid/gid; the VFS says whose they are (its credentials). */
  async #owned(
    ov: Engine,
    path: string,
    options: CreationOptions,
    stats: Awaited<ReturnType<Engine['lstat']>>,
  ): Promise<InodeLike> {
    if (stats.uid === options.uid && stats.gid === options.gid) return toInode(stats);
    await ov.chown(path, options.uid, options.gid);
    return toInode(await ov.lstat(path));
  }

  #ownedSync(ov: Engine, path: string, options: CreationOptions): InodeLike {
    const stats = ov.lstatSync(path);
    if (stats.uid === options.uid && stats.gid === options.gid) return toInode(stats);
    ov.chownSync(path, options.uid, options.gid);
    return toInode(ov.lstatSync(path));
  }

  /** Removes a name that is not a directory (a lower name is hidden by a whiteout). */
  override unlink(path: string): Promise<void> {
    return explainedAsync(this.#unlink(path));
  }

  async #unlink(path: string): Promise<void> {
    await (await this.#opening).unlink(path);
  }

  /** As `unlink`, at once. */
  override unlinkSync(path: string): void {
    explained(() => this.#now('unlink', path).unlinkSync(path));
  }

  /** Removes an empty directory. */
  override rmdir(path: string): Promise<void> {
    return explainedAsync(this.#rmdir(path));
  }

  async #rmdir(path: string): Promise<void> {
    await (await this.#opening).rmdir(path);
  }

  /** As `rmdir`, at once. */
  override rmdirSync(path: string): void {
    explained(() => this.#now('rmdir', path).rmdirSync(path));
  }

  /** The names in a directory, the layers merged. */
  override readdir(path: string): Promise<string[]> {
    return explainedAsync(this.#readdir(path));
  }

  async #readdir(path: string): Promise<string[]> {
    return (await this.#opening).readdir(path);
  }

  /** As `readdir`, at once. */
  override readdirSync(path: string): string[] {
    return explained(() => this.#now('scandir', path).readdirSync(path));
  }

  /** Makes `link` another name of the file at `target`. */
  override link(target: string, link: string): Promise<void> {
    return explainedAsync(this.#link(target, link));
  }

  async #link(target: string, link: string): Promise<void> {
    await (await this.#opening).link(target, link);
  }

  /** As `link`, at once. */
  override linkSync(target: string, link: string): void {
    explained(() => this.#now('link', target).linkSync(target, link));
  }

  /** The upper's durability barrier (`Overlay.sync`). */
  override sync(): Promise<void> {
    return explainedAsync(this.#sync());
  }

  async #sync(): Promise<void> {
    await (await this.#opening).sync();
  }

  /** Nothing to wait for in ZenFS's sync API: every sync write was committed before it returned. */
  override syncSync(): void {
    this.#now('fsync', '/');
  }

  // ── data ───────────────────────────────────────────────────────────────

  /** Reads bytes `[start, end)` of a file into `buffer` (only the chunks they cover). */
  override read(path: string, buffer: Uint8Array, start: number, end: number): Promise<void> {
    return explainedAsync(this.#read(path, buffer, start, end));
  }

  async #read(path: string, buffer: Uint8Array, start: number, end: number): Promise<void> {
    const ov = await this.#opening;
    const stats = await ov.lstat(path);
    // The VFS reads a symlink's target as its contents (readlink).
    if ((stats.mode & S_IFMT) === S_IFLNK) {
      copyInto(buffer, encoder.encode(await ov.readlink(path)), start, end);
      return;
    }
    const handle = await ov.open(path, 'r');
    try {
      await handle.read(buffer, 0, Math.min(end - start, buffer.byteLength), start);
    } finally {
      await handle.close();
    }
  }

  /** Reads only `[start, end)` (a descriptor of the engine: the chunks it covers, not the file). */
  override readSync(path: string, buffer: Uint8Array, start: number, end: number): void {
    explained(() => {
      const ov = this.#now('read', path);
      const stats = ov.lstatSync(path);
      if ((stats.mode & S_IFMT) === S_IFLNK) {
        copyInto(buffer, encoder.encode(ov.readlinkSync(path)), start, end);
        return;
      }
      const fd = ov.openSync(path, 'r');
      try {
        const wanted = Math.min(end - start, buffer.byteLength);
        const got = ov.readSync(fd, buffer, 0, wanted, start);
        // ZenFS hands in reused buffers: what lies past the end of the file must read as zeros.
        if (got < wanted) buffer.fill(0, got, wanted);
      } finally {
        ov.closeSync(fd);
      }
    });
  }

  /** Writes `buffer` into a file at `offset`. */
  override write(path: string, buffer: Uint8Array, offset: number): Promise<void> {
    return explainedAsync(this.#write(path, buffer, offset));
  }

  async #write(path: string, buffer: Uint8Array, offset: number): Promise<void> {
    const handle = await (await this.#opening).open(path, 'r+');
    try {
      await handle.write(buffer, 0, buffer.byteLength, offset);
    } finally {
      await handle.close();
    }
  }

  /** A positioned write: only the chunks it touches are stored (and read first where partly covered). */
  override writeSync(path: string, buffer: Uint8Array, offset: number): void {
    explained(() => {
      const ov = this.#now('write', path);
      const fd = ov.openSync(path, 'r+');
      try {
        ov.writeSync(fd, buffer, 0, buffer.byteLength, offset);
      } finally {
        ov.closeSync(fd);
      }
    });
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

function throughSymlink(path: string): FsError {
  return new FsError('ENOENT', 'stat', path, undefined, {
    cause: new Error('a parent component is a symlink: ZenFS resolves it'),
  });
}

/** `[start, end)` of `source` into the start of `buffer`; what lies past the source is zeros. */
function copyInto(buffer: Uint8Array, source: Uint8Array, start: number, end: number): void {
  const part = source.subarray(start, Math.min(end, start + buffer.byteLength));
  buffer.set(part);
  if (part.byteLength < Math.min(end - start, buffer.byteLength)) {
    buffer.fill(0, part.byteLength, Math.min(end - start, buffer.byteLength));
  }
}
