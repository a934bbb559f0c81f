/** Errors as the ZenFS VFS (and its callers) read them. */
import { FsError } from '@vellum/core';

/**
 * Makes an engine error read right inside ZenFS:
 * - `errno` positive, as ZenFS's own errors (kerium) have it: its VFS rewrites
 *   messages from a table indexed by errno, and Node's negative one finds nothing.
 * - The reason of an EAGAIN (which layer would have to wait, and what to do:
 *   preload or the async API) is in the engine's `cause`; ZenFS shows `message`
 *   only and rewrites it to the bare "resource temporarily unavailable", so the
 *   reason is kept in the message across that rewrite.
 */
export function explain(error: unknown): unknown {
  if (!(error instanceof FsError)) return error;
  if (error.errno < 0) Object.defineProperty(error, 'errno', { value: -error.errno });
  const reason = error.code === 'EAGAIN' && error.cause instanceof Error ? error.cause.message : undefined;
  if (reason === undefined) return error;
  const keep = (text: string): string => (text.includes(reason) ? text : `${text} (${reason})`);
  let text = keep(error.message);
  // kerium's setUVMessage assigns a fresh message; the accessor puts the reason back on it.
  Object.defineProperty(error, 'message', {
    get: () => text,
    set: (value: string) => {
      text = keep(value);
    },
    configurable: true,
  });
  return error;
}

/** Runs a synchronous body, rethrowing its error as {@link explain} makes it. */
export function explained<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw explain(error);
  }
}

/** The same for a promise. */
export async function explainedAsync<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
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
