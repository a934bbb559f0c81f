/** `fs.Stats` and `fs.Dirent` look-alikes, so callers written for Node work unchanged. */
import type { Node } from './inode.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** The `st_mode` type bits of a node kind. */
export function typeBits(kind: Node['kind']): number {
  return kind === 'file' ? S_IFREG : kind === 'dir' ? S_IFDIR : S_IFLNK;
}

/** The overlay's `st_dev`: one device for the whole merged tree, as the kernel reports. */
export const OVERLAY_DEV = 0x766c6d; // "vlm"
const BLOCK = 4096;

/**
 * The `is…()` predicates Node's Stats and Dirent share (overlay entries are never
 * devices); exported for look-alikes rebuilt elsewhere, e.g. the worker client's Stats.
 */
export abstract class EntryType {
  /** The entry's kind, which the `is…()` predicates answer from. */
  protected abstract entryKind(): Node['kind'];
  /** Whether the entry is a regular file. */
  isFile(): boolean {
    return this.entryKind() === 'file';
  }
  /** Whether the entry is a directory. */
  isDirectory(): boolean {
    return this.entryKind() === 'dir';
  }
  /** Whether the entry is a symbolic link (only from `lstat` or `readdir`: `stat` follows links). */
  isSymbolicLink(): boolean {
    return this.entryKind() === 'symlink';
  }
  /** Always `false`: an overlay holds no devices. */
  isBlockDevice(): boolean {
    return false;
  }
  /** Always `false`: an overlay holds no devices. */
  isCharacterDevice(): boolean {
    return false;
  }
  /** Always `false`: an overlay holds no FIFOs. */
  isFIFO(): boolean {
    return false;
  }
  /** Always `false`: an overlay holds no sockets. */
  isSocket(): boolean {
    return false;
  }
}

/**
 * What `stat`, `lstat` and `FileHandle.stat` return.
 *
 * @example
 * ```ts
 * const s = await ov.stat('/src/main.ts');
 * if (s.isFile()) console.log(s.size, s.mtime);
 * ```
 */
export class Stats extends EntryType {
  /** Device number: one for the whole merged tree, as the kernel's overlayfs reports. */
  dev = OVERLAY_DEV;
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
  rdev = 0;
  /** Size in bytes: a file's length, a symlink's target length, a directory's block size. */
  size: number;
  /** Preferred I/O block size, 4096. */
  blksize = BLOCK;
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

  /** @internal Built by the engine from its node; callers get Stats from `stat` and friends. */
  constructor(node: Node) {
    super();
    this.ino = node.ino;
    this.mode = typeBits(node.kind) | node.mode;
    this.nlink = node.nlink;
    this.uid = node.uid;
    this.gid = node.gid;
    this.size = node.kind === 'file' ? node.size : node.kind === 'symlink' ? byteLength(node.target) : BLOCK;
    this.blocks = Math.ceil(this.size / 512);
    this.atimeMs = node.atimeMs;
    this.mtimeMs = node.mtimeMs;
    this.ctimeMs = node.ctimeMs;
    this.birthtimeMs = node.birthtimeMs;
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
  protected entryKind(): Node['kind'] {
    const type = this.mode & S_IFMT;
    return type === S_IFDIR ? 'dir' : type === S_IFLNK ? 'symlink' : 'file';
  }
}

/**
 * A directory entry from `readdir(path, { withFileTypes: true })`.
 *
 * @example
 * ```ts
 * for (const d of await ov.readdir('/', { withFileTypes: true, recursive: true })) {
 *   if (d.isFile()) console.log(`${d.parentPath}/${d.name}`);
 * }
 * ```
 */
export class Dirent extends EntryType {
  /** The entry's name: its last path component, also in a recursive listing. */
  readonly name: string;
  /** The path of the directory holding the entry. */
  readonly parentPath: string;
  readonly #kind: Node['kind'];
  /** The inode number of the entry; equals `stat().ino`, as `d_ino` does. */
  readonly ino: number;

  /** @internal Built by the engine's `readdir`. */
  constructor(name: string, parentPath: string, kind: Node['kind'], ino: number) {
    super();
    this.name = name;
    this.parentPath = parentPath;
    this.#kind = kind;
    this.ino = ino;
  }
  /** Node's deprecated alias of `parentPath`. */
  get path(): string {
    return this.parentPath;
  }
  /** The entry's kind, which the `is…()` predicates answer from. */
  protected entryKind(): Node['kind'] {
    return this.#kind;
  }
}

const encoder = new TextEncoder();
function byteLength(s: string): number {
  return encoder.encode(s).length;
}
