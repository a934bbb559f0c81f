/** How a network layer reports a failed read: the Node-shaped error the engine passes on. */
import { FsError } from '../errors.js';
import { HttpError } from './fetcher.js';

/**
 * `error` as the error a layer throws for `path`: ETIMEDOUT for a timeout, EIO with the
 * failure as `cause` for anything else. An abort passes through unchanged (it is the caller's
 * own signal's reason), and so does an FsError.
 */
export function layerError(error: unknown, syscall: string, path: string, signal?: AbortSignal): unknown {
  if (error instanceof FsError) return error;
  if (signal?.aborted && error === signal.reason) return error;
  if (error instanceof HttpError && error.kind === 'timeout') {
    return new FsError('ETIMEDOUT', syscall, path, undefined, { cause: error });
  }
  return new FsError('EIO', syscall, path, undefined, { cause: error });
}

/** EIO for `path`, with a plain Error saying why as the cause. */
export function eio(syscall: string, path: string, why: string, cause?: unknown): FsError {
  return new FsError('EIO', syscall, path, undefined, {
    cause: cause === undefined ? new Error(why) : new Error(why, { cause }),
  });
}
