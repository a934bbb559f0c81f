/**
 * An upper stored as a Linux overlayfs upperdir: what Vellum writes, `mount -t overlay … upperdir=`
 * reads, and the other way round.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import {
  type LowerLayer,
  MemoryUpper,
  Overlay,
  type UpperChange,
  type UpperDirent,
  type UpperInode,
  type UpperLayer,
  type UpperMeta,
  type UpperSnapshot,
  type UpperUsage,
} from '@vellum/core';
import { DirLayer } from './dir-layer.js';
import { HOLD, NameTree } from './disk-tree.js';
import { fsErrorWithReason } from './errors.js';
import { FdCache } from './fd-cache.js';
import { inodeOfOrigin } from './overlay-fh.js';
import { makeWhiteouts, mountedUpperdirs, syncFilesystem } from './system.js';
import { UndoLog } from './undo-log.js';
import { readOverlayXattrs, setXattr, type XattrMap } from './xattr.js';

/** The engine's root directory. */
const ROOT = 1;
const OPAQUE = 'trusted.overlay.opaque';
const REDIRECT = 'trusted.overlay.redirect';
const METACOPY = 'trusted.overlay.metacopy';
const ORIGIN = 'trusted.overlay.origin';
const NLINK = 'trusted.overlay.nlink';
const YES = new Uint8Array([0x79]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * How {@link DirUpper.open} stores an upper.
 *
 * @example
 * ```ts
 * const options: DirUpperOptions = { workdir: '/srv/ws/work', lowers: [base] };
 * ```
 */
export interface DirUpperOptions {
  /**
   * The work directory, on the same filesystem as the upperdir (as the kernel's `workdir=`):
   * objects are parked there while a commit moves them, and Vellum keeps its own records
   * (inode numbers, copy-up origins) under `vellum/` in it.
   */
  workdir: string;
  /**
   * The lowers the overlay stacks on this upper, top first: a file copied up is written whole
   * (the kernel's format has no partial copy-up), its bytes not written through Vellum read from
   * them. Without lowers, nothing can be copied up.
   */
  lowers?: readonly LowerLayer[];
  /** The overlay's `chunkSize` (default 64 KiB): chunks are ranges of the files on disk. */
  chunkSize?: number;
}

/** Vellum's own record of one object, kept beside the upperdir; the rest is read from disk. */
interface SavedRecord {
  ino: number;
  kind: UpperInode['kind'];
  /** The object's inode number on disk when the record was written: how it is found again. */
  disk: number;
  origin?: number;
  originPath?: string;
  originStamp?: string;
  lowerLimit?: number;
  metacopy?: boolean;
  /** The engine's link count (it counts a lower file's names the upper does not hold). */
  nlink?: number;
}

/** What the upper knows of an object on disk. */
interface DiskState {
  /** `trusted.overlay.opaque=y` is set. */
  opaque: boolean;
  /** The `trusted.overlay.redirect` value set, if any. */
  redirect: string | undefined;
  /** `trusted.overlay.metacopy` is set: the file's bytes are the lower's. */
  metacopy: boolean;
}

/**
 * An upper layer kept in a directory in the format of the kernel's overlayfs upperdir, so the
 * same directory works under `mount -t overlay … upperdir=` and under Vellum:
 * copied-up and new objects at their paths, whiteouts as character devices 0/0, opaque
 * directories and moved directories' redirects as `trusted.overlay.*` xattrs, metadata-only
 * copy-up as `trusted.overlay.metacopy` (while the file stays where its lower object is), hard
 * links as hard links (a lower file's other names are linked too once it is copied up, where
 * their directories are in the upper), objects parked in the workdir while a commit moves them.
 *
 * A file copied up for its data is written whole, as the kernel does: the kernel's format has no
 * partial copy-up. What Vellum needs beyond the kernel's format (its inode numbers, the lower
 * object a copy came from) is kept in `workdir/vellum/records.jsonl`; an upperdir the kernel
 * wrote opens without it (its objects get new inode numbers, metacopy files are filled from the
 * lowers).
 *
 * Needs root (trusted xattrs, whiteouts by mknod) and the `attr` tools. Synchronous commits are
 * not offered (the `*Sync` writers of the overlay answer EAGAIN).
 *
 * @example
 * ```ts
 * import { Overlay } from '@vellum/core';
 * import { DirLayer, DirUpper } from '@vellum/node';
 *
 * const base = await DirLayer.open('/srv/base');
 * const upper = await DirUpper.open('/srv/ws/upper', { workdir: '/srv/ws/work', lowers: [base] });
 * const ov = await Overlay.create({ lowers: [base], upper });
 * await ov.writeFile('/notes.txt', 'kept in /srv/ws/upper/notes.txt');
 * // mount -t overlay overlay -o lowerdir=/srv/base,upperdir=/srv/ws/upper,workdir=/srv/ws/work /mnt
 * ```
 */
export class DirUpper implements UpperLayer {
  /** The upperdir, as an absolute path. */
  readonly upperdir: string;
  /** The workdir, as an absolute path. */
  readonly workdir: string;
  readonly #chunkSize: number;
  readonly #lowers: readonly LowerLayer[];
  /** A view of the lowers alone: where copied-up bytes and a lower file's other names are read. */
  #lowerView: Overlay | undefined;
  /** Lower hard links: the lower view's inode number → its paths (built on first need). */
  #lowerNames: Map<number, string[]> | undefined;

  #meta: UpperMeta | undefined;
  readonly #inodes = new Map<number, UpperInode>();
  /** The names as the records say. */
  readonly #want = new NameTree();
  /** The names as they are on disk. */
  readonly #disk = new NameTree();
  readonly #state = new Map<number, DiskState>();
  /** Files whose whole content is on disk (not a metacopy, not waiting for its lower bytes). */
  readonly #full = new Set<number>();
  /** The object's inode number on disk, by the engine's. */
  readonly #diskIno = new Map<number, number>();
  readonly #fds = new FdCache(16);
  /** Objects that live only in the kernel's index (workdir/index), by the engine's inode number. */
  readonly #indexOnly = new Map<number, string>();
  /** Extra links kept in workdir/vellum/links so a file's count on disk is the engine's (see #padLinks). */
  readonly #pads = new Map<number, number>();
  /** Names whose new file is made in the workdir first, placed at the end of the commit. */
  readonly #staged: Array<{ dir: number; name: string; ino: number }> = [];
  /** Lower directories this upper copied up on its own (see {@link DirUpper.linkCopies}). */
  readonly #linkCopies = new Set<number>();
  #log: fsp.FileHandle | undefined;
  #undo: UndoLog | undefined;
  #commits = 0;
  #loaded = false;

  private constructor(upperdir: string, workdir: string, options: DirUpperOptions) {
    this.upperdir = upperdir;
    this.workdir = workdir;
    this.#chunkSize = options.chunkSize ?? 64 * 1024;
    this.#lowers = options.lowers ?? [];
  }

  /**
   * Checks the directories and returns the upper (read when the overlay opens it). Fails with
   * ENOENT (a directory missing), ENOTDIR, EXDEV (the workdir on another filesystem), EBUSY
   * (the upperdir in use by a mounted overlay), EINVAL (no trusted xattrs on that filesystem).
   */
  static async open(upperdir: string, options: DirUpperOptions): Promise<DirUpper> {
    const upper = nodePath.resolve(upperdir);
    const work = nodePath.resolve(options.workdir);
    const [us, ws] = [await dirStat(upper, 'upperdir'), await dirStat(work, 'workdir')];
    if (us.dev !== ws.dev) {
      throw fsErrorWithReason(
        'EXDEV',
        'open',
        work,
        `the workdir must be on the same filesystem as the upperdir ${upper}`,
      );
    }
    if (work === upper || work.startsWith(`${upper}/`) || upper.startsWith(`${work}/`)) {
      throw fsErrorWithReason(
        'EINVAL',
        'open',
        work,
        'the workdir and the upperdir must not contain each other',
      );
    }
    const mounted = mountedUpperdirs();
    if (mounted.includes(upper)) {
      throw fsErrorWithReason(
        'EBUSY',
        'open',
        upper,
        'the upperdir is in use by a mounted overlay: unmount it first',
      );
    }
    // The kernel refuses an upperdir without xattr support; so does this upper, before any write.
    const probe = nodePath.join(work, 'vellum');
    await fsp.mkdir(probe, { recursive: true });
    try {
      await setXattr(probe, 'trusted.overlay.vellum-probe', YES);
      await setXattr(probe, 'trusted.overlay.vellum-probe', undefined);
    } catch (err) {
      throw fsErrorWithReason(
        'EINVAL',
        'setxattr',
        work,
        'the upper filesystem does not take trusted.* xattrs (needs root and a filesystem with xattrs, as overlayfs does)',
        err,
      );
    }
    return new DirUpper(upper, work, options);
  }

  get #vellumDir(): string {
    return nodePath.join(this.workdir, 'vellum');
  }

  get #whiteoutPath(): string {
    return nodePath.join(this.#vellumDir, 'whiteout');
  }

  /** Makes `p` a whiteout: a new link of the shared one (made once; again when full of links). */
  async #linkWhiteout(p: string): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fsp.link(this.#whiteoutPath, p);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'EMLINK') throw err;
        const fresh = `${this.#whiteoutPath}.${process.pid}`;
        await fsp.rm(fresh, { force: true });
        makeWhiteouts([fresh]);
        await fsp.rename(fresh, this.#whiteoutPath);
      }
    }
    makeWhiteouts([p]);
  }

  get #padDir(): string {
    return nodePath.join(this.#vellumDir, 'links');
  }

  /**
   * The kernel reports an upper file's own link count, and Vellum's count also holds a lower
   * file's names the upper lacks (hidden, or removed with the count kept). The difference is
   * made up by links in workdir/vellum/links, outside the tree, as the kernel's own index links
   * are: then `mount -t overlay` reports the count Vellum does.
   */
  async #padLinks(ino: number): Promise<void> {
    const rec = this.#inodes.get(ino);
    const p = this.#diskPath(ino);
    const have = this.#pads.get(ino) ?? 0;
    const names = this.#disk.linksOf(ino).length;
    const want =
      rec !== undefined && rec.kind !== 'dir' && p !== undefined ? Math.max(0, rec.nlink - names) : 0;
    if (want === have) return;
    await fsp.mkdir(this.#padDir, { recursive: true });
    const undo = this.#undo;
    for (let k = have; k < want; k++) {
      const pad = nodePath.join(this.#padDir, `${ino}.${k}`);
      if (undo) await undo.link(p as string, pad);
      else await fsp.link(p as string, pad);
    }
    for (let k = want; k < have; k++) {
      const pad = nodePath.join(this.#padDir, `${ino}.${k}`);
      if (undo) await undo.remove(pad);
      else await fsp.rm(pad, { force: true });
    }
    if (want === 0) this.#pads.delete(ino);
    else this.#pads.set(ino, want);
  }

  get #holdDir(): string {
    return nodePath.join(this.#vellumDir, 'hold');
  }

  async #view(): Promise<Overlay> {
    this.#lowerView ??= await Overlay.create({ lowers: [...this.#lowers], upper: new MemoryUpper() });
    return this.#lowerView;
  }

  /** The lower object a kernel copy-up's origin handle names: its engine inode number and a path to it. */
  async #originOf(
    x: XattrMap | undefined,
    kind: UpperInode['kind'],
  ): Promise<{ ino: number; path: string } | undefined> {
    const handle = x?.get(ORIGIN);
    const diskIno = handle === undefined ? undefined : inodeOfOrigin(handle);
    if (diskIno === undefined || this.#lowers.length === 0) return undefined;
    const view = await this.#view();
    for (const [layer, lower] of this.#lowers.entries()) {
      if (!(lower instanceof DirLayer)) continue;
      for (const path of lower.pathsOfDiskInode(diskIno)) {
        try {
          if (view.origin(path).layer !== layer) continue; // hidden by a higher lower
          const st = await view.lstat(path);
          const k = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
          if (k === kind) return { ino: st.ino, path };
        } catch {
          // Not visible in the lowers' view: not what a copy-up came from.
        }
      }
    }
    return undefined;
  }

  /** The kernel's `trusted.overlay.nlink`: `U` or `L` (the upper's or the lower's count) and a difference. */
  async #kernelNlink(
    value: string,
    upperNlink: number,
    lowerPath: string | undefined,
  ): Promise<number | undefined> {
    const m = /^([UL])([+-]\d+)$/.exec(value);
    if (m === null) return undefined;
    const delta = Number(m[2]);
    if (m[1] === 'U') return upperNlink + delta;
    if (lowerPath === undefined) return undefined;
    return (await (await this.#view()).lstat(lowerPath)).nlink + delta;
  }

  /** Reads the upperdir: its objects, names, whiteouts, marks, and Vellum's records of them. */
  async load(): Promise<UpperSnapshot> {
    this.#reset();
    let saved = await this.#readRecords();
    // A commit a crash interrupted: done if its line is in the records, else undone step by step.
    const pending = await UndoLog.pending(this.#undoDir);
    if (pending !== undefined && saved.commits.has(pending)) await UndoLog.discard(this.#undoDir);
    else if (await exists(this.#undoDir)) {
      await UndoLog.rollBack(this.#undoDir);
      saved = await this.#readRecords();
    }
    await fsp.rm(this.#holdDir, { recursive: true, force: true }); // objects open but unlinked when it closed
    await fsp.mkdir(this.#holdDir, { recursive: true });
    const byDisk = new Map<number, SavedRecord>();
    for (const r of saved.records.values()) byDisk.set(r.disk, r);
    const xattrs = await readOverlayXattrs(this.upperdir, 'trusted');
    const lowerIds = this.#lowers.map((l) => l.id);
    let nextIno = Math.max(2, saved.meta?.nextIno ?? 2);
    const inoOfDisk = new Map<number, number>();
    const toFill: Array<{ ino: number; path: string; lowerPath: string }> = [];
    const ownLinks = new Map<number, number>();

    const rootStat = await fsp.lstat(this.upperdir);
    const rootRecord = byDisk.get(rootStat.ino);
    this.#inodes.set(ROOT, {
      ...metaOf(rootStat),
      ino: ROOT,
      kind: 'dir',
      nlink: 1,
      ...(rootRecord?.origin !== undefined || this.#lowers.length > 0
        ? { origin: rootRecord?.origin ?? ROOT }
        : {}),
    });
    this.#diskIno.set(ROOT, rootStat.ino);
    this.#state.set(ROOT, stateOf(xattrs.get(this.upperdir)));

    /** `lowerPath`: where the lowers' directory this one merges lives (redirects followed). */
    const walk = async (dirIno: number, abs: string, lowerPath: string): Promise<void> => {
      const names = (await fsp.readdir(abs)).sort();
      for (const name of names) {
        const p = nodePath.join(abs, name);
        const st = await fsp.lstat(p);
        if (st.isCharacterDevice() && st.rdev === 0) {
          this.#want.set(dirIno, name, null);
          continue;
        }
        const kind = st.isDirectory()
          ? 'dir'
          : st.isSymbolicLink()
            ? 'symlink'
            : st.isFile()
              ? 'file'
              : undefined;
        if (kind === undefined) continue; // a fifo, a socket: nothing an overlay upper holds
        const seen = kind !== 'dir' ? inoOfDisk.get(st.ino) : undefined;
        if (seen !== undefined) {
          this.#want.set(dirIno, name, seen);
          const rec = this.#inodes.get(seen);
          if (rec) rec.nlink++;
          continue;
        }
        const record = byDisk.get(st.ino);
        const own =
          record !== undefined && record.kind === kind && !this.#inodes.has(record.ino) ? record : undefined;
        const x = xattrs.get(p);
        // An object the kernel copied up names its lower object by a file handle: tied back to it,
        // it keeps the lower's inode number and stays one object with the lower's other names.
        const found = own === undefined ? await this.#originOf(x, kind) : undefined;
        const origin = found !== undefined && !this.#inodes.has(found.ino) ? found : undefined;
        const ino = own?.ino ?? origin?.ino ?? nextIno++;
        inoOfDisk.set(st.ino, ino);
        this.#diskIno.set(ino, st.ino);
        const state = stateOf(x);
        this.#state.set(ino, state);
        const inode: UpperInode = { ...metaOf(st), ino, kind, nlink: 1 };
        if (own?.origin !== undefined) inode.origin = own.origin;
        if (own?.originPath !== undefined) inode.originPath = own.originPath;
        if (own?.originStamp !== undefined) inode.originStamp = own.originStamp;
        if (origin !== undefined) inode.origin = origin.ino;
        if (own?.nlink !== undefined) ownLinks.set(ino, own.nlink);
        const kernelLinks = x?.get(NLINK);
        if (own === undefined && kernelLinks !== undefined) {
          const n = await this.#kernelNlink(decoder.decode(kernelLinks), st.nlink, origin?.path);
          if (n !== undefined) ownLinks.set(ino, n);
        }
        const childLower =
          state.redirect === undefined ? `${lowerPath}/${name}` : resolveRedirect(lowerPath, state.redirect);
        if (kind === 'file') {
          inode.size = st.size;
          if (state.metacopy && ((own?.metacopy && own.origin !== undefined) || origin !== undefined)) {
            inode.metacopy = true;
            inode.lowerLimit = own?.lowerLimit ?? st.size;
          } else {
            inode.lowerLimit = 0;
            if (state.metacopy) toFill.push({ ino, path: p, lowerPath: origin?.path ?? childLower });
            else this.#full.add(ino);
          }
        } else if (kind === 'symlink') {
          inode.target = await fsp.readlink(p);
        } else {
          if (state.opaque) inode.opaque = true;
          if (state.redirect !== undefined) inode.redirect = childLower;
        }
        this.#inodes.set(ino, inode);
        this.#want.set(dirIno, name, ino);
        if (kind === 'dir') await walk(ino, p, childLower);
      }
    };
    await walk(ROOT, this.upperdir, '');
    // A lower hard link the kernel copied up and whose upper names are all gone lives on in its
    // index (workdir/index/<origin handle>), with the count left: the lowers' other names show it.
    const index = nodePath.join(this.workdir, 'index');
    const indexXattrs = await readOverlayXattrs(index, 'trusted').catch(() => new Map<string, XattrMap>());
    for (const name of await fsp.readdir(index).catch(() => [] as string[])) {
      const p = nodePath.join(index, name);
      const st = await fsp.lstat(p);
      if (!st.isFile() || inoOfDisk.has(st.ino)) continue;
      const x = indexXattrs.get(p);
      const origin = await this.#originOf(x, 'file');
      if (origin === undefined || this.#inodes.has(origin.ino)) continue;
      const links = x?.get(NLINK);
      const nlink =
        links === undefined
          ? undefined
          : await this.#kernelNlink(decoder.decode(links), st.nlink, origin.path);
      const metacopy = x?.has(METACOPY) === true;
      this.#inodes.set(origin.ino, {
        ...metaOf(st),
        ino: origin.ino,
        kind: 'file',
        nlink: nlink ?? 1,
        origin: origin.ino,
        size: st.size,
        lowerLimit: metacopy ? st.size : 0,
        ...(metacopy ? { metacopy: true } : {}),
      });
      this.#indexOnly.set(origin.ino, p);
      this.#diskIno.set(origin.ino, st.ino);
      this.#state.set(origin.ino, { opaque: false, redirect: undefined, metacopy });
      if (!metacopy) this.#full.add(origin.ino);
    }
    // A metacopy file the kernel wrote: its bytes are in the lowers, at a path only the kernel
    // resolves by its origin handle; the lower at the same path (or its redirect) is the one the
    // kernel reads when no origin is checked. Written whole now, so Vellum needs no origin.
    for (const { ino, path, lowerPath } of toFill) {
      await this.#fillFromLower(path, lowerPath, this.#inodes.get(ino)?.size ?? 0, Number.POSITIVE_INFINITY);
      await setXattr(path, METACOPY, undefined);
      this.#state.set(ino, { ...(this.#state.get(ino) as DiskState), metacopy: false });
      this.#full.add(ino);
    }
    // The engine's count stands where Vellum wrote it (a lower file's names the upper lacks count).
    for (const [ino, nlink] of ownLinks) {
      const rec = this.#inodes.get(ino);
      if (rec !== undefined) rec.nlink = Math.max(nlink, this.#want.linksOf(ino).length);
    }
    for (const dir of this.#want.dirs())
      for (const [name, ino] of this.#want.namesOf(dir)) this.#disk.set(dir, name, ino);
    await fsp.rm(this.#padDir, { recursive: true, force: true });
    for (const ino of ownLinks.keys()) await this.#padLinks(ino);
    this.#meta = { nextIno, lowerIds: saved.meta?.lowerIds ?? lowerIds };
    await this.#rewriteRecords();
    this.#loaded = true;

    const dirents: UpperDirent[] = [];
    for (const parent of this.#want.dirs())
      for (const [name, ino] of this.#want.namesOf(parent)) dirents.push({ parent, name, ino });
    const chunks: Array<{ ino: number; index: number }> = [];
    for (const ino of this.#full) {
      const size = this.#inodes.get(ino)?.size ?? 0;
      for (let index = 0; index * this.#chunkSize < size; index++) chunks.push({ ino, index });
    }
    return {
      meta: structuredClone(this.#meta),
      inodes: [...this.#inodes.values()].map((i) => ({ ...i })),
      dirents,
      chunks,
    };
  }

  /** Applies one operation's changes to the model, then moves the disk to match it. */
  async commit(changes: readonly UpperChange[]): Promise<void> {
    if (!this.#loaded) await this.load();
    const dirs = new Set<number>();
    const touched = new Set<number>();
    const written = new Map<number, Map<number, Uint8Array>>();
    const dropped = new Set<number>();
    for (const c of changes) {
      switch (c.op) {
        case 'put-meta':
          this.#meta = structuredClone(c.meta);
          break;
        case 'put-inode':
          this.#inodes.set(c.inode.ino, { ...c.inode });
          touched.add(c.inode.ino);
          dropped.delete(c.inode.ino);
          break;
        case 'drop-inode':
          this.#inodes.delete(c.ino);
          if (this.#want.namesOf(c.ino).size > 0) dirs.add(c.ino);
          this.#want.dropDir(c.ino);
          written.delete(c.ino);
          touched.delete(c.ino);
          dropped.add(c.ino);
          break;
        case 'put-dirent':
          this.#want.set(c.dirent.parent, c.dirent.name, c.dirent.ino);
          dirs.add(c.dirent.parent);
          break;
        case 'drop-dirent':
          this.#want.delete(c.parent, c.name);
          dirs.add(c.parent);
          break;
        case 'put-chunk': {
          let byIndex = written.get(c.ino);
          if (byIndex === undefined) {
            byIndex = new Map();
            written.set(c.ino, byIndex);
          }
          byIndex.set(c.index, c.data.slice());
          touched.add(c.ino);
          break;
        }
        case 'drop-chunk':
          touched.add(c.ino);
          break;
      }
    }
    const txn = `${process.pid}-${Date.now()}-${++this.#commits}`;
    const undo = await UndoLog.begin(this.#undoDir, txn);
    this.#undo = undo;
    try {
      await this.#moveNames(dirs, dropped);
      await this.#linkLowerNames(touched, dirs);
      await this.#writeObjects(touched, written);
      await this.#placeStaged();
      for (const ino of new Set([...touched, ...dropped])) await this.#padLinks(ino);
      await this.#restoreDirTimes(dirs, touched);
      undo.close();
      this.#undo = undefined;
      // The commit point: one line naming the commit, with its records.
      await this.#appendRecords(new Set([...touched, ...dirs]), dropped, txn);
    } catch (err) {
      this.#undo = undefined;
      this.#staged.length = 0;
      try {
        undo.close();
      } catch {
        // already closed
      }
      // Back to the state before the commit, on disk and in the model (the engine drops its own changes).
      await UndoLog.rollBack(this.#undoDir);
      await this.load();
      throw fsErrorWithReason(
        'EIO',
        'write',
        this.upperdir,
        'the upperdir could not be brought up to date',
        err,
      );
    }
    await UndoLog.discard(this.#undoDir);
  }

  get #undoDir(): string {
    return nodePath.join(this.#vellumDir, 'undo');
  }

  /** The current commit's undo log: every disk change of a commit goes through it. */
  get #step(): UndoLog {
    if (this.#undo === undefined) throw new Error('DirUpper: a disk change outside a commit');
    return this.#undo;
  }

  /**
   * Inode numbers of the lower directories this upper copied up on its own, where the engine
   * did not: to hold a copied-up lower file's other names (the kernel's format says "same file"
   * only by a hard link in the upper; its own index needs file handles Node cannot make). Such a
   * directory is merged on disk, so the kernel (and Vellum, once reopened) report nlink 1 for it,
   * as for any merged directory, where the running overlay still reports the lower's count.
   *
   * @internal
   */
  get linkCopies(): ReadonlySet<number> {
    return this.#linkCopies;
  }

  /** Where object `ino` is on disk now (one of its names), or `undefined`. */
  #diskPath(ino: number): string | undefined {
    if (ino === ROOT) return this.upperdir;
    const [first] = this.#disk.linksOf(ino);
    if (first === undefined) return this.#indexOnly.get(ino);
    if (first.parent === HOLD) return nodePath.join(this.#holdDir, first.name);
    const dir = this.#diskPath(first.parent);
    return dir === undefined ? undefined : nodePath.join(dir, first.name);
  }

  /** The depth of a directory in the records' tree (the root 0), for ordering. */
  #depth(ino: number): number {
    const p = this.#want.pathOf(ino, ROOT);
    return p === undefined ? Number.POSITIVE_INFINITY : p === '' ? 0 : p.split('/').length;
  }

  /**
   * Moves the names of the directories `dirs` on disk to what the records say: first every name
   * that goes away leaves (to the hold if the object lives on elsewhere, else to the trash),
   * deepest directories first; then every name that comes is made (moved from the hold, linked
   * from another name, or created), shallowest first so a new directory exists before its names.
   */
  async #moveNames(dirs: ReadonlySet<number>, dropped: ReadonlySet<number>): Promise<void> {
    const leaving = [...dirs].filter((d) => this.#disk.namesOf(d).size > 0);
    leaving.sort(
      (a, b) => (this.#disk.pathOf(b, ROOT)?.length ?? 0) - (this.#disk.pathOf(a, ROOT)?.length ?? 0),
    );
    for (const dir of leaving) {
      const dirPath = this.#diskPath(dir);
      for (const [name, ino] of [...this.#disk.namesOf(dir)]) {
        if (this.#want.get(dir, name) === ino && this.#inodes.has(dir)) continue;
        const p = dirPath === undefined ? undefined : nodePath.join(dirPath, name);
        if (p === undefined) {
          this.#disk.delete(dir, name);
          continue;
        }
        const lastName = ino !== null && this.#disk.linksOf(ino).length === 1;
        const keptElsewhere = ino !== null && lastName && this.#inodes.has(ino);
        if (!keptElsewhere && this.#inodes.has(dir) && (await this.#replacedInPlace(dir, name, ino, p)))
          continue;
        if (keptElsewhere) {
          // Still an object (another name wants it, or it is open but unlinked): park it.
          await this.#step.rename(p, nodePath.join(this.#holdDir, String(ino)));
          this.#disk.delete(dir, name);
          this.#disk.set(HOLD, String(ino), ino);
        } else {
          // Moved into the undo directory, which goes once the commit is done.
          await this.#step.remove(p);
          this.#disk.delete(dir, name);
          if (ino !== null && !this.#disk.has(ino)) this.#forgetDisk(ino);
        }
      }
    }
    const coming = [...dirs].filter((d) => this.#inodes.has(d));
    coming.sort((a, b) => this.#depth(a) - this.#depth(b));
    const whiteouts: Array<{ dir: number; name: string; staged: string }> = [];
    for (const dir of coming) {
      const dirPath = this.#diskPath(dir);
      if (dirPath === undefined) continue;
      for (const [name, ino] of this.#want.namesOf(dir)) {
        if (this.#disk.get(dir, name) === ino) continue;
        const p = nodePath.join(dirPath, name);
        if (ino === null) {
          whiteouts.push({ dir, name, staged: nodePath.join(this.#holdDir, `wh-${whiteouts.length}`) });
          continue;
        }
        const from = this.#diskPath(ino);
        const held = this.#disk.get(HOLD, String(ino)) === ino;
        if (held && from !== undefined) {
          this.#dropReplaced(dir, name);
          await this.#step.rename(from, p);
          this.#disk.delete(HOLD, String(ino));
          this.#disk.set(dir, name, ino);
        } else if (from !== undefined || this.#inodes.get(ino)?.kind === 'file') {
          // A new file is made in the workdir, filled, then renamed into place (#placeStaged):
          // its name never shows a half-written file.
          if (from === undefined) await this.#create(ino, nodePath.join(this.#holdDir, `new-${ino}`), true);
          this.#staged.push({ dir, name, ino });
        } else {
          this.#dropReplaced(dir, name);
          // A symlink or directory cannot be renamed over a name: what was there goes first.
          if ((await inoAt(p)) !== undefined) await this.#step.remove(p);
          await this.#create(ino, p);
          this.#disk.set(dir, name, ino);
        }
      }
    }
    // Whiteouts are made in the workdir (one mknod process) and renamed over what they replace.
    // Each whiteout is a hard link of one char 0/0 device kept in the workdir (the kernel shares
    // its whiteouts the same way): no process per whiteout.
    for (const w of whiteouts) await this.#step.create(w.staged, () => this.#linkWhiteout(w.staged));
    for (const w of whiteouts) {
      const dirPath = this.#diskPath(w.dir) as string;
      await this.#renameOver(w.staged, w.dir, w.name, nodePath.join(dirPath, w.name));
      this.#disk.set(w.dir, w.name, null);
    }
    // An object parked while open and unlinked, now gone for good.
    for (const ino of dropped) {
      if (this.#disk.get(HOLD, String(ino)) !== ino) continue;
      await this.#step.remove(nodePath.join(this.#holdDir, String(ino)));
      this.#disk.delete(HOLD, String(ino));
      this.#forgetDisk(ino);
    }
  }

  /** Makes a new object at `p` (its data and metadata come later in the commit). */
  async #create(ino: number, p: string, staged = false): Promise<void> {
    const rec = this.#inodes.get(ino);
    if (rec === undefined) throw new Error(`no record for inode ${ino}`);
    await this.#step.create(p, async () => {
      if (rec.kind === 'dir') await fsp.mkdir(p, { mode: 0o700 });
      else if (rec.kind === 'symlink') await fsp.symlink(rec.target ?? '', p);
      else await fsp.writeFile(p, new Uint8Array(0), { mode: 0o600 });
    });
    this.#diskIno.set(ino, (await fsp.lstat(p)).ino);
    this.#state.set(ino, { opaque: false, redirect: undefined, metacopy: false });
    // A file without a lower origin holds all its bytes from the start; a copy-up fills them.
    if (rec.kind === 'file' && rec.origin === undefined) this.#full.add(ino);
    if (staged) this.#disk.set(HOLD, nodePath.basename(p), ino);
  }

  /**
   * Whether `name` in `dir` (on disk: `ino`, at `p`, going away) is a non-directory the records
   * replace by a whiteout or another non-directory: then it stays until that one is renamed over
   * it, so the name never shows the lower in between.
   */
  async #replacedInPlace(dir: number, name: string, ino: number | null, p: string): Promise<boolean> {
    const next = this.#want.get(dir, name);
    if (next === undefined) return false;
    const nextKind = next === null ? 'whiteout' : this.#inodes.get(next)?.kind;
    if (nextKind === 'dir' || nextKind === undefined) return false;
    if (ino !== null && (await fsp.lstat(p)).isDirectory()) return false;
    return true;
  }

  /** Forgets, in the disk's names, what `name` in `dir` held before something replaces it there. */
  #dropReplaced(dir: number, name: string): void {
    const old = this.#disk.get(dir, name);
    if (old === undefined) return;
    this.#disk.delete(dir, name);
    if (old !== null && !this.#disk.has(old)) this.#forgetDisk(old);
  }

  /** Renames `from` over `name` in `dir` (a non-directory, or nothing), forgetting what was there. */
  async #renameOver(from: string, dir: number, name: string, p: string): Promise<void> {
    await this.#step.rename(from, p);
    this.#dropReplaced(dir, name);
  }

  /** Puts the files made in the workdir at their names: the first by a rename, the others as links. */
  async #placeStaged(): Promise<void> {
    for (const { dir, name, ino } of this.#staged.splice(0)) {
      const dirPath = this.#diskPath(dir);
      if (dirPath === undefined) continue;
      const p = nodePath.join(dirPath, name);
      const stage = `new-${ino}`;
      if (this.#disk.get(HOLD, stage) === ino) {
        await this.#renameOver(nodePath.join(this.#holdDir, stage), dir, name, p);
        this.#disk.delete(HOLD, stage);
      } else {
        const from = this.#diskPath(ino);
        if (from === undefined) continue;
        this.#dropReplaced(dir, name);
        // A link cannot replace: what was there goes first.
        if ((await inoAt(p)) !== undefined) await this.#step.remove(p);
        await this.#step.link(from, p);
      }
      this.#disk.set(dir, name, ino);
    }
  }

  #forgetDisk(ino: number): void {
    this.#full.delete(ino);
    this.#state.delete(ino);
    this.#diskIno.delete(ino);
  }

  /**
   * A lower file with several names, copied up through one: its other names in the lowers are
   * linked to the copy where their directory is in the upper at the same path and holds nothing
   * at that name (the kernel finds them through its index; a hard link says the same to it).
   */
  async #linkLowerNames(touched: ReadonlySet<number>, dirs: Set<number>): Promise<void> {
    for (const ino of touched) {
      const rec = this.#inodes.get(ino);
      if (rec?.kind !== 'file' || rec.origin === undefined) continue;
      const names = await this.#lowerNamesOf(rec.origin);
      if (names.length < 2) continue;
      for (const lowerPath of names) {
        const at = await this.#resolveUpperParent(lowerPath, dirs);
        if (at === undefined || this.#want.get(at.dir, at.name) !== undefined) continue;
        const dirPath = this.#diskPath(at.dir);
        if (dirPath === undefined) continue;
        const from = this.#diskPath(ino);
        // No name on disk yet (the names Vellum knew were removed): this one becomes the copy.
        if (from === undefined) await this.#create(ino, nodePath.join(this.#holdDir, `new-${ino}`), true);
        this.#staged.push({ dir: at.dir, name: at.name, ino });
        // Vellum's records get the name too, so both sides agree on what the upper holds.
        this.#want.set(at.dir, at.name, ino);
        dirs.add(at.dir);
      }
    }
  }

  /**
   * The upper directory at the parent of lower path `path`, and the name; directories of the
   * path that are only in the lowers are copied up (the directory alone, as the kernel does), so
   * the name can be linked there. `undefined` where the path is hidden or moved in the upper.
   */
  async #resolveUpperParent(
    path: string,
    dirs: Set<number>,
  ): Promise<{ dir: number; name: string } | undefined> {
    const parts = path.split('/').filter((s) => s !== '');
    let dir = ROOT;
    let at = '';
    for (const part of parts.slice(0, -1)) {
      at = `${at}/${part}`;
      const next = this.#want.get(dir, part);
      if (next === null) return undefined;
      if (next === undefined) {
        dirs.add(dir);
        dir = await this.#copyUpDir(dir, part, at);
        dirs.add(dir);
        continue;
      }
      const rec = this.#inodes.get(next);
      if (rec?.kind !== 'dir' || rec.redirect !== undefined || rec.opaque) return undefined;
      dir = rec.ino;
    }
    const name = parts.at(-1);
    return name === undefined ? undefined : { dir, name };
  }

  /** Copies up the lower directory `lowerPath` as `name` in upper directory `parent`, keeping its lower inode number. */
  async #copyUpDir(parent: number, name: string, lowerPath: string): Promise<number> {
    const st = await (await this.#view()).lstat(lowerPath);
    const parentPath = this.#diskPath(parent);
    if (!st.isDirectory() || parentPath === undefined) throw new Error(`cannot copy up ${lowerPath}`);
    const rec: UpperInode = {
      ino: st.ino,
      kind: 'dir',
      nlink: 1,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      atimeMs: st.atimeMs,
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      birthtimeMs: st.birthtimeMs,
      origin: st.ino,
    };
    this.#inodes.set(st.ino, rec);
    this.#linkCopies.add(st.ino);
    const p = nodePath.join(parentPath, name);
    await this.#create(st.ino, p);
    await this.#step.setMeta(p, rec);
    this.#want.set(parent, name, st.ino);
    this.#disk.set(parent, name, st.ino);
    return st.ino;
  }

  async #lowerNamesOf(origin: number): Promise<string[]> {
    if (this.#lowerNames === undefined) {
      this.#lowerNames = new Map();
      if (this.#lowers.length > 0) {
        for (const e of await (await this.#view()).walk('/')) {
          if (e.type !== 'file' || e.stats.nlink < 2) continue;
          const list = this.#lowerNames.get(e.stats.ino) ?? [];
          list.push(e.path);
          this.#lowerNames.set(e.stats.ino, list);
        }
      }
    }
    return this.#lowerNames.get(origin) ?? [];
  }

  /** Brings each touched object's data, marks and metadata on disk to its record. */
  async #writeObjects(
    touched: ReadonlySet<number>,
    written: ReadonlyMap<number, Map<number, Uint8Array>>,
  ): Promise<void> {
    for (const ino of touched) {
      const rec = this.#inodes.get(ino);
      const p = this.#diskPath(ino);
      if (rec === undefined || p === undefined) continue;
      const state = this.#state.get(ino) ?? { opaque: false, redirect: undefined, metacopy: false };
      if (rec.kind === 'file') await this.#writeFile(ino, rec, p, state, written.get(ino));
      if (rec.kind === 'dir') {
        if ((rec.opaque === true) !== state.opaque)
          await this.#step.setXattr(p, OPAQUE, rec.opaque ? YES : undefined, state.opaque ? YES : undefined);
        const redirect = rec.redirect === undefined ? undefined : this.#redirectValue(ino, rec.redirect);
        if (redirect !== state.redirect)
          await this.#step.setXattr(
            p,
            REDIRECT,
            redirect === undefined ? undefined : encoder.encode(redirect),
            state.redirect === undefined ? undefined : encoder.encode(state.redirect),
          );
        this.#state.set(ino, { ...state, opaque: rec.opaque === true, redirect });
      }
      await this.#step.setMeta(p, rec);
    }
  }

  /**
   * The redirect the kernel reads for a directory whose lowers are at `lowerPath`: none where it
   * sits at that very path (its lowers merge by name), else the absolute path.
   */
  #redirectValue(ino: number, lowerPath: string): string | undefined {
    const at = this.#want.pathOf(ino, ROOT);
    return at !== undefined && `/${at}` === lowerPath ? undefined : lowerPath;
  }

  async #writeFile(
    ino: number,
    rec: UpperInode,
    p: string,
    state: DiskState,
    chunks: Map<number, Uint8Array> | undefined,
  ): Promise<void> {
    const size = rec.size ?? 0;
    const metacopy = rec.metacopy === true && (await this.#lowerAtEveryName(ino, rec));
    if (metacopy) {
      // The kernel reads a metacopy file's bytes from the lower at its path: only the size is here.
      if (!state.metacopy) await this.#step.setXattr(p, METACOPY, new Uint8Array(0), undefined);
      await this.#step.truncate(p, size);
      this.#state.set(ino, { ...state, metacopy: true });
      this.#full.delete(ino);
      return;
    }
    if (!this.#full.has(ino) && rec.origin !== undefined) {
      // A copy-up: the whole file, as the kernel writes it; bytes past lowerLimit never come from the lower.
      // (Into a file made in this commit, or a metacopy file that held only holes.)
      if (state.metacopy) this.#step.zeroed(p, (await fsp.stat(p)).size);
      await this.#fillFromLower(p, rec.originPath ?? '', size, rec.lowerLimit ?? size, rec.origin);
    }
    if (chunks !== undefined) {
      for (const [index, data] of chunks) await this.#step.write(p, data, index * this.#chunkSize);
    }
    await this.#step.truncate(p, size);
    if (state.metacopy) await this.#step.setXattr(p, METACOPY, undefined, new Uint8Array(0));
    this.#state.set(ino, { ...state, metacopy: false });
    this.#full.add(ino);
    this.#fds.drop(p);
  }

  /**
   * A path at which the lowers alone show object `origin`: the path it was copied from, or,
   * where a higher lower hides that name, another name of the same hard-linked file.
   */
  async #visiblePathOf(origin: number, originPath: string): Promise<string | undefined> {
    const view = await this.#view();
    try {
      if ((await view.lstat(originPath)).ino === origin) return originPath;
    } catch {
      // hidden or gone in the lowers' view: try its other names
    }
    return (await this.#lowerNamesOf(origin))[0];
  }

  /** Whether every name of `ino` is, in the lowers alone, the object it was copied from. */
  async #lowerAtEveryName(ino: number, rec: UpperInode): Promise<boolean> {
    if (rec.origin === undefined || this.#lowers.length === 0) return false;
    const view = await this.#view();
    for (const link of this.#want.linksOf(ino)) {
      const parent = this.#want.pathOf(link.parent, ROOT);
      if (parent === undefined) return false;
      try {
        if ((await view.lstat(`/${parent === '' ? '' : `${parent}/`}${link.name}`)).ino !== rec.origin)
          return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Writes the lower file at `lowerPath` (bytes below `limit`, up to `size`) into `p`. */
  async #fillFromLower(
    p: string,
    originPath: string,
    size: number,
    limit: number,
    origin?: number,
  ): Promise<void> {
    const view = await this.#view();
    const lowerPath = origin === undefined ? originPath : await this.#visiblePathOf(origin, originPath);
    if (lowerPath === undefined) {
      throw fsErrorWithReason(
        'EIO',
        'read',
        originPath,
        'the lower file this copy came from is no longer there',
      );
    }
    const st = await view.lstat(lowerPath);
    const end = Math.min(size, limit, st.size);
    const src = await view.open(lowerPath, 'r');
    const dst = await fsp.open(p, 'r+');
    try {
      const buf = new Uint8Array(1 << 20);
      for (let at = 0; at < end; ) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, end - at), at);
        if (bytesRead === 0) break;
        await dst.write(buf, 0, bytesRead, at);
        at += bytesRead;
      }
    } finally {
      await src.close();
      await dst.close();
    }
  }

  /** Adding and removing names changed the directories' times on disk: put back the records'. */
  async #restoreDirTimes(dirs: ReadonlySet<number>, touched: ReadonlySet<number>): Promise<void> {
    const all = new Set([...dirs, ...touched]);
    for (const dir of all) {
      const rec = this.#inodes.get(dir);
      const p = rec?.kind === 'dir' ? this.#diskPath(dir) : undefined;
      if (rec !== undefined && p !== undefined) await this.#step.setMeta(p, rec);
    }
    // A parent whose names changed only because an object was parked or trashed also changed.
    for (const dir of all) {
      const link = this.#disk.linksOf(dir)[0];
      const parent = link === undefined || link.parent === HOLD ? undefined : this.#inodes.get(link.parent);
      const p = parent === undefined ? undefined : this.#diskPath(parent.ino);
      if (parent !== undefined && p !== undefined) await this.#step.setMeta(p, parent);
    }
  }

  get #recordsPath(): string {
    return nodePath.join(this.#vellumDir, 'records.jsonl');
  }

  async #readRecords(): Promise<{
    meta: UpperMeta | undefined;
    records: Map<number, SavedRecord>;
    commits: Set<string>;
  }> {
    const records = new Map<number, SavedRecord>();
    let meta: UpperMeta | undefined;
    let text = '';
    try {
      text = await fsp.readFile(this.#recordsPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const commits = new Set<string>();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let entry: { c?: string; m?: UpperMeta; r?: SavedRecord | SavedRecord[]; x?: number | number[] };
      try {
        entry = JSON.parse(line);
      } catch {
        break; // a line cut short by a crash: that commit did not happen
      }
      if (entry.c !== undefined) commits.add(entry.c);
      if (entry.m !== undefined) meta = entry.m;
      for (const r of entry.r === undefined ? [] : Array.isArray(entry.r) ? entry.r : [entry.r])
        records.set(r.ino, r);
      for (const x of entry.x === undefined ? [] : Array.isArray(entry.x) ? entry.x : [entry.x])
        records.delete(x);
    }
    return { meta, records, commits };
  }

  #saved(ino: number): SavedRecord | undefined {
    const rec = this.#inodes.get(ino);
    const disk = this.#diskIno.get(ino);
    if (rec === undefined || disk === undefined) return undefined;
    const out: SavedRecord = { ino, kind: rec.kind, disk };
    if (rec.origin !== undefined) out.origin = rec.origin;
    if (rec.originPath !== undefined) out.originPath = rec.originPath;
    if (rec.originStamp !== undefined) out.originStamp = rec.originStamp;
    if (rec.kind === 'file') out.nlink = rec.nlink;
    if (rec.metacopy) {
      out.metacopy = true;
      if (rec.lowerLimit !== undefined) out.lowerLimit = rec.lowerLimit;
    }
    return out;
  }

  /** Writes every record afresh, then puts the file in place by a rename. */
  async #rewriteRecords(): Promise<void> {
    await this.#log?.close();
    this.#log = undefined;
    const lines = [JSON.stringify({ m: this.#meta })];
    for (const ino of this.#inodes.keys()) {
      const r = this.#saved(ino);
      if (r !== undefined) lines.push(JSON.stringify({ r }));
    }
    const tmp = `${this.#recordsPath}.tmp`;
    await fsp.writeFile(tmp, `${lines.join('\n')}\n`);
    await fsp.rename(tmp, this.#recordsPath);
  }

  /** The commit point: one line (a crash cuts it whole or not at all) with the commit's records. */
  async #appendRecords(
    touched: ReadonlySet<number>,
    dropped: ReadonlySet<number>,
    txn: string,
  ): Promise<void> {
    const r: SavedRecord[] = [];
    for (const ino of touched) {
      const saved = this.#saved(ino);
      if (saved !== undefined) r.push(saved);
    }
    const line = JSON.stringify({ c: txn, m: this.#meta, r, x: [...dropped] });
    this.#log ??= await fsp.open(this.#recordsPath, 'a');
    // No fsync here: a killed process loses nothing the page cache holds; `sync()` is the
    // barrier against a power cut (as with the kernel's overlay, whose writes are not synced either).
    await this.#log.write(`${line}\n`);
  }

  /** Makes every commit so far durable: the records log, then the upper's filesystem (`sync -f`, syncfs). */
  async sync(): Promise<void> {
    await this.#log?.datasync();
    syncFilesystem(this.upperdir);
  }

  /** One chunk of a file, read from its file on disk. */
  async readChunk(ino: number, index: number): Promise<Uint8Array | undefined> {
    return this.readChunkSync(ino, index) ?? undefined;
  }

  /** The same, synchronously (a local disk answers at once). */
  readChunkSync(ino: number, index: number): Uint8Array | undefined {
    const rec = this.#inodes.get(ino);
    const p = this.#diskPath(ino);
    if (rec?.kind !== 'file' || p === undefined || !this.#full.has(ino)) return undefined;
    const start = index * this.#chunkSize;
    const length = Math.max(0, Math.min(this.#chunkSize, (rec.size ?? 0) - start));
    const out = new Uint8Array(length);
    const lease = this.#fds.acquire(p);
    try {
      let done = 0;
      while (done < length) {
        const n = fs.readSync(lease.fd, out, done, length - done, start + done);
        if (n === 0) break;
        done += n;
      }
    } finally {
      lease.release();
    }
    return out;
  }

  /** Empties the upperdir and Vellum's records. */
  async clear(): Promise<void> {
    this.#fds.close();
    for (const name of await fsp.readdir(this.upperdir))
      await fsp.rm(nodePath.join(this.upperdir, name), { recursive: true, force: true });
    await this.#log?.close();
    this.#log = undefined;
    await fsp.rm(this.#recordsPath, { force: true });
    this.#reset();
    this.#loaded = false;
  }

  /** Bytes of file contents on disk and the number of records. */
  async usage(): Promise<UpperUsage> {
    let bytes = 0;
    let entries = this.#inodes.size;
    for (const ino of this.#full) bytes += this.#inodes.get(ino)?.size ?? 0;
    for (const dir of this.#want.dirs()) entries += this.#want.namesOf(dir).size;
    return { bytes, entries };
  }

  /** Closes the files the upper holds open. */
  async close(): Promise<void> {
    this.#fds.close();
    await this.#log?.close();
    this.#log = undefined;
    await this.#lowerView?.close();
  }

  #reset(): void {
    this.#meta = undefined;
    this.#inodes.clear();
    for (const t of [this.#want, this.#disk]) for (const d of t.dirs()) t.dropDir(d);
    this.#state.clear();
    this.#full.clear();
    this.#diskIno.clear();
    this.#indexOnly.clear();
    this.#pads.clear();
  }
}

async function inoAt(path: string): Promise<number | undefined> {
  try {
    return (await fsp.lstat(path)).ino;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await inoAt(path)) !== undefined;
}

async function dirStat(path: string, what: string): Promise<fs.Stats> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT' : 'EIO';
    throw fsErrorWithReason(code, 'open', path, `the ${what} cannot be read`, err);
  }
  if (!st.isDirectory()) throw fsErrorWithReason('ENOTDIR', 'open', path, `the ${what} must be a directory`);
  return st;
}

function metaOf(st: fs.Stats) {
  return {
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    atimeMs: st.atimeMs,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    birthtimeMs: st.birthtimeMs,
  };
}

function stateOf(x: XattrMap | undefined): DiskState {
  const opaque = x?.get(OPAQUE);
  const redirect = x?.get(REDIRECT);
  return {
    opaque: opaque !== undefined && opaque.length === 1 && opaque[0] === 0x79,
    redirect: redirect === undefined ? undefined : decoder.decode(redirect),
    metacopy: x?.has(METACOPY) === true,
  };
}

/** The kernel's redirect: an absolute path from the lowers' root, or a name in the parent's lower directory. */
function resolveRedirect(parentLower: string, redirect: string): string {
  return redirect.startsWith('/') ? redirect.replace(/\/+$/, '') : `${parentLower}/${redirect}`;
}
