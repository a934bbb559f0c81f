/**
 * Node-style errors for the wasm core: `code`, `errno`, `syscall`, optional `path`, and a
 * `cause` that says which entry (or which part of a zip) was at fault.
 */

const ERRNO = {
  ENOENT: 2,
  EIO: 5,
  EBADF: 9,
  ENOMEM: 12,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENAMETOOLONG: 36,
  ENOTEMPTY: 39,
  ELOOP: 40,
} as const;

export type WasmErrorCode = keyof typeof ERRNO;

const DESCRIPTION: Record<WasmErrorCode, string> = {
  ENOENT: 'no such file or directory',
  EIO: 'i/o error',
  EBADF: 'bad file descriptor',
  ENOMEM: 'not enough memory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  EINVAL: 'invalid argument',
  ENAMETOOLONG: 'name too long',
  ENOTEMPTY: 'directory not empty',
  ELOOP: 'too many symbolic links encountered',
};

/**
 * An error shaped like the ones `node:fs/promises` throws.
 *
 * @example
 * ```ts
 * try { await ZipDirectory.fromBytes(bytes); }
 * catch (e) { if (e instanceof WasmFsError && e.code === 'EIO') console.log(e.cause); }
 * ```
 */
export class WasmFsError extends Error {
  readonly code: WasmErrorCode;
  readonly errno: number;
  readonly syscall: string;
  readonly path?: string;

  constructor(code: WasmErrorCode, syscall: string, path?: string, options?: { cause?: unknown }) {
    let message = `${code}: ${DESCRIPTION[code]}, ${syscall}`;
    if (path !== undefined) message += ` '${path}'`;
    super(message, options);
    this.name = 'Error';
    this.code = code;
    this.errno = -ERRNO[code];
    this.syscall = syscall;
    if (path !== undefined) this.path = path;
  }
}

const CODES: readonly (WasmErrorCode | undefined)[] = [
  undefined,
  'EEXIST',
  'ENOENT',
  'ENOTDIR',
  'EINVAL',
  'EISDIR',
  'ENOTEMPTY',
];

/** The error for a negative result of an index operation. */
export function indexError(result: number, syscall: string, path?: string, why?: string): WasmFsError {
  const code = CODES[-result] ?? 'EIO';
  return new WasmFsError(code, syscall, path, why === undefined ? undefined : { cause: new Error(why) });
}
