import { type ErrorCode, FsError } from '@vellum/core';

/**
 * A Node-shaped error whose message also says why, in words (`FsError` alone keeps Node's
 * terse `CODE: description, syscall 'path'`; the reason is what a user acts on).
 */
export function fsErrorWithReason(
  code: ErrorCode,
  syscall: string,
  path: string | undefined,
  reason: string,
  cause?: unknown,
): FsError {
  const error = new FsError(code, syscall, path, undefined, {
    cause: cause ?? new Error(reason),
  });
  error.message += ` (${reason})`;
  return error;
}
