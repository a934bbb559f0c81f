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
  protected abstract entryKind(): Node['kind'];
  isFile(): boolean {
    return this.entryKind() === 'file';
  }
  isDirectory(): boolean {
    return this.entryKind() === 'dir';
  }
  isSymbolicLink(): boolean {
    return this.entryKind() === 'symlink';
  }
  isBlockDevice(): boolean {
    return false;
  }
  isCharacterDevice(): boolean {
    return false;
  }
  isFIFO(): boolean {
    return false;
  }
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
  dev = OVERLAY_DEV;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev = 0;
  size: number;
  blksize = BLOCK;
  blocks: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;

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
  protected entryKind(): Node['kind'] {
    const type = this.mode & S_IFMT;
    return type === S_IFDIR ? 'dir' : type === S_IFLNK ? 'symlink' : 'file';
  }
}

/** A directory entry from `readdir(path, { withFileTypes: true })`. */
export class Dirent extends EntryType {
  readonly name: string;
  readonly parentPath: string;
  readonly #kind: Node['kind'];
  /** The inode number of the entry; equals `stat().ino`, as `d_ino` does. */
  readonly ino: number;

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
  protected entryKind(): Node['kind'] {
    return this.#kind;
  }
}

const encoder = new TextEncoder();
function byteLength(s: string): number {
  return encoder.encode(s).length;
}
