/** Errors across the boundary: flattened in the worker, re-created with the same shape on the client. */
import type { WireError } from './protocol.js';

const FIELDS = ['code', 'errno', 'syscall', 'path', 'dest'] as const;

/** Worker side: the fields of any thrown value that a caller can match on. */
export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const out: WireError = { name: error.name, message: error.message };
  const e = error as Error & Partial<Record<(typeof FIELDS)[number], unknown>>;
  if (typeof e.code === 'string') out.code = e.code;
  if (typeof e.errno === 'number') out.errno = e.errno;
  if (typeof e.syscall === 'string') out.syscall = e.syscall;
  if (typeof e.path === 'string') out.path = e.path;
  if (typeof e.dest === 'string') out.dest = e.dest;
  if (error.stack !== undefined) out.stack = error.stack;
  if (error.cause !== undefined)
    out.cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
  return out;
}

/**
 * An error the engine raised in the worker, re-created on the client with the same
 * `name`, `message`, `code`, `errno`, `syscall`, `path` and `dest` (Node's fs shape).
 * Its stack is the caller's; `workerStack` is where it was thrown.
 */
export class RemoteError extends Error {
  declare code?: string;
  declare errno?: number;
  declare syscall?: string;
  declare path?: string;
  declare dest?: string;
  /** The stack in the worker, for debugging. */
  declare workerStack?: string;
}

/** Client side: the error to throw for a failed call. */
export function fromWireError(wire: WireError): RemoteError {
  const options = wire.cause === undefined ? undefined : { cause: new Error(wire.cause) };
  const error = new RemoteError(wire.message, options);
  error.name = wire.name;
  for (const field of FIELDS) {
    const value = wire[field];
    if (value !== undefined) Object.assign(error, { [field]: value });
  }
  if (wire.stack !== undefined) error.workerStack = wire.stack;
  return error;
}

/**
 * What every pending and later call rejects with once the worker is gone
 * (terminated, crashed, or closed with `fs.close()`).
 */
export class WorkerGoneError extends Error {
  readonly code = 'ERR_VELLUM_WORKER_GONE';
  constructor(reason: string, op?: string) {
    super(
      `@vellum/worker: the overlay worker ${reason}${op === undefined ? '' : `; the call ${op}() cannot complete`}`,
    );
    this.name = 'WorkerGoneError';
  }
}
