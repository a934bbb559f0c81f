/** The messages between the client and the worker, beyond Comlink's own framing. */
import type { WireInit } from './descriptors.js';

/** An error as it crosses: every field Node's fs errors carry, plus where it came from. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  dest?: string;
  stack?: string;
  /** The message of the error's `cause` (a layer's own failure), if any. */
  cause?: string;
}

/**
 * Every call answers with an envelope instead of throwing through Comlink, because
 * Comlink's error serialization keeps only `name`, `message` and `stack`.
 */
export type Reply = { ok: true; value: unknown } | { ok: false; error: WireError };

/** What the worker exposes through Comlink. */
export interface WorkerService {
  /** Builds the overlay; `lock` names a Web Lock the worker holds for as long as it lives. */
  init(options: WireInit, lock?: string): Promise<Reply>;
  /** One operation: an `Overlay` method, a file-handle method (`fh.*`) or a bulk call. */
  invoke(op: string, args: unknown[]): Promise<Reply>;
  /** Does nothing: the bench's baseline for a bare Comlink round trip. */
  noop(): void;
  /** Commits what is queued and closes the upper's connections: the step before termination. */
  shutdown(): Promise<void>;
}

/** Marks an event message the worker posts on the Comlink endpoint (Comlink ignores it: no id). */
export const EVENT_TAG = '__vellum_event__';

export interface WireEvent {
  [EVENT_TAG]: true;
  type: string;
  detail: unknown;
}

export function isWireEvent(data: unknown): data is WireEvent {
  return typeof data === 'object' && data !== null && EVENT_TAG in data;
}

/** What `open` answers: the worker's handle id and the engine's fd number. */
export interface WireHandle {
  id: number;
  fd: number;
}

/** A directory entry as it crosses (`Dirent` keeps its kind in a private field). */
export interface WireDirent {
  name: string;
  parentPath: string;
  kind: 'file' | 'dir' | 'symlink';
  ino: number;
}
