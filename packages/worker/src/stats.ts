/** Client-side `fs.Stats` and `fs.Dirent` look-alikes, rebuilt from what the worker sends. */
import { EntryType } from '@vellum/core/internal';
import type { WireDirent } from './protocol.js';
import { STAT_WIDTH } from './stats-wire.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** @inline */
type Kind = 'file' | 'dir' | 'symlink';

/**
 * What the client's `stat`, `lstat`, `FileHandle.stat`, `statMany` and `walk` return:
 * the engine's `Stats`, field for field.
 *
 * @example
 * ```ts
 * const s = await fs.stat('/src/main.ts');
 * if (s.isFile()) console.log(s.size, s.mtime);
 * ```
 */
export class Stats extends EntryType {
  /** Device number: one for the whole merged tree, as the kernel's overlayfs reports. */
  dev: number;
  /** Inode number: stable for a path's object across calls (a lower entry keeps its number after copy-up). */
  ino: number;
  /** File type and permission bits, as `st_mode` (`mode & 0o777` for the permissions). */
  mode: number;
  /** Number of hard links to the object. */
  nlink: number;
  /** Owner's user id. */
  uid: number;
  /** Owner's group id. */
  gid: number;
  /** Always `0`: an overlay holds no device files. */
  rdev: number;
  /** Size in bytes: a file's length, a symlink's target length, a directory's block size. */
  size: number;
  /** Preferred I/O block size, 4096. */
  blksize: number;
  /** 512-byte blocks the size takes, rounded up. */
  blocks: number;
  /** Last access, in milliseconds since the epoch. */
  atimeMs: number;
  /** Last change of the contents, in milliseconds since the epoch. */
  mtimeMs: number;
  /** Last change of the contents or metadata, in milliseconds since the epoch. */
  ctimeMs: number;
  /** Creation, in milliseconds since the epoch. */
  birthtimeMs: number;

  /** @internal Reads slot `index` of a packed stats array (see `stats-wire.ts`). */
  constructor(packed: Float64Array, index = 0) {
    super();
    const b = index * STAT_WIDTH;
    this.dev = packed[b] as number;
    this.ino = packed[b + 1] as number;
    this.mode = packed[b + 2] as number;
    this.nlink = packed[b + 3] as number;
    this.uid = packed[b + 4] as number;
    this.gid = packed[b + 5] as number;
    this.rdev = packed[b + 6] as number;
    this.size = packed[b + 7] as number;
    this.blksize = packed[b + 8] as number;
    this.blocks = packed[b + 9] as number;
    this.atimeMs = packed[b + 10] as number;
    this.mtimeMs = packed[b + 11] as number;
    this.ctimeMs = packed[b + 12] as number;
    this.birthtimeMs = packed[b + 13] as number;
  }

  /** `atimeMs` as a `Date`. */
  get atime(): Date {
    return new Date(this.atimeMs);
  }
  /** `mtimeMs` as a `Date`. */
  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
  /** `ctimeMs` as a `Date`. */
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }
  /** `birthtimeMs` as a `Date`. */
  get birthtime(): Date {
    return new Date(this.birthtimeMs);
  }
  /** The entry's kind, which the `is…()` predicates answer from. */
  protected entryKind(): Kind {
    const type = this.mode & S_IFMT;
    return type === S_IFDIR ? 'dir' : type === S_IFLNK ? 'symlink' : 'file';
  }
}

/**
 * A directory entry from `readdir(path, { withFileTypes: true })`, as the engine's.
 *
 * @example
 * ```ts
 * const dirs = (await fs.readdir('/', { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
 * ```
 */
export class Dirent extends EntryType {
  /** The entry's name: its last path component, also in a recursive listing. */
  readonly name: string;
  /** The path of the directory holding the entry. */
  readonly parentPath: string;
  /** The inode number of the entry; equals `stat().ino`, as `d_ino` does. */
  readonly ino: number;
  readonly #kind: Kind;

  /** @internal Made by the client's `readdir`. */
  constructor(wire: WireDirent) {
    super();
    this.name = wire.name;
    this.parentPath = wire.parentPath;
    this.ino = wire.ino;
    this.#kind = wire.kind;
  }
  /** Node's deprecated alias of `parentPath`. */
  get path(): string {
    return this.parentPath;
  }
  /** The entry's kind, which the `is…()` predicates answer from. */
  protected entryKind(): Kind {
    return this.#kind;
  }
}
