/**
 * The public face of the engine: an overlay of read-only lowers under one
 * writable upper, with the `node:fs/promises` API.
 */
import { collect, encode, type WriteData } from './bytes.js';
import { type Change, listChanges, type Origin } from './changes.js';
import { FsError } from './errors.js';
import { type FdTable, FileHandle, readArgs, refuseWhileBusy, toMs, writtenBytes } from './file-handle.js';
import {
  ASYNC_IO,
  andThen,
  type DataIo,
  linkOp,
  locateEntry,
  type Maybe,
  mkdirOp,
  openOp,
  type ReaddirOptions,
  reach,
  readdirOf,
  readFileOf,
  readlinkOf,
  realpathOf,
  rmdirOp,
  rmOp,
  SYNC_IO,
  setAttrOp,
  statOf,
  symlinkOp,
  truncateOp,
  unlinkOp,
  writeWholeOp,
} from './fs-ops.js';
import { checkSnapshot, type FsckReport } from './fsck.js';
import type { DirNode, Node } from './inode.js';
import type { EntryMeta, LowerLayer, SnapshotInfo, UpperLayer, UpperUsage } from './layer.js';
import { buildLowerIndex, reservedBy } from './lower-index.js';
import { commitError, Namespace } from './namespace.js';
import { type OpenMode, parseFlags } from './open-flags.js';
import { joinPath, type PathLike, pathToString } from './path.js';
import { type RebaseOptions, type RebaseResult, rebase } from './rebase.js';
import { type RemountOptions, type RemountResult, remount } from './remount.js';
import { type RenameFlags, rename } from './rename.js';
import { type BaseChange, replay } from './replay.js';
import { revertName } from './revert.js';
import { drop as dropSnapshot, list as listSnapshots, restore, snapshot } from './snapshot.js';
import { type Dirent, Stats } from './stats.js';
import { captureState, type Txn } from './txn.js';

/**
 * One entry of {@link Overlay.walk} (and of the worker client's `walk`, which gives its
 * own `Stats` class: the same fields and methods, rebuilt from what crossed).
 */
export interface WalkEntry<S = Stats> {
  /** The entry's absolute path in the overlay. */
  path: string;
  /** What the entry is (`lstat`'s view: a symlink is `'symlink'`). */
  type: 'file' | 'dir' | 'symlink';
  /** `lstat` of the entry (a symlink is not followed). */
  stats: S;
  /** Which layer serves the entry: only with `walk(dir, { origins: true })`. */
  origin?: Origin;
}

/**
 * What {@link Overlay.create} takes: the layers and the engine's settings.
 *
 * @example
 * ```ts
 * const options: OverlayOptions = { lowers: [app, base], upper: new MemoryUpper(), umask: 0o002 };
 * const ov = await Overlay.create(options);
 * ```
 */
export interface OverlayOptions {
  /** Read-only layers, topmost first (like `lowerdir=`). */
  lowers: readonly LowerLayer[];
  /** The writable layer. */
  upper: UpperLayer;
  /** Bytes per copy-on-write chunk (default 64 KiB). */
  chunkSize?: number;
  /** Applied to the mode of every new file and directory (default 0o022). */
  umask?: number;
  /** Owner of new objects (default 0). */
  uid?: number;
  /** Group of new objects (default 0). */
  gid?: number;
  /**
   * What to do when the upper was built on lowers with other identities:
   * `'refuse'` (default) fails with EINVAL; `'open'` opens anyway.
   */
  onLowerChange?: 'refuse' | 'open';
}

/**
 * An encoding name, or options with one (and Node's open flag).
 *
 * @inline
 */
type EncodingOption = { encoding?: string | null; flag?: string | number } | string | null | undefined;
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

const encodingOf = (options: EncodingOption | WriteOptions): string | null | undefined =>
  typeof options === 'string' ? options : options?.encoding;

/**
 * Times as Node takes them: seconds, a numeric string, or a Date.
 *
 * @inline
 */
type Time = number | string | Date;

/**
 * An upper whose records can change under the overlay (another tab writes
 * them): it calls `refresh` after each such change, and the overlay's view
 * follows without being reopened.
 */
interface Watchable {
  watch?(refresh: () => Promise<void>): void;
}

/**
 * An overlay filesystem with Linux overlayfs semantics and the
 * `node:fs/promises` API (`ov.promises === ov`).
 *
 * @example
 * ```ts
 * import { Overlay, MemoryLayer, MemoryUpper } from '@vellum/core';
 * const base = MemoryLayer.fromTree({ 'README.md': '# hello', src: { 'main.ts': 'console.log(1)' } });
 * const ov = await Overlay.create({ lowers: [base], upper: new MemoryUpper() });
 * await ov.writeFile('/src/main.ts', 'console.log(2)');
 * ov.origin('/src/main.ts'); // { layer: 'upper', copiedUp: true, metacopy: false, lowerLayer: 0 }
 * await ov.changes();        // [{ path: '/src/main.ts', type: 'file', change: 'modified' }]
 * ```
 */
export class Overlay {
  readonly #ns: Namespace;
  /** Open handles by descriptor (both `open` and `openSync`), for the fd-based sync calls. */
  readonly #fds: FdTable = new Map();
  /** The overlay itself, for consumers that take an object with a `promises` member. */
  readonly promises: this;

  /**
   * Opened with `onLowerChange: 'open'` on lowers other than the upper's: the
   * copied-up objects whose base object changed or went away (their upper copy
   * still hides the base's version — the "my old copy hides the updated template"
   * case). Empty otherwise.
   *
   * @example
   * ```ts
   * const ov = await Overlay.create({ lowers: [newTemplate], upper, onLowerChange: 'open' });
   * for (const { path, change } of ov.baseChanges) console.warn(`${path}: base ${change}`); // offer ov.revert(path)
   * ```
   */
  get baseChanges(): readonly BaseChange[] {
    return this.#baseChanges;
  }

  #baseChanges: readonly BaseChange[];

  private constructor(ns: Namespace, baseChanges: readonly BaseChange[]) {
    this.#ns = ns;
    this.promises = this;
    this.#baseChanges = baseChanges;
  }

