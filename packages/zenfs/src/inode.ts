/** Vellum's `Stats` as the `InodeLike` record ZenFS's VFS keeps per vnode. */
import type { Stats } from '@vellum/core';
import type { InodeLike } from '@zenfs/core';

/**
 * A fresh, plain record: the VFS mutates the inode it is given (size, times,
 * mode) in its vnode cache, so it must never share an object with the engine.
 */
export function toInode(stats: Stats): InodeLike {
  return {
    ino: stats.ino,
    // ZenFS keys data by `data`; the engine's inode number is that key too.
    data: stats.ino,
    size: stats.size,
    mode: stats.mode,
    nlink: stats.nlink,
    uid: stats.uid,
    gid: stats.gid,
    atimeMs: stats.atimeMs,
    mtimeMs: stats.mtimeMs,
    ctimeMs: stats.ctimeMs,
    birthtimeMs: stats.birthtimeMs,
    rdev: 0,
    flags: 0,
    version: 0,
  };
}
