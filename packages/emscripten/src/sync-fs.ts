/**
 * The synchronous calls the Emscripten adapter makes, Node's `*Sync` names and signatures.
 * `@vellum/core`'s `Overlay` has them all (the engine in the same thread: way (a)), and so has
 * `@vellum/worker`'s `connectSync(port)` (the engine in another worker: way (b)).
 */

/** The stat fields Emscripten writes into the program's `struct stat`. */
export interface SyncStats {
  /** Device number. */
  dev: number;
  /** Inode number. */
  ino: number;
  /** File type and permission bits. */
  mode: number;
  /** Number of hard links. */
  nlink: number;
  /** Owner's user id. */
  uid: number;
  /** Owner's group id. */
  gid: number;
  /** Device a special file stands for. */
  rdev: number;
  /** Size in bytes. */
  size: number;
  /** Preferred I/O block size. */
  blksize: number;
  /** 512-byte blocks the size takes. */
  blocks: number;
  /** Last access. */
  atime: Date;
  /** Last change of the contents. */
  mtime: Date;
  /** Last change of the contents or metadata. */
  ctime: Date;
}

/**
 * A filesystem answering synchronously, as the adapter calls it. Every failure is thrown with a
 * Node-style `code` (`'ENOENT'`, `'ENOTEMPTY'`, …), which the adapter turns into Emscripten's errno.
 *
 * @example
 * ```ts
 * import { MemoryLayer, MemoryUpper, Overlay } from '@vellum/core';
 * const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree({ 'a.txt': 'hi' })], upper: new MemoryUpper() });
 * const fs: SyncFs = ov; // the engine's own *Sync calls
 * ```
 */
export interface SyncFs {
  /** Node's `fs.lstatSync`. */
  lstatSync(path: string): SyncStats;
  /** Node's `fs.readdirSync`: the names, without `.` and `..`. */
  readdirSync(path: string): string[];
  /** Node's `fs.readlinkSync`. */
  readlinkSync(path: string): string;
  /** Node's `fs.mkdirSync` (the mode before the umask). */
  mkdirSync(path: string, options: { mode: number }): unknown;
  /** Node's `fs.symlinkSync`. */
  symlinkSync(target: string, path: string): void;
  /** Node's `fs.unlinkSync`. */
  unlinkSync(path: string): void;
  /** Node's `fs.rmdirSync`. */
  rmdirSync(path: string): void;
  /** Node's `fs.renameSync`. */
  renameSync(oldPath: string, newPath: string): void;
  /** Node's `fs.chmodSync`. */
  chmodSync(path: string, mode: number): void;
  /** Node's `fs.lchmodSync`. */
  lchmodSync(path: string, mode: number): void;
  /** Node's `fs.utimesSync`. */
  utimesSync(path: string, atime: Date, mtime: Date): void;
  /** Node's `fs.lutimesSync`. */
  lutimesSync(path: string, atime: Date, mtime: Date): void;
  /** Node's `fs.truncateSync`. */
  truncateSync(path: string, len: number): void;
  /** Node's `fs.openSync` with numeric (Linux) flags; returns a descriptor. */
  openSync(path: string, flags: number, mode?: number): number;
  /** Node's `fs.closeSync`. */
  closeSync(fd: number): void;
  /** Node's `fs.readSync` at a position. */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Node's `fs.writeSync` at a position. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Node's `fs.fstatSync`. */
  fstatSync(fd: number): SyncStats;
  /** Node's `fs.ftruncateSync`. */
  ftruncateSync(fd: number, len: number): void;
  /** Node's `fs.fchmodSync`. */
  fchmodSync(fd: number, mode: number): void;
  /** Node's `fs.futimesSync`. */
  futimesSync(fd: number, atime: Date, mtime: Date): void;
}
