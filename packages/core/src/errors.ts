/**
 * Node-shaped filesystem errors: `code`, `errno`, `syscall`, `path`, `dest`, and a
 * message in Node's own format, so code written against `node:fs/promises` can
 * match on them unchanged.
 */

/** Linux errno numbers (Node reports them negated, as libuv does). */
const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EAGAIN: 11,
  EBADF: 9,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENOSPC: 28,
  EROFS: 30,
  ENAMETOOLONG: 36,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ETIMEDOUT: 110,
} as const;

/**
 * The error codes an overlay throws, Node's names for Linux's errnos.
 *
 * @useDeclaredType
 */
export type ErrorCode = keyof typeof ERRNO;

const DESCRIPTION: Record<ErrorCode, string> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EIO: 'i/o error',
  EAGAIN: 'resource temporarily unavailable',
  EBADF: 'bad file descriptor',
  EACCES: 'permission denied',
  EBUSY: 'resource busy or locked',
  EEXIST: 'file already exists',
  EXDEV: 'cross-device link not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  EINVAL: 'invalid argument',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'name too long',
  ENOTEMPTY: 'directory not empty',
  ELOOP: 'too many symbolic links encountered',
  ETIMEDOUT: 'connection timed out',
};

/**
 * An error as thrown by `node:fs/promises`, with an optional `cause` from a layer.
 *
 * @example
 * ```ts
 * try {
 *   await ov.readFile('/missing.txt');
 * } catch (error) {
 *   if (error instanceof FsError && error.code === 'ENOENT') console.log(error.message); // ENOENT: no such file or directory, open '/missing.txt'
 * }
 * ```
 */
export class FsError extends Error {
  /** Node's error code (`'ENOENT'`, `'EEXIST'`, …): what to match on. */
  readonly code: ErrorCode;
  /** The negated Linux errno, as Node reports it (`-2` for ENOENT). */
  readonly errno: number;
  /** The system call that failed, as Node names it (`'open'`, `'scandir'`, `'rename'`, …). */
  readonly syscall: string;
  /** The path the call was given, when it had one. */
  readonly path?: string;
  /** The second path of a two-path call (`rename`, `link`, `copyFile`). */
  readonly dest?: string;

  /** Makes an error with Node's message format: `CODE: description, syscall 'path' -> 'dest'`. */
  constructor(code: ErrorCode, syscall: string, path?: string, dest?: string, options?: { cause?: unknown }) {
    let message = `${code}: ${DESCRIPTION[code]}, ${syscall}`;
    if (path !== undefined) message += ` '${path}'`;
    if (dest !== undefined) message += ` -> '${dest}'`;
    super(message, options);
    this.name = 'Error';
    this.code = code;
    this.errno = -ERRNO[code];
    this.syscall = syscall;
    if (path !== undefined) this.path = path;
    if (dest !== undefined) this.dest = dest;
  }
}

/** Node's `rm` on a directory without `recursive` throws this SystemError code. */
export class RmDirectoryError extends Error {
  readonly code = 'ERR_FS_EISDIR';
  readonly errno = ERRNO.EISDIR;
  readonly syscall = 'rm';
  readonly path: string;
  constructor(path: string) {
    super(`Path is a directory: rm returned EISDIR (is a directory) ${path}`);
    this.name = 'SystemError';
    this.path = path;
  }
}

/** True for an error carrying the given Node error code. */
export function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** How a persistent store lost acknowledged work: gone (missing or empty), or older than its mark. */
export type StoreLossKind = 'store-lost' | 'store-rolled-back';

/**
 * The `cause` of the EIO an upper fails to open with when its store lost work it had
 * acknowledged: the browser deleted the database (Chromium does, after finding its LevelDB
 * log torn by a crash) or it holds less than the commit mark kept outside it says it did.
 *
 * @example
 * ```ts
 * try {
 *   await Overlay.create({ lowers: [template], upper: new IndexedDBUpper({ name: 'lesson-1' }) });
 * } catch (error) {
 *   const cause = (error as FsError).cause;
 *   if (cause instanceof StoreLossError) console.log(cause.kind, cause.lastSeq, new Date(cause.lastTimeMs));
 * }
 * ```
 */
export class StoreLossError extends Error {
  /** `'store-lost'`: the store is missing or empty; `'store-rolled-back'`: it is older than its mark. */
  readonly kind: StoreLossKind;
  /** The store (`vellum-upper:<name>` for IndexedDB). */
  readonly store: string;
  /** The last commit the mark knows of. */
  readonly lastSeq: number;
  /** When that commit was made (ms since the epoch; NaN when only its number is known). */
  readonly lastTimeMs: number;
  /** The last commit the store holds (0: none). */
  readonly foundSeq: number;

  /** Says what was lost, naming the last known commit and its time. */
  constructor(kind: StoreLossKind, store: string, last: { seq: number; timeMs: number }, foundSeq: number) {
    // A mirror knows the last commit's number but not always its time.
    const when = Number.isFinite(last.timeMs) ? new Date(last.timeMs).toISOString() : 'an unknown time';
    const what =
      kind === 'store-lost'
        ? `is gone (missing or empty)`
        : `was rolled back: it holds commits up to #${foundSeq} only`;
    super(
      `${kind}: the store '${store}' ${what}, but commit #${last.seq} of ${when} was acknowledged ` +
        '(the browser deleted or reset it); nothing was opened or created in its place',
    );
    this.name = 'StoreLossError';
    this.kind = kind;
    this.store = store;
    this.lastSeq = last.seq;
    this.lastTimeMs = last.timeMs;
    this.foundSeq = foundSeq;
  }
}

/** The EIO (syscall `open`, path: the store) whose cause says what the store lost. */
export function storeLoss(
  kind: StoreLossKind,
  store: string,
  last: { seq: number; timeMs: number },
  foundSeq: number,
): FsError {
  return new FsError('EIO', 'open', store, undefined, {
    cause: new StoreLossError(kind, store, last, foundSeq),
  });
}
