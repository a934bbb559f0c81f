/** Errors as the ZenFS VFS (and its callers) read them. */
import { FsError } from '@vellum/core';

/**
 * The engine puts the reason of an EAGAIN (which layer would have to wait, and
 * what to do about it) in `cause`; ZenFS shows only `message`, so a sync caller
 * would see a bare "resource temporarily unavailable". This folds the reason in.
 */
export function explain(error: unknown): unknown {
  if (!(error instanceof FsError) || error.code !== 'EAGAIN') return error;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  if (cause === undefined || error.message.includes(cause)) return error;
  error.message = `${error.message}: ${cause}`;
  return error;
}

/** Runs a synchronous body, rethrowing its error with the reason folded in. */
export function explained<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw explain(error);
  }
}

/** The error a sync call gets before the overlay has opened (its layers are read asynchronously). */
export function notReady(syscall: string, path: string): FsError {
  return new FsError('EAGAIN', syscall, path, undefined, {
    cause: new Error(
      'the Vellum overlay is still opening its layers: await fs.ready() (configure() does) before sync calls',
    ),
  });
}
