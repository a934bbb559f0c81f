/**
 * The synchronous calls the Emscripten adapter makes, Node's `*Sync` names and signatures.
 * `@vellum/core`'s `Overlay` has them all (the engine in the same thread: way (a)); anything else
 * that offers them with the same meaning can stand in for it.
 */

/** The stat fields Emscripten writes into the program's `struct stat`. */
export interface SyncStats {
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
  atime: Date;
  mtime: Date;
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
  lstatSync(path: string): SyncStats;
  readdirSync(path: string): string[];
  readlinkSync(path: string): string;
  mkdirSync(path: string, options: { mode: number }): unknown;
  symlinkSync(target: string, path: string): void;
  unlinkSync(path: string): void;
  rmdirSync(path: string): void;
  renameSync(oldPath: string, newPath: string): void;
  chmodSync(path: string, mode: number): void;
  lchmodSync(path: string, mode: number): void;
  utimesSync(path: string, atime: Date, mtime: Date): void;
  lutimesSync(path: string, atime: Date, mtime: Date): void;
  truncateSync(path: string, len: number): void;
  openSync(path: string, flags: number, mode?: number): number;
  closeSync(fd: number): void;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fstatSync(fd: number): SyncStats;
  ftruncateSync(fd: number, len: number): void;
  fchmodSync(fd: number, mode: number): void;
  futimesSync(fd: number, atime: Date, mtime: Date): void;
}
