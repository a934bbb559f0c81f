/** The messages between the client and the worker, beyond Comlink's own framing. */
import type { BaseChange } from '@vellum/core';
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
  /** The `kind` of the cause, where it has one (`'store-lost'`, `'store-rolled-back'` of a `StoreLossError`). */
  causeKind?: string;
}

/**
 * Every call answers with an envelope instead of throwing through Comlink, because
 * Comlink's error serialization keeps only `name`, `message` and `stack`.
 */
export type Reply = { ok: true; value: unknown } | { ok: false; error: WireError };

/**
 * What the worker exposes through Comlink: the calls made once (init, shutdown) and
 * the baseline. Operations take the leaner path of {@link WireCall} on the same port.
 */
export interface WorkerService {
  /** Builds the overlay; `lock` names a Web Lock the worker holds for as long as it lives. */
  init(options: WireInit, lock?: string): Promise<Reply>;
  /** Does nothing: the bench's baseline for a bare Comlink round trip. */
  noop(): void;
  /** Commits what is queued and closes the upper's connections: the step before termination. */
  shutdown(): Promise<void>;
}

/**
 * One operation (an `Overlay` method, a file-handle method `fh.*`, or a bulk call) as
 * it crosses. Operations bypass Comlink: its per-call proxy, random string ids and
 * argument wrapping cost more than a `stat` itself (see bench/RESULTS.md, `worker`).
 */
export const CALL_TAG = '__vellum_call__';
export const ANSWER_TAG = '__vellum_answer__';

export interface WireCall {
  [CALL_TAG]: number;
  op: string;
  args: unknown[];
}

export interface WireAnswer {
  [ANSWER_TAG]: number;
  reply: Reply;
}

export function isWireCall(data: unknown): data is WireCall {
  return typeof data === 'object' && data !== null && CALL_TAG in data;
}

export function isWireAnswer(data: unknown): data is WireAnswer {
  return typeof data === 'object' && data !== null && ANSWER_TAG in data;
}

/** What `init` answers: what the engine found when it opened the upper. */
export interface WireOpened {
  baseChanges: readonly BaseChange[];
  /** The upper only reads: another tab holds the workspace's writer lock (`whenLocked: 'read-only'`). */
  readOnly: boolean;
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
