/** Client-side `fs.Stats` and `fs.Dirent` look-alikes, rebuilt from what the worker sends. */
import { EntryType } from '@vellum/core/internal';
import type { WireDirent } from './protocol.js';
import { STAT_WIDTH } from './stats-wire.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

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
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
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

  get atime(): Date {
    return new Date(this.atimeMs);
  }
  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }
  get birthtime(): Date {
    return new Date(this.birthtimeMs);
  }
  protected entryKind(): Kind {
    const type = this.mode & S_IFMT;
    return type === S_IFDIR ? 'dir' : type === S_IFLNK ? 'symlink' : 'file';
  }
}

/** A directory entry from `readdir(path, { withFileTypes: true })`. */
export class Dirent extends EntryType {
  readonly name: string;
  readonly parentPath: string;
  readonly ino: number;
  readonly #kind: Kind;

  /** @internal */
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
  protected entryKind(): Kind {
    return this.#kind;
  }
}
