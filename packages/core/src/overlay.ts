/**
 * The public face of the engine: an overlay of read-only lowers under one
 * writable upper, with the `node:fs/promises` API.
 */
import { asResult, collect, decode, type WriteData } from './bytes.js';
import { type Change, listChanges, type Origin } from './changes.js';
import { addLink, makeDir, makeFile, makeSymlink } from './create.js';
import { FsError, RmDirectoryError } from './errors.js';
import { readData, truncateData, writeData } from './file-data.js';
import { FileHandle, toMs } from './file-handle.js';
import { checkSnapshot, type FsckReport } from './fsck.js';
import type { DirNode, Node } from './inode.js';
import type { EntryMeta, LowerLayer, UpperLayer, UpperUsage } from './layer.js';
import { type Located, locatedPath, parentOf } from './lookup.js';
import { buildLowerIndex } from './lower-index.js';
import { commitError, Namespace } from './namespace.js';
import { parseFlags } from './open-flags.js';
import { joinPath, type PathLike, pathToString, splitPath } from './path.js';
import { removeName } from './remove.js';
import { type RenameFlags, rename } from './rename.js';
import { replay } from './replay.js';
import { revertName } from './revert.js';
import { setAttr } from './setattr.js';
import { Dirent, Stats } from './stats.js';
import { captureState, type Txn } from './txn.js';

/** One entry of {@link Overlay.walk}. */
export interface WalkEntry {
  path: string;
  stats: Stats;
}

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
  gid?: number;
  /**
   * What to do when the upper was built on lowers with other identities:
   * `'refuse'` (default) fails with EINVAL; `'open'` opens anyway.
   */
  onLowerChange?: 'refuse' | 'open';
}

type EncodingOption = { encoding?: string | null; flag?: string | number } | string | null | undefined;
type WriteOptions =
  | { encoding?: string | null; mode?: number; flag?: string | number }
  | string
  | null
  | undefined;