  /**
   * Replaces the lower stack under the kept upper in one step (a course's new version, the next
   * lesson's layers): the upper's records are laid over the new stack, atomically for every
   * caller. Handles opened before keep reading what they opened; paths whose entry the new stack
   * holds unchanged keep their inode numbers. A learner's copy whose base changed keeps its own
   * bytes and is listed in `baseChanges` (to merge it instead, see `rebase`). Rejects with EBUSY
   * while a file is open for writing, and leaves the overlay as it was on any failure.
   *
   * @example
   * ```ts
   * const { baseChanges } = await ov.remount({ lowers: [{ type: 'zip', url: '/course/v2/lesson-1.zip' }] });
   * ```
   */
  async remount(options: RemountOptions): Promise<RemountResult> {
    const result = await remount(this.#ns, this.#fds, options);
    this.#baseChanges = result.baseChanges;
    return result;
  }

  /**
   * Moves the learner's work onto a new base (`to`), as git merges: for every change in the
   * upper, the old base's entry, the new base's and the learner's decide — base unchanged: the
   * learner's change is kept; learner unchanged: the new base's version is taken; both changed a
   * text file: a three-way merge (as `git merge-file`), written when clean; anything else is a
   * conflict with its kind (the learner's version stays; `markers: true` writes a text conflict
   * into the file with git's markers). Then the new stack is in, as with `remount`. Decisions,
   * swap and writes are one upper transaction: a failure or a crash leaves the old state.
   * `dryRun` only reports.
   *
   * @example
   * ```ts
   * const plan = await ov.rebase({ to: [{ type: 'zip', url: '/course/v2/lesson-1.zip' }], dryRun: true });
   * if (plan.conflicts.length === 0) await ov.rebase({ to: [{ type: 'zip', url: '/course/v2/lesson-1.zip' }] });
   * ```
   */
  async rebase(options: RebaseOptions): Promise<RebaseResult> {
    const result = await rebase(this.#ns, this.#fds, options);
    if (!result.dryRun) this.#baseChanges = result.baseChanges;
    return result;
  }
  /**
   * Freezes the upper's current state under a new id, for undo: cost proportional to the
   * changed records, not the data (file chunks are shared with the live files until they
   * change). Kept in IndexedDB by the IndexedDB upper, in memory by the memory upper; they
   * survive `reset()`.
   *
   * @example
   * ```ts
   * const before = await ov.snapshot('before solve');
   * await ov.writeFile('/src/main.ts', 'the solution');
   * await ov.restore(before.id); // undo
   * ```
   */
  async snapshot(label?: string): Promise<SnapshotInfo> {
    return snapshot(this.#ns, label);
  }

  /**
   * Makes a snapshot's state the current one, atomically (one upper transaction; no call sees
   * half of it), laid over the current lowers. ENOENT for an unknown id; EBUSY while a file is
   * open for writing.
   *
   * @example
   * ```ts
   * const [last] = (await ov.snapshots()).slice(-1);
   * if (last) await ov.restore(last.id);
   * ```
   */
  async restore(id: string): Promise<void> {
    await restore(this.#ns, this.#fds, id);
    this.#baseChanges = [];
  }

  /**
   * The snapshots kept, oldest first.
   *
   * @example
   * ```ts
   * for (const s of await ov.snapshots()) console.log(s.id, s.label, s.records);
   * ```
   */
  snapshots(): Promise<SnapshotInfo[]> {
    return listSnapshots(this.#ns);
  }

  /**
   * Forgets a snapshot (and the chunk bytes only it kept). ENOENT for an unknown id.
   *
   * @example
   * ```ts
   * const { id } = await ov.snapshot();
   * await ov.dropSnapshot(id);
   * ```
   */
  dropSnapshot(id: string): Promise<void> {
    return dropSnapshot(this.#ns, id);
  }

  /** Opens an overlay; an upper that already holds changes is laid over the lowers as it was left. */
  static async create(options: OverlayOptions): Promise<Overlay> {
    const now = Date.now();
    const defaults: EntryMeta = {
      mode: 0o755,
      uid: options.uid ?? 0,
      gid: options.gid ?? 0,
      atimeMs: now,
      mtimeMs: now,
      ctimeMs: now,
      birthtimeMs: now,
    };
    const loaded = await options.upper.load();
    // Read twice below (reserved numbers, replay): an upper may give its records as a one-shot iterable.
    const snapshot = { ...loaded, inodes: [...loaded.inodes] };
    const want = snapshot.meta?.lowerIds.join('\n');
    const have = options.lowers.map((l) => l.id).join('\n');
    if (want !== undefined && want !== have && options.onLowerChange !== 'open') {
      throw new FsError('EINVAL', 'mount', undefined, undefined, {
        cause: new Error(
          `the upper was built on lowers [${snapshot.meta?.lowerIds.join(', ')}] but is opened on [${options.lowers.map((l) => l.id).join(', ')}]`,
        ),
      });
    }
    // On other lowers than the upper's, a record may carry the number of an object gone from
    // them: no new lower object may take it (two objects, one st_ino).
    const lowerIndex = await buildLowerIndex(
      options.lowers,
      defaults,
      want !== undefined && want !== have ? { reserved: reservedBy(snapshot.inodes) } : undefined,
    );
    let opened: {
      root: DirNode;
      nextIno: number;
      metaStored: boolean;
      baseChanges: BaseChange[];
      pristine: Map<Node, () => void>;
    };
    try {
      const pristine = new Map<Node, () => void>();
      const { root, nextIno, orphans, baseChanges } = replay(snapshot, lowerIndex, (node) =>
        pristine.set(node, captureState(node)),
      );
      if (orphans.length > 0) {
        // Best effort: a read-only upper (another tab writes) keeps them for its writer to drop.
        await options.upper.commit(orphans.map((ino) => ({ op: 'drop-inode', ino }))).catch(() => undefined);
      }
      opened = { root, nextIno, metaStored: snapshot.meta !== undefined, baseChanges, pristine };
    } catch (error) {
      // The wasm index is the overlay's memory: an overlay that never opens releases it now.
      lowerIndex.store.close();
      throw error;
    }
    const { root, nextIno, metaStored, baseChanges, pristine } = opened;
    const ns = new Namespace(
      {
        lowers: options.lowers,
        upper: options.upper,
        lowerIndex,
        chunkSize: options.chunkSize ?? 64 * 1024,
        umask: options.umask ?? 0o022,
        uid: options.uid ?? 0,
        gid: options.gid ?? 0,
      },
      root,
    );
    ns.nextIno = nextIno;
    ns.metaStored = metaStored;
    for (const [node, restore] of pristine) ns.pristine.set(node, restore);
    const overlay = new Overlay(ns, baseChanges);
    (options.upper as UpperLayer & Watchable).watch?.(() => overlay.#refresh());
    return overlay;
  }

  /** Another tab changed the upper: the view becomes what its records now say (no writer of ours is in flight). */
  async #refresh(): Promise<void> {
    const snapshot = await this.#ns.upper.load();
    await this.#ns.mutate('refresh', '/', () => this.#ns.reload(snapshot));
  }

  /** Waits for a writer in flight (readers never see half an operation). */
  #settled(): Promise<void> | undefined {
    return this.#ns.busy ? this.#ns.settled() : undefined;
  }

  #readableNow(syscall: string, p: string): void {
    refuseWhileBusy(this.#ns, syscall, p);
  }

  #mutate<T>(syscall: string, path: PathLike, fn: (tx: Txn, p: string) => Maybe<T>): Promise<T> {
    const p = pathToString(path);
    return this.#ns.mutate(syscall, p, (tx) => fn(tx, p));
  }

  #mutateSync<T>(syscall: string, path: PathLike, fn: (tx: Txn, p: string) => Maybe<T>): T {
    const p = pathToString(path);
    return this.#ns.mutateSync(syscall, p, (tx) => {
      const result = fn(tx, p);
      // SYNC_IO never returns a promise; this guards the contract, not a real path.
      if (result instanceof Promise) throw new Error('a synchronous operation returned a promise');
      return result;
    });
  }

  // ── reading ────────────────────────────────────────────────────────────

  /**
   * Node's `stat`: the object `path` names, following symlinks. Rejects with ENOENT, ENOTDIR, ELOOP as
   * Node does.
   */
  async stat(path: PathLike): Promise<Stats> {
    await this.#settled();
    return statOf(this.#ns, pathToString(path), true);
  }

  /** Node's `lstat`: as `stat`, but a final symlink is described itself, not followed. */
  async lstat(path: PathLike): Promise<Stats> {
    await this.#settled();
    return statOf(this.#ns, pathToString(path), false);
  }

  /**
   * Resolves when `path` exists (following symlinks), rejects with ENOENT otherwise. `mode` is not
   * checked: the overlay enforces no permissions.
   */
  async access(path: PathLike, _mode?: number): Promise<void> {
    await this.#settled();
    reach(this.#ns, pathToString(path), true, 'access');
  }

  /**
   * A whole file's bytes.
   *
   * @example
   * ```ts
   * const bytes = await ov.readFile('/logo.png');
   * ```
   */
  async readFile(
    path: PathLike,
    options?: { encoding?: null; flag?: string | number } | null,
  ): Promise<Uint8Array>;
  /**
   * A whole file decoded as text with `encoding` (`'utf8'`, `'latin1'`, `'base64'`, …).
   *
   * @example
   * ```ts
   * const text = await ov.readFile('/README.md', 'utf8');
   * ```
   */
  async readFile(
    path: PathLike,
    options: { encoding: string; flag?: string | number } | string,
  ): Promise<string>;
  /** A whole file: bytes, or text when an encoding is given. */
  async readFile(path: PathLike, options?: EncodingOption): Promise<Uint8Array | string>;
  async readFile(path: PathLike, options?: EncodingOption): Promise<Uint8Array | string> {
    await this.#settled();
    return readFileOf(this.#ns, pathToString(path), encodingOf(options), ASYNC_IO);
  }

  /**
   * The names in a directory, sorted, lower and upper merged (whiteouts hide names, opaque directories
   * hide the lowers'). `recursive` lists the whole tree as relative paths.
   *
   * @example
   * ```ts
   * await ov.readdir('/src');                      // ['main.ts', 'util.ts']
   * await ov.readdir('/', { recursive: true });    // ['README.md', 'src', 'src/main.ts', …]
   * ```
   */
  async readdir(
    path: PathLike,
    options?: { withFileTypes?: false; recursive?: boolean; encoding?: string | null } | string | null,
  ): Promise<string[]>;
  /**
   * The entries of a directory as `Dirent`s, which tell their type without a `stat` each.
   *
   * @example
   * ```ts
   * for (const d of await ov.readdir('/src', { withFileTypes: true })) {
   *   if (d.isDirectory()) console.log(d.name);
   * }
   * ```
   */
  async readdir(path: PathLike, options: { withFileTypes: true; recursive?: boolean }): Promise<Dirent[]>;
  /** The names or the `Dirent`s of a directory, as `options.withFileTypes` says. */
  async readdir(path: PathLike, options?: ReaddirOptions | string | null): Promise<string[] | Dirent[]>;
  async readdir(path: PathLike, options?: ReaddirOptions | string | null): Promise<string[] | Dirent[]> {
    await this.#settled();
    return readdirOf(
      this.#ns,
      pathToString(path),
      typeof options === 'object' && options !== null ? options : {},
    );
  }

  /** A symlink's target, as it was written. */
  async readlink(path: PathLike, _options?: EncodingOption): Promise<string> {
    await this.#settled();
    return readlinkOf(this.#ns, pathToString(path));
  }

  /** The canonical path: every symlink on the way resolved, `.` and `..` removed. */
  async realpath(path: PathLike, _options?: EncodingOption): Promise<string> {
    await this.#settled();
    return realpathOf(this.#ns, pathToString(path));
  }

  // ── creating ───────────────────────────────────────────────────────────

  /**
   * Node's `mkdir`: creates a directory (`mode` before the umask, default 0o777). With `recursive`,
   * creates the missing parents too and resolves with the first directory it created (`undefined` if
   * none).
   *
   * @example
   * ```ts
   * await ov.mkdir('/src/lib/util', { recursive: true });
   * ```
   */
  async mkdir(
    path: PathLike,
    options?: { recursive?: boolean; mode?: number } | number,
  ): Promise<string | undefined> {
    const o = typeof options === 'number' ? { mode: options } : (options ?? {});
    return this.#mutate('mkdir', path, (tx, p) =>
      mkdirOp(this.#ns, tx, p, o.mode ?? 0o777, o.recursive === true),
    );
  }

  /**
   * Creates a directory named `prefix` plus six random characters (mode 0o700) and resolves with its
   * path.
   */
  async mkdtemp(prefix: string): Promise<string> {
    for (;;) {
      const candidate = prefix + Math.random().toString(36).slice(2, 8).padEnd(6, '0');
      try {
        await this.mkdir(candidate, 0o700);
        return candidate;
      } catch (error) {
        if (!(error instanceof FsError) || error.code !== 'EEXIST') throw error;
      }
    }
  }

  /**
   * Replaces a file's contents (creating it, mode 0o666 before the umask, unless `flag` says otherwise).
   * `data` may be a string, bytes, or an (async) iterable of either. A lower file is copied up first, as
   * overlayfs does.
   *
   * @example
   * ```ts
   * await ov.writeFile('/src/main.ts', 'console.log(2)');
   * await ov.writeFile('/data.bin', new Uint8Array([1, 2, 3]));
   * ```
   */
  async writeFile(path: PathLike, data: WriteData, options?: WriteOptions): Promise<void> {
    const o = typeof options === 'object' && options !== null ? options : {};
    const bytes = await collect(data, encodingOf(options));
    await this.#mutate('open', path, (tx, p) =>
      writeWholeOp(this.#ns, tx, p, bytes, parseFlags(o.flag, 'w'), o.mode ?? 0o666, ASYNC_IO),
    );
  }

  /** Appends to a file, creating it if missing. */
  async appendFile(path: PathLike, data: WriteData, options?: WriteOptions): Promise<void> {
    const o = typeof options === 'object' && options !== null ? options : {};
    const bytes = await collect(data, encodingOf(options));
    await this.#mutate('open', path, (tx, p) =>
      writeWholeOp(this.#ns, tx, p, bytes, parseFlags(o.flag, 'a'), o.mode ?? 0o666, ASYNC_IO),
    );
  }

  /**
   * Opens a file and resolves with a `FileHandle` (`flags` as Node: `'r'`, `'r+'`, `'w'`, `'a'`, `'wx'`,
   * …).
   *
   * @example
   * ```ts
   * const fh = await ov.open('/log.txt', 'a');
   * await fh.write('one more line\n');

   * await fh.close();
   * ```
   */
  async open(path: PathLike, flags?: string | number, mode?: number): Promise<FileHandle> {
    const m = parseFlags(flags, 'r');
    const p = pathToString(path);
    if (!m.write && !m.create) {
      await this.#settled();
      return new FileHandle(this.#ns, reach(this.#ns, p, true, 'open'), m, p, this.#fds);
    }
    const node = await this.#mutate('open', p, (tx) => openOp(this.#ns, tx, p, m, mode ?? 0o666, ASYNC_IO));
    return new FileHandle(this.#ns, node, m, p, this.#fds);
  }

  /**
   * Copies a file's contents and mode. `mode` takes `fs.constants.COPYFILE_EXCL` (1): fail with EEXIST
   * when `dest` exists.
   */
  async copyFile(src: PathLike, dest: PathLike, mode = 0): Promise<void> {
    const from = pathToString(src);
    const to = pathToString(dest);
    await this.#settled();
    await copyFileErrors(from, to, async () => {
      const { node, bytes } = await copySource(this.#ns, from, ASYNC_IO);
      await this.#mutate('open', to, (tx, p) =>
        writeWholeOp(this.#ns, tx, p, bytes, copyFlags(mode), node.mode, ASYNC_IO),
      );
    });
  }

  /**
   * Creates a symlink at `path` pointing to `target` (stored as given, not resolved). `type` is ignored.
   */
  async symlink(target: PathLike, path: PathLike, _type?: string | null): Promise<void> {
    await this.#mutate('symlink', path, (tx, p) => symlinkOp(this.#ns, tx, pathToString(target), p));
  }

  /** Creates a hard link: `newPath` becomes another name of the file at `existingPath`. */
  async link(existingPath: PathLike, newPath: PathLike): Promise<void> {
    await this.#mutate('link', existingPath, (tx, from) => linkOp(this.#ns, tx, from, pathToString(newPath)));
  }

  // ── removing and moving ────────────────────────────────────────────────

  /** Removes a name that is not a directory. A name from a lower is hidden by a whiteout. */
  async unlink(path: PathLike): Promise<void> {
    await this.#mutate('unlink', path, (tx, p) => unlinkOp(this.#ns, tx, p));
  }

  /** Removes an empty directory (as merged: names in a lower count, unless whited out). */
  async rmdir(path: PathLike, _options?: unknown): Promise<void> {
    await this.#mutate('rmdir', path, (tx, p) => rmdirOp(this.#ns, tx, p));
  }

  /** Like Node's: `recursive` removes a whole tree (in one transaction), `force` ignores a missing path. */
  async rm(path: PathLike, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    await this.#mutate('rm', path, (tx, p) => rmOp(this.#ns, tx, p, options));
  }

  /**
   * Like Node's, plus renameat2's flags as an optional third argument.
   *
   * @example
   * ```ts
   * await ov.rename('/draft', '/final', { noReplace: true }); // EEXIST if /final exists
   * await ov.rename('/a', '/b', { exchange: true });          // swaps the two names
   * ```
   */
  async rename(oldPath: PathLike, newPath: PathLike, flags?: RenameFlags): Promise<void> {
    const to = pathToString(newPath);
    // A rename the upper refuses can still leave copy-ups behind, as the kernel's does.
    const refused = await this.#mutate('rename', oldPath, (tx, from) =>
      rename(this.#ns, from, to, tx, flags),
    );
    if (refused) throw refused;
  }

  // ── metadata ───────────────────────────────────────────────────────────

  /**
   * Sets the permission bits, following symlinks. A lower object is copied up for metadata only: its
   * bytes stay in the lower.
   */
  async chmod(path: PathLike, mode: number): Promise<void> {
    await this.#mutate('chmod', path, (tx, p) => setAttrOp(this.#ns, tx, p, true, 'chmod', { mode }));
  }

  /** As `chmod`, but a final symlink is changed itself. */
  async lchmod(path: PathLike, mode: number): Promise<void> {
    await this.#mutate('lchmod', path, (tx, p) => setAttrOp(this.#ns, tx, p, false, 'lchmod', { mode }));
  }

  /** Sets the owner, following symlinks (no permission check). */
  async chown(path: PathLike, uid: number, gid: number): Promise<void> {
    await this.#mutate('chown', path, (tx, p) => setAttrOp(this.#ns, tx, p, true, 'chown', { uid, gid }));
  }

  /** As `chown`, but a final symlink is changed itself. */
  async lchown(path: PathLike, uid: number, gid: number): Promise<void> {
    await this.#mutate('lchown', path, (tx, p) => setAttrOp(this.#ns, tx, p, false, 'lchown', { uid, gid }));
  }

  /**
   * Sets the access and modification times, following symlinks. Times are seconds (a number or numeric
   * string) or `Date`s, as Node takes them.
   */
  async utimes(path: PathLike, atime: Time, mtime: Time): Promise<void> {
    const times = { atimeMs: toMs(atime), mtimeMs: toMs(mtime) };
    await this.#mutate('utime', path, (tx, p) => setAttrOp(this.#ns, tx, p, true, 'utime', times));
  }

  /** As `utimes`, but a final symlink is changed itself. */
  async lutimes(path: PathLike, atime: Time, mtime: Time): Promise<void> {
    const times = { atimeMs: toMs(atime), mtimeMs: toMs(mtime) };
    await this.#mutate('lutime', path, (tx, p) => setAttrOp(this.#ns, tx, p, false, 'lutime', times));
  }

  /** Cuts or extends (with zeros) a file to `len` bytes (default 0). */
  async truncate(path: PathLike, len = 0): Promise<void> {
    await this.#mutate('open', path, (tx, p) => truncateOp(this.#ns, tx, p, len, ASYNC_IO));
  }

  // ── synchronous ────────────────────────────────────────────────────────
  // Node's `*Sync` names. They answer where every layer involved can without
  // waiting (memory layers and a memory upper, bytes a layer already holds);
  // otherwise they throw EAGAIN saying which layer would have to wait. They
  // never return data that a pending write could still change.

  /**
   * As `stat`, at once. The `*Sync` calls answer where every layer involved can without waiting (memory
   * layers, a memory upper, bytes a layer holds); otherwise they throw EAGAIN naming the layer that
   * would have to wait. They never return what a pending write could still change.
   */
  statSync(path: PathLike): Stats {
    const p = pathToString(path);
    this.#readableNow('stat', p);
    return statOf(this.#ns, p, true);
  }

  /** As `lstat`, at once (EAGAIN: see `statSync`). */
  lstatSync(path: PathLike): Stats {
    const p = pathToString(path);
    this.#readableNow('lstat', p);
    return statOf(this.#ns, p, false);
  }

  /** Like Node's, except that it throws EAGAIN rather than answer while a write is being committed. */
  existsSync(path: PathLike): boolean {
    const p = pathToString(path);
    this.#readableNow('stat', p);
    try {
      statOf(this.#ns, p, true);
      return true;
    } catch {
      return false;
    }
  }

  /** As `access`, at once (EAGAIN: see `statSync`). */
  accessSync(path: PathLike, _mode?: number): void {
    const p = pathToString(path);
    this.#readableNow('access', p);
    reach(this.#ns, p, true, 'access');
  }

  /** As `readFile`, at once (EAGAIN: see `statSync`). */
  readFileSync(path: PathLike, options?: { encoding?: null; flag?: string | number } | null): Uint8Array;
  /** As `readFile` with an encoding, at once. */
  readFileSync(path: PathLike, options: { encoding: string; flag?: string | number } | string): string;
  /** As `readFile`, at once: bytes, or text when an encoding is given. */
  readFileSync(path: PathLike, options?: EncodingOption): Uint8Array | string;
  readFileSync(path: PathLike, options?: EncodingOption): Uint8Array | string {
    const p = pathToString(path);
    this.#readableNow('open', p);
    return readFileOf(this.#ns, p, encodingOf(options), SYNC_IO) as Uint8Array | string;
  }

  /** As `readdir`, at once (EAGAIN: see `statSync`). */
  readdirSync(
    path: PathLike,
    options?: { withFileTypes?: false; recursive?: boolean; encoding?: string | null } | string | null,
  ): string[];
  /** As `readdir` with `withFileTypes`, at once. */
  readdirSync(path: PathLike, options: { withFileTypes: true; recursive?: boolean }): Dirent[];
  /** As `readdir`, at once: names or `Dirent`s. */
  readdirSync(path: PathLike, options?: ReaddirOptions | string | null): string[] | Dirent[];
  readdirSync(path: PathLike, options?: ReaddirOptions | string | null): string[] | Dirent[] {
    const p = pathToString(path);
    this.#readableNow('scandir', p);
    return readdirOf(this.#ns, p, typeof options === 'object' && options !== null ? options : {});
  }

  /** As `readlink`, at once (EAGAIN: see `statSync`). */
  readlinkSync(path: PathLike, _options?: EncodingOption): string {
    const p = pathToString(path);
    this.#readableNow('readlink', p);
    return readlinkOf(this.#ns, p);
  }

  /** As `realpath`, at once (EAGAIN: see `statSync`). */
  realpathSync(path: PathLike, _options?: EncodingOption): string {
    const p = pathToString(path);
    this.#readableNow('realpath', p);
    return realpathOf(this.#ns, p);
  }

  /**
   * As `mkdir`, done before returning. The synchronous writes need an upper that commits synchronously
   * (`MemoryUpper`); others throw EAGAIN.
   */
  mkdirSync(path: PathLike, options?: { recursive?: boolean; mode?: number } | number): string | undefined {
    const o = typeof options === 'number' ? { mode: options } : (options ?? {});
    return this.#mutateSync('mkdir', path, (tx, p) =>
      mkdirOp(this.#ns, tx, p, o.mode ?? 0o777, o.recursive === true),
    );
  }

  /** As `writeFile`, done before returning (an upper that commits synchronously: see `mkdirSync`). */
  writeFileSync(path: PathLike, data: string | ArrayBufferView, options?: WriteOptions): void {
    const o = typeof options === 'object' && options !== null ? options : {};
    const bytes = bytesOf(data, encodingOf(options));
    this.#mutateSync('open', path, (tx, p) =>
      writeWholeOp(this.#ns, tx, p, bytes, parseFlags(o.flag, 'w'), o.mode ?? 0o666, SYNC_IO),
    );
  }

  /** As `appendFile`, done before returning (see `mkdirSync`). */
  appendFileSync(path: PathLike, data: string | ArrayBufferView, options?: WriteOptions): void {
    const o = typeof options === 'object' && options !== null ? options : {};
    const bytes = bytesOf(data, encodingOf(options));
    this.#mutateSync('open', path, (tx, p) =>
      writeWholeOp(this.#ns, tx, p, bytes, parseFlags(o.flag, 'a'), o.mode ?? 0o666, SYNC_IO),
    );
  }

  /** As `copyFile`, done before returning (see `mkdirSync`). */
  copyFileSync(src: PathLike, dest: PathLike, mode = 0): void {
    const from = pathToString(src);
    const to = pathToString(dest);
    this.#readableNow('copyfile', from);
    copyFileErrors(from, to, () => {
      const { node, bytes } = copySource(this.#ns, from, SYNC_IO) as CopySource;
      this.#mutateSync('open', to, (tx, p) =>
        writeWholeOp(this.#ns, tx, p, bytes, copyFlags(mode), node.mode, SYNC_IO),
      );
    });
  }

  /** As `symlink`, done before returning (see `mkdirSync`). */
  symlinkSync(target: PathLike, path: PathLike, _type?: string | null): void {
    this.#mutateSync('symlink', path, (tx, p) => symlinkOp(this.#ns, tx, pathToString(target), p));
  }

  /** As `link`, done before returning (see `mkdirSync`). */
  linkSync(existingPath: PathLike, newPath: PathLike): void {
    this.#mutateSync('link', existingPath, (tx, from) => linkOp(this.#ns, tx, from, pathToString(newPath)));
  }

  /** As `unlink`, done before returning (see `mkdirSync`). */
  unlinkSync(path: PathLike): void {
    this.#mutateSync('unlink', path, (tx, p) => unlinkOp(this.#ns, tx, p));
  }

  /** As `rmdir`, done before returning (see `mkdirSync`). */
  rmdirSync(path: PathLike, _options?: unknown): void {
    this.#mutateSync('rmdir', path, (tx, p) => rmdirOp(this.#ns, tx, p));
  }

  /** As `rm`, done before returning (see `mkdirSync`). */
  rmSync(path: PathLike, options?: { recursive?: boolean; force?: boolean }): void {
    this.#mutateSync('rm', path, (tx, p) => rmOp(this.#ns, tx, p, options));
  }

  /** As `rename`, done before returning (see `mkdirSync`). */
  renameSync(oldPath: PathLike, newPath: PathLike, flags?: RenameFlags): void {
    const to = pathToString(newPath);
    const refused = this.#mutateSync('rename', oldPath, (tx, from) => rename(this.#ns, from, to, tx, flags));
    if (refused) throw refused;
  }

  /** As `chmod`, done before returning (see `mkdirSync`). */
  chmodSync(path: PathLike, mode: number): void {
    this.#mutateSync('chmod', path, (tx, p) => setAttrOp(this.#ns, tx, p, true, 'chmod', { mode }));
  }

  /** As `chown`, done before returning (see `mkdirSync`). */
  chownSync(path: PathLike, uid: number, gid: number): void {
    this.#mutateSync('chown', path, (tx, p) => setAttrOp(this.#ns, tx, p, true, 'chown', { uid, gid }));
  }

  /** As `utimes`, done before returning (see `mkdirSync`). */
  utimesSync(path: PathLike, atime: Time, mtime: Time): void {
    const times = { atimeMs: toMs(atime), mtimeMs: toMs(mtime) };
    this.#mutateSync('utime', path, (tx, p) => setAttrOp(this.#ns, tx, p, true, 'utime', times));
  }

  /** As `truncate`, done before returning (see `mkdirSync`). */
  truncateSync(path: PathLike, len = 0): void {
    this.#mutateSync('open', path, (tx, p) => truncateOp(this.#ns, tx, p, len, SYNC_IO));
  }

  /** As `lchmod`, done before returning (see `mkdirSync`). */
  lchmodSync(path: PathLike, mode: number): void {
    this.#mutateSync('lchmod', path, (tx, p) => setAttrOp(this.#ns, tx, p, false, 'lchmod', { mode }));
  }

  /** As `lchown`, done before returning (see `mkdirSync`). */
  lchownSync(path: PathLike, uid: number, gid: number): void {
    this.#mutateSync('lchown', path, (tx, p) => setAttrOp(this.#ns, tx, p, false, 'lchown', { uid, gid }));
  }

  /** As `lutimes`, done before returning (see `mkdirSync`). */
  lutimesSync(path: PathLike, atime: Time, mtime: Time): void {
    const times = { atimeMs: toMs(atime), mtimeMs: toMs(mtime) };
    this.#mutateSync('lutime', path, (tx, p) => setAttrOp(this.#ns, tx, p, false, 'lutime', times));
  }

  // Node's fd-based calls. A descriptor is a FileHandle's `fd` (from `openSync` or
  // `open`); ranged reads and writes touch only the chunks they cover, so a 64 KiB
  // `readSync` of a large lower file reads 64 KiB, not the file.

  /**
   * Opens a file and returns its descriptor, as Node's `fs.openSync`.
   *
   * @example
   * ```ts
   * const fd = ov.openSync('/big.bin', 'r');
   * const buf = new Uint8Array(4096);
   * ov.readSync(fd, buf, 0, buf.length, 1 << 20); // 4 KiB from offset 1 MiB
   * ov.closeSync(fd);
   * ```
   */
  openSync(path: PathLike, flags?: string | number, mode?: number): number {
    const m = parseFlags(flags, 'r');
    const p = pathToString(path);
    if (!m.write && !m.create) {
      this.#readableNow('open', p);
      return new FileHandle(this.#ns, reach(this.#ns, p, true, 'open'), m, p, this.#fds).fd;
    }
    const node = this.#mutateSync('open', p, (tx) => openOp(this.#ns, tx, p, m, mode ?? 0o666, SYNC_IO));
    return new FileHandle(this.#ns, node, m, p, this.#fds).fd;
  }

  /** Node's `fs.readSync(fd, buffer, offset?, length?, position?)` and its options form; returns bytes read. */
  readSync(
    fd: number,
    buffer: ArrayBufferView,
    offsetOrOptions?: number | { offset?: number; length?: number; position?: number | null },
    length?: number,
    position?: number | null,
  ): number {
    const handle = this.#handle(fd, 'read');
    const args = readArgs(
      typeof offsetOrOptions === 'object' ? { ...offsetOrOptions, buffer } : buffer,
      typeof offsetOrOptions === 'number' ? offsetOrOptions : undefined,
      length,
      position,
      () => new Uint8Array(0),
    );
    return handle.readSync(args.buffer, args.offset, args.length, args.position);
  }

  /**
   * Node's `fs.writeSync`: `(fd, buffer, offset?, length?, position?)` or
   * `(fd, string, position?, encoding?)`; returns bytes written.
   */
  writeSync(
    fd: number,
    data: ArrayBufferView | string,
    offsetOrPosition?: number | null,
    lengthOrEncoding?: number | string,
    position?: number | null,
  ): number {
    const handle = this.#handle(fd, 'write');
    if (typeof data === 'string') {
      const encoding = typeof lengthOrEncoding === 'string' ? lengthOrEncoding : 'utf8';
      return handle.writeSync(encode(data, encoding), offsetOrPosition);
    }
    return handle.writeSync(writtenBytes(data, offsetOrPosition, lengthOrEncoding), position);
  }

  /** Node's `fs.fstatSync(fd)`: the stats of an open descriptor's file. */
  fstatSync(fd: number): Stats {
    return this.#handle(fd, 'fstat').statSync();
  }

  /** Node's `fs.ftruncateSync(fd, len)`: cuts or extends an open file. */
  ftruncateSync(fd: number, len = 0): void {
    this.#handle(fd, 'ftruncate').truncateSync(len);
  }

  /** Node's `fs.fchmodSync(fd, mode)`. */
  fchmodSync(fd: number, mode: number): void {
    this.#handle(fd, 'fchmod').chmodSync(mode);
  }

  /** Node's `fs.fchownSync(fd, uid, gid)`. */
  fchownSync(fd: number, uid: number, gid: number): void {
    this.#handle(fd, 'fchown').chownSync(uid, gid);
  }

  /** Node's `fs.futimesSync(fd, atime, mtime)`. */
  futimesSync(fd: number, atime: Time, mtime: Time): void {
    this.#handle(fd, 'futime').utimesSync(atime, mtime);
  }

  /** Node's `fs.closeSync(fd)`: closes a descriptor from `openSync` or a handle's `fd`. */
  closeSync(fd: number): void {
    this.#handle(fd, 'close').closeSync();
  }

  #handle(fd: number, syscall: string): FileHandle {
    const handle = this.#fds.get(fd);
    if (handle === undefined) throw new FsError('EBADF', syscall);
    return handle;
  }

  // ── beyond fs ──────────────────────────────────────────────────────────

  /** Which layer serves `path` (without following a final symlink), and whether it was copied up. */
  origin(path: PathLike): Origin {
    const node = reach(this.#ns, pathToString(path), false, 'origin');
    // A copy made by revert is born in the upper but reads a lower entry: it counts as copied up
    // from that entry's layer (a layer of -1 is a lost one, see replay's lostSource).
    const source = node.kind === 'dir' ? undefined : node.lower;
    const lowerLayer =
      node.layer !== 'upper'
        ? node.layer
        : source !== undefined && source.layer >= 0
          ? source.layer
          : undefined;
    const copiedUp = node.upper && lowerLayer !== undefined;
    const origin: Origin = {
      layer: node.upper ? 'upper' : (node.layer as number),
      copiedUp,
      metacopy: node.kind === 'file' && node.upper && node.lower !== undefined && !node.dataUpper,
    };
    if (copiedUp && lowerLayer !== undefined) origin.lowerLayer = lowerLayer;
    return origin;
  }

  /** Every change the upper holds relative to the lowers, sorted by path. */
  async changes(): Promise<Change[]> {
    await this.#settled();
    return listChanges(this.#ns.root, [...this.#ns.pristine.keys()]);
  }

  /** Discards every change, atomically: the merged view is the lowers again. */
  async reset(): Promise<void> {
    await this.#ns.mutate('reset', '/', async () => {
      await this.#ns.upper.clear();
      this.#ns.forgetUpper();
    });
  }

  /**
   * Every entry below `path` (not following symlinks), with its type and stats, in
   * readdir order, depth first: one call where a tree view would otherwise stat each
   * path. With `{ origins: true }` each entry also says which layer serves it.
   *
   * @example
   * ```ts
   * for (const { path, type, stats } of await ov.walk('/src')) if (type === 'file') console.log(path, stats.size);
   * ```
   */
  async walk(path: PathLike = '/', options?: { origins?: boolean }): Promise<WalkEntry[]> {
    await this.#settled();
    const p = pathToString(path);
    const { node, path: real } = this.#ns.resolveReal(p, { follow: true, syscall: 'scandir', display: p });
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', 'scandir', p);
    const out: WalkEntry[] = [];
    const visit = (dir: DirNode, at: string): void => {
      for (const name of dir.names()) {
        const child = dir.children.get(name) as Node;
        const childPath = joinPath(at, name);
        const entry: WalkEntry = { path: childPath, type: child.kind, stats: new Stats(child) };
        if (options?.origins) entry.origin = this.origin(childPath);
        out.push(entry);
        if (child.kind === 'dir') visit(child, childPath);
      }
    };
    visit(node, real);
    return out;
  }

  /**
   * Puts one path back as the lowers show it, and nothing else. Afterwards `path` (and everything
   * below it) reads exactly what the lowers have at that name — the lower entry of the directory
   * its parent merges — and no other path's content, type, existence, mode or inode number
   * changes, except the other names of a file the lowers themselves hard-link to this one (they
   * are one object, and read the lowers' bytes again too). A deleted name comes back, a modified
   * or metadata-changed object loses its upper copy, an added one is removed, a directory is
   * reverted with everything below it.
   *
   * Where the lower object still lives on under another name (renamed or linked away), that name
   * keeps it — its content, inode number and identity — and `path` gets a copy of the lower
   * entry with an inode number of its own; `changes()` then lists the other name as renamed.
   * A directory something was moved or linked out of (or that was itself moved, its lower
   * contents now showing under the new name) comes back as an opaque copy of the lower directory,
   * every object in it with a number of its own. A directory that was renamed here is refused
   * (EINVAL): rename it back instead. A lower file removed while still open is refused (EBUSY).
   *
   * @example
   * ```ts
   * await ov.revert('/src/main.ts'); // the base version again; ov.changes() no longer lists it
   * // after a rename, the old name comes back; the moved file keeps its edit:
   * await ov.rename('/src/main.ts', '/src/entry.ts');
   * await ov.writeFile('/src/entry.ts', 'edited');
   * await ov.revert('/src/main.ts'); // main.ts: the base; entry.ts: 'edited', renamed from main.ts
   * ```
   */
  async revert(path: PathLike): Promise<void> {
    await this.#mutate('revert', path, (tx, p) =>
      // The name itself, like unlink: a trailing slash does not follow a symlink there.
      revertName(this.#ns, locateEntry(this.#ns, p, 'revert'), p, tx),
    );
  }

  /**
   * Waits for the writer in flight, makes everything durable (`sync()`), and
   * closes the upper (its connection, its writer lock). The overlay is not to be
   * used afterwards.
   *
   * @example
   * ```ts
   * window.addEventListener('pagehide', () => void ov.close());
   * ```
   */
  async close(): Promise<void> {
    await this.sync();
    await this.#ns.upper.close?.();
    // Every directory's names live in the wasm index: dropping its instance frees them.
    this.#ns.lowerIndex.store.close();
  }

  /** Bytes and records the upper stores. */
  usage(): Promise<UpperUsage> {
    return this.#ns.upper.usage();
  }

  /**
   * The durability barrier: resolves once every call that resolved before it is
   * durable in the upper. Only an upper in a write-back mode has anything to
   * wait for; a failed group commit rejects here (ENOSPC for a full quota, else EIO).
   *
   * @example
   * ```ts
   * for (const [path, data] of files) await ov.writeFile(path, data); // queued (write-back)
   * await ov.sync();                                                  // now all of it is stored
   * ```
   */
  async sync(): Promise<void> {
    await this.#ns.settled();
    try {
      await this.#ns.upper.sync?.();
    } catch (error) {
      throw commitError(error, 'fsync', '/');
    }
  }

  /**
   * Checks what the upper stores: every directory entry's parent and child
   * exist, nothing is unreachable, link counts and chunk ranges agree, plus the
   * upper's own storage checks. Runs between writers, so it sees whole operations.
   *
   * @example
   * ```ts
   * const { ok, problems } = await ov.fsck();
   * if (!ok) console.warn(problems.map((p) => `${p.kind}: ${p.message}`).join('\n'));
   * ```
   */
  fsck(): Promise<FsckReport> {
    return this.#ns.mutate('fsck', '/', async () => {
      const upper = this.#ns.upper;
      const report = checkSnapshot(await upper.load(), this.#ns.chunkSize);
      report.problems.push(...((await upper.check?.()) ?? []));
      report.ok = report.problems.length === 0;
      return report;
    });
  }
}

/** The flags of copyFile's destination open. */
function copyFlags(mode: number): OpenMode {
  const COPYFILE_EXCL = 1;
  return parseFlags((mode & COPYFILE_EXCL) !== 0 ? 'wx' : 'w', 'w');
}

interface CopySource {
  node: Node;
  bytes: Uint8Array;
}

function copySource(ns: Namespace, from: string, io: DataIo): Maybe<CopySource> {
  const node = reach(ns, from, true, 'copyfile');
  if (node.kind === 'dir') throw new FsError('EISDIR', 'copyfile');
  if (node.kind !== 'file') throw new FsError('ENOENT', 'copyfile');
  return andThen(io.read(ns, node, 0, node.size), (bytes) => ({ node, bytes }));
}

/** Node reports every failure of copyFile as `copyfile 'src' -> 'dest'`. */
function copyFileErrors<T>(from: string, to: string, run: () => Maybe<T>): Maybe<T> {
  const relabel = (error: unknown): never => {
    if (error instanceof FsError) throw new FsError(error.code, 'copyfile', from, to, { cause: error.cause });
    throw error;
  };
  try {
    const result = run();
    return result instanceof Promise ? result.catch(relabel) : result;
  } catch (error) {
    return relabel(error);
  }
}

function bytesOf(data: string | ArrayBufferView, encoding: string | null | undefined): Uint8Array {
  return typeof data === 'string'
    ? encode(data, encoding)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
