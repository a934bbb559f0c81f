/**
 * Worker side: builds the overlay from the client's descriptors (through Comlink) and
 * answers its operations (tagged messages on the same port). Every answer is an
 * envelope (never a throw) so errors keep their Node shape, and every buffer in an
 * answer is transferred.
 */
import { Overlay, type UpperLayer } from '@vellum/core';
import { includeAllLayerTypes } from '@vellum/core/all-layer-types';
import { type Endpoint, expose } from 'comlink';
import { buildLowers, buildUpper } from './build-layers.js';
import { withoutCalls } from './comlink-filter.js';
import type { WireInit } from './descriptors.js';
import { toWireError } from './errors.js';
import { layerEvents } from './layer-events.js';
import { createOps, type Ops, type Out } from './ops.js';
import {
  ANSWER_TAG,
  CALL_TAG,
  EVENT_TAG,
  isWireCall,
  type Reply,
  type WireAnswer,
  type WireEvent,
  type WireOpened,
  type WorkerService,
} from './protocol.js';
import { serveSync } from './sync-server.js';

/** Posts an event to the client on the Comlink endpoint (Comlink ignores messages without an id). */
export type Emit = (type: string, detail: unknown) => void;

/** Holds a Web Lock until the worker ends, so the page learns of a termination it did not cause. */
function holdLock(name: string): Promise<void> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (locks === undefined) return Promise.resolve();
  return new Promise((granted) => {
    void locks.request(name, () => {
      granted();
      return new Promise<never>(() => {});
    });
  });
}

/**
 * Before the worker is terminated: what write-back still queues is committed, and an
 * upper holding a connection (IndexedDB) closes it, so another tab or a new worker can
 * open (or delete) the same database at once instead of waiting for the browser to
 * notice the dead worker. `UpperLayer` has no `close` of its own yet, hence the probe.
 */
async function closeUpper(ov: Overlay, upper: UpperLayer): Promise<void> {
  try {
    await ov.sync();
  } finally {
    await (upper as { close?: () => Promise<void> }).close?.();
  }
}

/** An operation's envelope for the wire, and the buffers to move with it. */
export interface Answer {
  reply: Reply;
  transfer?: Transferable[];
}

/** Runs one operation and wraps its result (or failure) for the wire. */
export async function run(ops: Ops, op: string, args: readonly unknown[], emit: Emit): Promise<Answer> {
  let out: Out;
  try {
    const handler = Object.hasOwn(ops, op) ? ops[op] : undefined;
    if (handler === undefined) throw new TypeError(`@vellum/worker: unknown operation ${op}`);
    out = await handler(args);
  } catch (error) {
    return { reply: { ok: false, error: toWireError(error) } };
  }
  // Announced before the answer, on the same port, so a listener has seen it when the call resolves.
  if (out.changed !== undefined && out.changed.length > 0) emit('change', { op, paths: out.changed });
  return { reply: { ok: true, value: out.value }, transfer: out.transfer };
}

const NOT_BUILT: Answer = {
  reply: {
    ok: false,
    error: { name: 'Error', message: '@vellum/worker: the overlay is not built yet (init first)' },
  },
};

/**
 * Answers the operations that arrive on `endpoint` (the worker's own, or a port handed
 * out by `OverlayClient.port()`). Events go to `emit`, the first client's endpoint,
 * whichever port caused them: that client is the one that shows them.
 */
function answerCalls(endpoint: Endpoint, current: () => Ops | undefined, emit: Emit): void {
  endpoint.addEventListener('message', (event) => {
    const call = (event as MessageEvent).data;
    if (!isWireCall(call)) return;
    const id = call[CALL_TAG];
    const ops = current();
    const answered = ops === undefined ? Promise.resolve(NOT_BUILT) : run(ops, call.op, call.args, emit);
    void answered.then(({ reply, transfer }) => {
      const answer: WireAnswer = { [ANSWER_TAG]: id, reply };
      endpoint.postMessage(answer, transfer);
    });
  });
}

/** Options of {@link exposeOverlay}. */
export interface ExposeOverlayOptions {
  /**
   * Called once the overlay is built (before `createOverlayWorker` resolves), with the
   * engine itself: code in the same worker (a WASI program, a language server, a
   * measurement) can use it directly, without crossing the boundary. It is the overlay
   * the client's calls run on, so what either side changes, the other sees.
   */
  onReady?: (overlay: Overlay) => void;
}

/**
 * Serves an overlay on `target`, a worker's global scope (`self`) or any Comlink endpoint (a
 * `MessagePort`): what a worker's entry module calls. The entries
 * this package ships (`entry-web.ts`, `entry-node.ts`) do exactly this; call it
 * yourself in a worker you bundle on your own.
 *
 * @example
 * ```ts
 * // my-worker.ts (a module worker)
 * import { exposeOverlay } from '@vellum/worker/server';
 * let overlay: Overlay | undefined; // optional: the served engine, for code in this worker
 * exposeOverlay(self, { onReady: (ov) => void (overlay = ov) });
 * // page: createOverlayWorker({ lowers, upper, worker: new Worker(new URL('./my-worker.ts', import.meta.url), { type: 'module' }) })
 * ```
 */
export function exposeOverlay(
  target: Endpoint | typeof globalThis,
  { onReady }: ExposeOverlayOptions = {},
): void {
  // A worker's `self` is typed as a Window under the DOM lib (most apps' setting): at run time it
  // is the worker's global scope, which is an Endpoint.
  const endpoint = target as Endpoint;
  // The worker is the engine's bundle: every layer kind in it, statically, so it is one chunk
  // (a bundler's classic worker format, Vite's default, cannot load split chunks).
  includeAllLayerTypes();
  let ops: Ops | undefined;
  let release: (() => Promise<void>) | undefined;
  const emit: Emit = (type, detail) => {
    const event: WireEvent = { [EVENT_TAG]: true, type, detail };
    endpoint.postMessage(event);
  };
  const service: WorkerService = {
    async init(options: WireInit, lock?: string): Promise<Reply> {
      try {
        if (ops !== undefined) throw new Error('@vellum/worker: this worker already serves an overlay');
        const events = layerEvents(emit);
        const [lowers, upper] = await Promise.all([
          buildLowers(options.lowers, events),
          buildUpper(options.upper, events),
        ]);
        const ov = await Overlay.create({
          lowers,
          upper,
          chunkSize: options.chunkSize,
          umask: options.umask,
          uid: options.uid,
          gid: options.gid,
          onLowerChange: options.onLowerChange,
        });
        const table = createOps(ov);
        table.attachSync = async (args) => {
          serveSync(args[0] as MessagePort, table, emit);
          return { value: undefined };
        };
        table.ping = async () => ({ value: undefined });
        table.attachPort = async (args) => {
          const port = args[0] as MessagePort;
          answerCalls(port, () => ops, emit);
          port.start();
          return { value: undefined };
        };
        ops = table;
        release = () => closeUpper(ov, upper);
        onReady?.(ov);
        // The last progress figures of the listings arrive before the answer to init.
        events.flush();
        if (lock !== undefined) await holdLock(lock);
        // Only an IndexedDB upper opened with `whenLocked` can be read-only; it knows once loaded.
        const readOnly = 'readOnly' in upper && upper.readOnly === true;
        const value: WireOpened = { baseChanges: ov.baseChanges, readOnly };
        return { ok: true, value };
      } catch (error) {
        return { ok: false, error: toWireError(error) };
      }
    },
    noop(): void {},
    async shutdown(): Promise<void> {
      await release?.();
    },
  };
  answerCalls(endpoint, () => ops, emit);
  expose(service, withoutCalls(endpoint));
}