const encodingOf = (options: EncodingOption | WriteOptions): string | null | undefined =>
  typeof options === 'string' ? options : options?.encoding;

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
  /** The overlay itself, for consumers that take an object with a `promises` member. */
  readonly promises: this;

  private constructor(ns: Namespace) {
    this.#ns = ns;
    this.promises = this;
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
    const lowerIndex = await buildLowerIndex(options.lowers, defaults);
    const snapshot = await options.upper.load();
    if (snapshot.meta && options.onLowerChange !== 'open') {
      const want = snapshot.meta.lowerIds.join('\n');
      const have = options.lowers.map((l) => l.id).join('\n');
      if (want !== have) {
        throw new FsError('EINVAL', 'mount', undefined, undefined, {
          cause: new Error(
            `the upper was built on lowers [${snapshot.meta.lowerIds.join(', ')}] but is opened on [${options.lowers.map((l) => l.id).join(', ')}]`,
          ),
        });
      }
    }
    const pristine = new Map<Node, () => void>();
    const { root, nextIno } = replay(snapshot, lowerIndex, (node) => pristine.set(node, captureState(node)));
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
    for (const [node, restore] of pristine) ns.pristine.set(node, restore);
    return new Overlay(ns);
  }

  #locate(path: PathLike, follow: boolean, syscall: string): Located {
    const p = pathToString(path);
    return this.#ns.locate(p, { follow, syscall, display: p });
  }

  #existing(path: PathLike, follow: boolean, syscall: string): Located & { node: Node } {
    const loc = this.#locate(path, follow, syscall);
    if (loc.node === undefined) throw new FsError('ENOENT', syscall, pathToString(path));
    return loc as Located & { node: Node };
  }

  #mutate<T>(syscall: string, path: PathLike, fn: (tx: Txn, p: string) => Promise<T> | T): Promise<T> {
    const p = pathToString(path);
    return this.#ns.mutate(syscall, p, (tx) => fn(tx, p));
  }

  // ── reading ────────────────────────────────────────────────────────────

  async stat(path: PathLike): Promise<Stats> {
    if (this.#ns.busy) await this.#ns.settled();
    return new Stats(this.#existing(path, true, 'stat').node);
  }

  async lstat(path: PathLike): Promise<Stats> {
    if (this.#ns.busy) await this.#ns.settled();
    return new Stats(this.#existing(path, false, 'lstat').node);
  }

  async access(path: PathLike, _mode?: number): Promise<void> {
    if (this.#ns.busy) await this.#ns.settled();
    this.#existing(path, true, 'access');
  }

  async readFile(
    path: PathLike,
    options?: { encoding?: null; flag?: string | number } | null,
  ): Promise<Uint8Array>;
  async readFile(
    path: PathLike,
    options: { encoding: string; flag?: string | number } | string,
  ): Promise<string>;
  async readFile(path: PathLike, options?: EncodingOption): Promise<Uint8Array | string>;
  async readFile(path: PathLike, options?: EncodingOption): Promise<Uint8Array | string> {
    if (this.#ns.busy) await this.#ns.settled();
    const { node } = this.#existing(path, true, 'open');
    if (node.kind === 'dir') throw new FsError('EISDIR', 'read');
    if (node.kind !== 'file') throw new FsError('ENOENT', 'open', pathToString(path));
    const bytes = await readData(this.#ns, node, 0, node.size);
    const encoding = encodingOf(options);
    return encoding ? decode(bytes, encoding) : asResult(bytes);
  }

  async readdir(
    path: PathLike,
    options?: { withFileTypes?: false; recursive?: boolean; encoding?: string | null } | string | null,
  ): Promise<string[]>;
  async readdir(path: PathLike, options: { withFileTypes: true; recursive?: boolean }): Promise<Dirent[]>;
  async readdir(
    path: PathLike,
    options?: { withFileTypes?: boolean; recursive?: boolean; encoding?: string | null } | string | null,
  ): Promise<string[] | Dirent[]>;
  async readdir(
    path: PathLike,
    options?: { withFileTypes?: boolean; recursive?: boolean; encoding?: string | null } | string | null,
  ): Promise<string[] | Dirent[]> {
    if (this.#ns.busy) await this.#ns.settled();
    const loc = this.#existing(path, true, 'scandir');
    if (loc.node.kind !== 'dir') throw new FsError('ENOTDIR', 'scandir', pathToString(path));
    const o = typeof options === 'object' && options !== null ? options : {};
    const base = pathToString(path);
    const names: string[] = [];
    const dirents: Dirent[] = [];
    const list = (dir: Node, rel: string, parentPath: string): void => {
      if (dir.kind !== 'dir') return;
      for (const name of dir.names()) {
        const child = dir.children.get(name) as Node;
        const relName = rel === '' ? name : `${rel}/${name}`;
        if (o.withFileTypes) dirents.push(new Dirent(name, parentPath, child));
        else names.push(relName);
        if (o.recursive && child.kind === 'dir') list(child, relName, joinPath(parentPath, name));
      }
    };
    list(loc.node, '', base);
    return o.withFileTypes ? dirents : names;
  }

  async readlink(path: PathLike, _options?: EncodingOption): Promise<string> {
    if (this.#ns.busy) await this.#ns.settled();
    const { node } = this.#existing(path, false, 'readlink');
    if (node.kind !== 'symlink') throw new FsError('EINVAL', 'readlink', pathToString(path));
    return node.target;
  }

  async realpath(path: PathLike, _options?: EncodingOption): Promise<string> {
    if (this.#ns.busy) await this.#ns.settled();
    return locatedPath(this.#existing(path, true, 'realpath'));
  }

  // ── creating ───────────────────────────────────────────────────────────

  async mkdir(
    path: PathLike,
    options?: { recursive?: boolean; mode?: number } | number,
  ): Promise<string | undefined> {
    const o = typeof options === 'number' ? { mode: options } : (options ?? {});
    const mode = o.mode ?? 0o777;
    if (!o.recursive) {
      await this.#mutate('mkdir', path, (tx, p) => {
        const loc = this.#ns.locate(p, { follow: false, syscall: 'mkdir', display: p });
        if (loc.node !== undefined) throw new FsError('EEXIST', 'mkdir', p);
        makeDir(this.#ns, loc, mode, tx);
      });
      return undefined;
    }
    return this.#mutate('mkdir', path, (tx, p) => {
      // Like Node, `mkdir -p` works on the lexically normalized path.
      const parts = normalize(p);
      let first: string | undefined;
      let at = '/';
      for (const name of parts) {
        at = joinPath(at, name);
        const loc = this.#ns.locate(at, { follow: true, syscall: 'mkdir', display: p });
        if (loc.node === undefined) {
          makeDir(this.#ns, loc, mode, tx);
          first ??= at;
        } else if (loc.node.kind !== 'dir') {
          throw new FsError(at === joinPath('/', parts.join('/')) ? 'EEXIST' : 'ENOTDIR', 'mkdir', p);
        }
      }
      return first;
    });
  }

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

  async writeFile(path: PathLike, data: WriteData, options?: WriteOptions): Promise<void> {
    const o = typeof options === 'object' && options !== null ? options : {};
    const bytes = await collect(data, encodingOf(options));
    await this.#writeWhole(path, bytes, parseFlags(o.flag, 'w'), o.mode ?? 0o666);
  }

  async appendFile(path: PathLike, data: WriteData, options?: WriteOptions): Promise<void> {
    const o = typeof options === 'object' && options !== null ? options : {};
    const bytes = await collect(data, encodingOf(options));
    await this.#writeWhole(path, bytes, parseFlags(o.flag, 'a'), o.mode ?? 0o666);
  }

  /** open + write + close as one transaction: an observer never sees the file half-written. */
  #writeWhole(
    path: PathLike,
    bytes: Uint8Array,
    mode: ReturnType<typeof parseFlags>,
    perm: number,
  ): Promise<void> {
    return this.#mutate('open', path, async (tx, p) => {
      const node = this.#openForWrite(p, mode, perm, tx);
      if (node.kind !== 'file') throw new FsError('EISDIR', 'open', p);
      // O_TRUNC sets mtime even on an empty file, as the kernel does.
      if (mode.truncate) await truncateData(this.#ns, node, 0, tx);
      await writeData(this.#ns, node, bytes, mode.append ? node.size : 0, tx);
    });
  }

  /** The object an open with these flags reaches, created or copied up as the flags say. */
  #openForWrite(p: string, mode: ReturnType<typeof parseFlags>, perm: number, tx: Txn): Node {
    const loc = this.#ns.locate(p, { follow: !mode.exclusive, syscall: 'open', display: p });
    if (loc.node === undefined) {
      if (!mode.create) throw new FsError('ENOENT', 'open', p);
      if (loc.trailingSlash) throw new FsError('EISDIR', 'open', p);
      return makeFile(this.#ns, loc, perm, tx);
    }
    if (mode.exclusive) throw new FsError('EEXIST', 'open', p);
    if (loc.node.kind === 'dir') {
      if (mode.write) throw new FsError('EISDIR', 'open', p);
      return loc.node;
    }
    if (!mode.write) return loc.node;
    return this.#ns.copyUp(loc, tx, true);
  }

  async open(path: PathLike, flags?: string | number, mode?: number): Promise<FileHandle> {
    const m = parseFlags(flags, 'r');
    const p = pathToString(path);
    if (!m.write && !m.create) {
      if (this.#ns.busy) await this.#ns.settled();
      const { node } = this.#existing(p, true, 'open');
      return new FileHandle(this.#ns, node, m, p);
    }
    return this.#mutate('open', p, async (tx) => {
      const node = this.#openForWrite(p, m, mode ?? 0o666, tx);
      if (m.truncate && node.kind === 'file') await truncateData(this.#ns, node, 0, tx);
      return new FileHandle(this.#ns, node, m, p);
    });
  }

  async copyFile(src: PathLike, dest: PathLike, mode = 0): Promise<void> {
    const from = pathToString(src);
    const to = pathToString(dest);
    const COPYFILE_EXCL = 1;
    // Node reports every failure of copyFile as `copyfile 'src' -> 'dest'`.
    try {
      if (this.#ns.busy) await this.#ns.settled();
      const { node } = this.#existing(from, true, 'copyfile');
      if (node.kind === 'dir') throw new FsError('EISDIR', 'copyfile');
      if (node.kind !== 'file') throw new FsError('ENOENT', 'copyfile');
      const bytes = await readData(this.#ns, node, 0, node.size);
      await this.#writeWhole(
        to,
        bytes,
        parseFlags((mode & COPYFILE_EXCL) !== 0 ? 'wx' : 'w', 'w'),
        node.mode,
      );
    } catch (error) {
      if (error instanceof FsError)
        throw new FsError(error.code, 'copyfile', from, to, { cause: error.cause });
      throw error;
    }
  }

  async symlink(target: PathLike, path: PathLike, _type?: string | null): Promise<void> {
    const t = pathToString(target);
    await this.#mutate('symlink', path, (tx, p) => {
      const loc = this.#ns.locate(p, { follow: false, syscall: 'symlink', display: p });
      if (loc.node !== undefined) throw new FsError('EEXIST', 'symlink', t, p);
      makeSymlink(this.#ns, loc, t, tx);
    });
  }

  async link(existingPath: PathLike, newPath: PathLike): Promise<void> {
    const from = pathToString(existingPath);
    const to = pathToString(newPath);
    await this.#ns.mutate('link', from, (tx) => {
      const relabel = <T>(fn: () => T): T => {
        try {
          return fn();
        } catch (error) {
          if (error instanceof FsError) throw new FsError(error.code, 'link', from, to);
          throw error;
        }
      };
      // The kernel's order of checks: the source, then the new name, then the source's type.
      const src = relabel(() => this.#existing(from, false, 'link'));
      const dst = relabel(() => this.#ns.locate(to, { follow: false, syscall: 'link', display: to }));
      if (dst.node !== undefined) throw new FsError('EEXIST', 'link', from, to);
      if (src.node.kind === 'dir') throw new FsError('EPERM', 'link', from, to);
      const node = this.#ns.copyUp(src, tx, false);
      // The source's copy-up may have replaced directories the destination walk saw.
      addLink(
        this.#ns,
        relabel(() => this.#ns.locate(to, { follow: false, syscall: 'link', display: to })),
        node,
        tx,
      );
    });
  }

  // ── removing and moving ────────────────────────────────────────────────

  async unlink(path: PathLike): Promise<void> {
    await this.#mutate('unlink', path, (tx, p) => {
      const loc = this.#existing(p, false, 'unlink');
      if (loc.node.kind === 'dir') throw new FsError('EISDIR', 'unlink', p);
      removeName(this.#ns, loc, tx);
    });
  }

  async rmdir(path: PathLike, _options?: unknown): Promise<void> {
    await this.#mutate('rmdir', path, (tx, p) => {
      const loc = this.#existing(p, false, 'rmdir');
      if (loc.dirs.length === 0) throw new FsError('EBUSY', 'rmdir', p);
      if (loc.node.kind !== 'dir') throw new FsError('ENOTDIR', 'rmdir', p);
      if (loc.node.children.size > 0) throw new FsError('ENOTEMPTY', 'rmdir', p);
      removeName(this.#ns, loc, tx);
    });
  }

  /** Like Node's: `recursive` removes a whole tree (in one transaction), `force` ignores a missing path. */
  async rm(path: PathLike, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    await this.#mutate('rm', path, (tx, p) => {
      const loc = this.#locate(p, false, 'lstat');
      if (loc.node === undefined) {
        if (options?.force) return;
        throw new FsError('ENOENT', 'lstat', p);
      }
      if (loc.node.kind === 'dir') {
        if (!options?.recursive) throw new RmDirectoryError(p);
        if (loc.dirs.length === 0) throw new FsError('EBUSY', 'rm', p);
      }
      removeName(this.#ns, loc, tx);
    });
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
    const from = pathToString(oldPath);
    const to = pathToString(newPath);
    // A rename the upper refuses can still leave copy-ups behind, as the kernel's does.
    const refused = await this.#ns.mutate('rename', from, (tx) => rename(this.#ns, from, to, tx, flags));
    if (refused) throw refused;
  }

  // ── metadata ───────────────────────────────────────────────────────────

  async chmod(path: PathLike, mode: number): Promise<void> {
    await this.#mutate(
      'chmod',
      path,
      (tx, p) => void setAttr(this.#ns, this.#existing(p, true, 'chmod'), { mode }, tx),
    );
  }

  async lchmod(path: PathLike, mode: number): Promise<void> {
    await this.#mutate(
      'lchmod',
      path,
      (tx, p) => void setAttr(this.#ns, this.#existing(p, false, 'lchmod'), { mode }, tx),
    );
  }

  async chown(path: PathLike, uid: number, gid: number): Promise<void> {
    await this.#mutate(
      'chown',
      path,
      (tx, p) => void setAttr(this.#ns, this.#existing(p, true, 'chown'), { uid, gid }, tx),
    );
  }

  async lchown(path: PathLike, uid: number, gid: number): Promise<void> {
    await this.#mutate(
      'lchown',
      path,
      (tx, p) => void setAttr(this.#ns, this.#existing(p, false, 'lchown'), { uid, gid }, tx),
    );
  }

  async utimes(path: PathLike, atime: number | string | Date, mtime: number | string | Date): Promise<void> {
    const times = { atimeMs: toMs(atime), mtimeMs: toMs(mtime) };
    await this.#mutate(
      'utime',
      path,
      (tx, p) => void setAttr(this.#ns, this.#existing(p, true, 'utime'), times, tx),
    );
  }

  async lutimes(path: PathLike, atime: number | string | Date, mtime: number | string | Date): Promise<void> {
    const times = { atimeMs: toMs(atime), mtimeMs: toMs(mtime) };
    await this.#mutate(
      'lutime',
      path,
      (tx, p) => void setAttr(this.#ns, this.#existing(p, false, 'lutime'), times, tx),
    );
  }

  async truncate(path: PathLike, len = 0): Promise<void> {
    await this.#mutate('open', path, async (tx, p) => {
      const loc = this.#existing(p, true, 'open');
      if (loc.node.kind === 'dir') throw new FsError('EISDIR', 'open', p);
      const node = this.#ns.copyUp(loc, tx, true);
      if (node.kind === 'file') await truncateData(this.#ns, node, len, tx);
    });
  }

  // ── beyond fs ──────────────────────────────────────────────────────────

  /** Which layer serves `path` (without following a final symlink), and whether it was copied up. */
  origin(path: PathLike): Origin {
    const { node } = this.#existing(path, false, 'origin');
    const copiedUp = node.upper && node.layer !== 'upper';
    const lowerLayer = node.layer === 'upper' ? undefined : node.layer;
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
    if (this.#ns.busy) await this.#ns.settled();
    return listChanges(this.#ns.root);
  }

  /** Discards every change, atomically: the merged view is the lowers again. */
  async reset(): Promise<void> {
    await this.#ns.mutate('reset', '/', async () => {
      await this.#ns.upper.clear();
      this.#ns.forgetUpper();
    });
  }

  /** Bytes and records the upper stores. */
  /**
   * Every entry below `path` (not following symlinks), with its stats, in readdir
   * order, depth first: one call where a tree view would otherwise stat each path.
   *
   * @example
   * ```ts
   * for (const { path, stats } of await ov.walk('/src')) if (stats.isFile()) console.log(path, stats.size);
   * ```
   */
  async walk(path: PathLike = '/'): Promise<WalkEntry[]> {
    if (this.#ns.busy) await this.#ns.settled();
    const loc = this.#existing(path, true, 'scandir');
    if (loc.node.kind !== 'dir') throw new FsError('ENOTDIR', 'scandir', pathToString(path));
    const out: WalkEntry[] = [];
    const visit = (dir: DirNode, at: string): void => {
      for (const name of dir.names()) {
        const child = dir.children.get(name) as Node;
        const childPath = joinPath(at, name);
        out.push({ path: childPath, stats: new Stats(child) });
        if (child.kind === 'dir') visit(child, childPath);
      }
    };
    visit(loc.node, locatedPath(loc));
    return out;
  }

  /**
   * Puts one path back as the lowers show it: a deleted name comes back, a
   * modified or metadata-changed object loses its upper copy, an added one is
   * removed, a directory is reverted with everything below it. A directory that
   * was renamed here is refused (EINVAL): rename it back instead.
   *
   * @example
   * ```ts
   * await ov.revert('/src/main.ts'); // the base version again; ov.changes() no longer lists it
   * ```
   */
  async revert(path: PathLike): Promise<void> {
    await this.#mutate('revert', path, (tx, p) =>
      revertName(this.#ns, this.#locate(p, false, 'revert'), p, tx),
    );
  }

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

/** `..` and `.` resolved lexically, as Node's `path.resolve` does for `mkdir -p`. */
function normalize(p: string): string[] {
  const out: string[] = [];
  for (const part of splitPath(p)) {
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

export { parentOf };
