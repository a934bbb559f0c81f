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
  const kind = (error.cause as { kind?: unknown } | undefined)?.kind;
  if (typeof kind === 'string') out.causeKind = kind;
  return out;
}

/**
 * An error the engine raised in the worker, re-created on the client with the same
 * `name`, `message`, `code`, `errno`, `syscall`, `path` and `dest` (Node's fs shape).
 * Its stack is the caller's; `workerStack` is where it was thrown.
 *
 * @example
 * ```ts
 * try {
 *   await fs.readFile('/missing.txt');
 * } catch (error) {
 *   if (error instanceof RemoteError && error.code === 'ENOENT') console.log(error.message);
 * }
 * ```
 */
export class RemoteError extends Error {
  /** Node's error code (`'ENOENT'`, `'EEXIST'`, …), as the engine's `FsError` had it. */
  declare code?: string;
  /** The negated Linux errno, as Node reports it. */
  declare errno?: number;
  /** The system call that failed, as Node names it. */
  declare syscall?: string;
  /** The path the call was given. */
  declare path?: string;
  /** The second path of a two-path call (`rename`, `link`, `copyFile`). */
  declare dest?: string;
  /** The stack in the worker, for debugging. */
  declare workerStack?: string;
}

/** Client side: the error to throw for a failed call. */
export function fromWireError(wire: WireError): RemoteError {
  // The cause's kind (a lost store's) stays matchable: `error.cause.kind === 'store-lost'`.
  const cause =
    wire.cause === undefined
      ? undefined
      : Object.assign(new Error(wire.cause), wire.causeKind && { kind: wire.causeKind });
  const options = cause === undefined ? undefined : { cause };
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
 *
 * @example
 * ```ts
 * await fs.close();
 * await fs.stat('/').catch((e) => e instanceof WorkerGoneError); // true
 * ```
 */
export class WorkerGoneError extends Error {
  /** Always `'ERR_VELLUM_WORKER_GONE'`. */
  readonly code = 'ERR_VELLUM_WORKER_GONE';
  /** @internal Made by the client when the worker ends. */
  constructor(reason: string, op?: string) {
    super(
      `@vellum/worker: the overlay worker ${reason}${op === undefined ? '' : `; the call ${op}() cannot complete`}`,
    );
    this.name = 'WorkerGoneError';
  }
}
