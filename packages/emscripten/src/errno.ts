import type { EmscriptenFS } from './emscripten-types.js';

/**
 * Emscripten's errno numbers (the WASI numbering it has used since 1.39, the values of its
 * `ERRNO_CODES`), for the codes an overlay throws and the few this adapter raises itself.
 * They differ from Linux's: ENOENT is 44 here, 2 there.
 */
export const EMSCRIPTEN_ERRNO = {
  EACCES: 2,
  EAGAIN: 6,
  EBADF: 8,
  EBUSY: 10,
  EEXIST: 20,
  EINVAL: 28,
  EIO: 29,
  EISDIR: 31,
  ELOOP: 32,
  EMLINK: 34,
  ENAMETOOLONG: 37,
  ENODEV: 43,
  ENOENT: 44,
  ENOSPC: 51,
  ENOSYS: 52,
  ENOTDIR: 54,
  ENOTEMPTY: 55,
  EPERM: 63,
  EROFS: 69,
  ETIMEDOUT: 73,
  EXDEV: 75,
  ENOTSUP: 138,
} as const;

/** A Node-style error code this adapter knows Emscripten's number for. */
export type EmscriptenErrnoName = keyof typeof EMSCRIPTEN_ERRNO;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs one overlay call and turns its Node-style failure (`code: 'ENOENT'`, …) into the
 * `FS.ErrnoError` Emscripten turns into the program's `errno`. A code without an Emscripten twin
 * becomes EIO; an error with no code at all is a bug, not a filesystem answer, and is rethrown.
 *
 * EAGAIN (the engine's "a layer would have to wait", from a `*Sync` call in way (a)) becomes EIO
 * too: on a regular file no program expects EAGAIN, and CPython's `FileIO.read` turns it into a
 * silent `None` (an import then fails with a TypeError far from the cause) where EIO raises.
 */
export function errnoCall<T>(FS: EmscriptenFS, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof FS.ErrnoError) throw error;
    const code = codeOf(error);
    if (code === undefined) throw error;
    const errno =
      code === 'EAGAIN'
        ? EMSCRIPTEN_ERRNO.EIO
        : (EMSCRIPTEN_ERRNO[code as EmscriptenErrnoName] ?? EMSCRIPTEN_ERRNO.EIO);
    const mapped = new FS.ErrnoError(errno);
    // Keep the overlay's message (path, syscall, a layer's cause) for whoever debugs it.
    (mapped as Error & { cause?: unknown }).cause = error;
    throw mapped;
  }
}
