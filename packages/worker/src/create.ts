/** `createOverlayWorker`: start a worker, build the overlay in it, hand back the client. */
import type { LowerDescriptor, UpperDescriptor } from '@vellum/core';
import { OverlayClient } from './client.js';
import { type EngineOptions, type WireInit, wireLowers } from './descriptors.js';
import { detail } from './events.js';
import type { ProgressDetail, WarningDetail } from './layer-events.js';
import type { WorkerLink } from './link.js';
import { spawnWeb } from './spawn-web.js';

/**
 * A `worker_threads` Worker as far as this package uses it. Typed here, not with Node's own type,
 * so that a browser app's type check of this package needs no `@types/node`; a real
 * `worker_threads` Worker is one.
 *
 * @example
 * ```ts
 * import { Worker } from 'node:worker_threads';
 * const worker: NodeWorkerLike = new Worker(new URL('./my-worker.js', import.meta.url));
 * ```
 */
export interface NodeWorkerLike {
  /** Posts a message to the worker's `parentPort`. */
  postMessage(value: unknown, transferList?: readonly unknown[]): void;
  /** Listens for `message`, `error`, `exit` and `messageerror`. */
  on(event: string, listener: (...args: never[]) => void): unknown;
  /** Stops listening. */
  off(event: string, listener: (...args: never[]) => void): unknown;
  /** Ends the worker. */
  terminate(): Promise<number>;
}

/**
 * What {@link createOverlayWorker} takes: the layers as descriptors, the engine's settings,
 * an optional worker of your own, and listeners for what the lowers report while opening.
 *
 * @example
 * ```ts
 * const options: OverlayWorkerOptions = {
 *   lowers: [{ type: 'zip', url: '/template.zip' }],
 *   upper: { type: 'idb', name: 'lesson-1' },
 *   onWarning: (w) => console.warn(`lower ${w.layer}: ${w.message}`),
 * };
 * const fs = await createOverlayWorker(options);
 * ```
 */
export interface OverlayWorkerOptions extends EngineOptions {
  /** Read-only layers, topmost first, as serializable descriptors. */
  lowers: readonly LowerDescriptor[];
  /** The writable layer, as a serializable descriptor. */
  upper: UpperDescriptor;
  /**
   * A worker to use instead of starting one: a module Web Worker (in a page) or a
   * `worker_threads` Worker (under Node) whose module calls `exposeOverlay`.
   */
  worker?: Worker | NodeWorkerLike;
  /**
   * Download progress of the zip and HTTP lowers, from their listings on (the same as
   * the client's `progress` event, which can only be listened to once this resolves).
   */
  onProgress?: (event: ProgressDetail) => void;
  /** What a lower worked around (entries left out, no Range support), from its opening on. */
  onWarning?: (warning: WarningDetail) => void;
}

function toWire(options: OverlayWorkerOptions): WireInit {
  const { lowers, upper, worker: _worker, onProgress: _p, onWarning: _w, ...engine } = options;
  return { ...engine, lowers: wireLowers(lowers), upper };
}

const isNodeWorker = (w: unknown): w is NodeWorkerLike =>
  typeof w === 'object' && w !== null && typeof (w as { on?: unknown }).on === 'function';

async function link(worker: OverlayWorkerOptions['worker']): Promise<WorkerLink> {
  if (worker !== undefined && !isNodeWorker(worker)) return spawnWeb(worker);
  if (worker === undefined && typeof globalThis.Worker === 'function') return spawnWeb();
  // '#spawn-node' is a stub in browser builds (package.json `imports`), and loaded lazily under
  // Node: a page's bundle never contains node:worker_threads.
  const { spawnNode } = await import('#spawn-node');
  return spawnNode(worker);
}

/**
 * Starts the overlay engine in a worker (a module Web Worker in a page, a
 * `worker_threads` worker under Node) and returns a client with `Overlay`'s async API.
 * The layers are built in the worker from serializable descriptors; an unknown
 * descriptor type rejects with EINVAL naming it and the known kinds (and the worker is ended).

 *
 * @example
 * ```ts
 * import { createOverlayWorker } from '@vellum/worker';
 * const fs = await createOverlayWorker({
 *   lowers: [{ type: 'memory', tree: { src: { 'main.ts': 'export {}' } } }],
 *   upper: { type: 'memory' },
 * });
 * await fs.writeFile('/src/main.ts', 'export const x = 1');
 * const tree = await fs.walk('/');
 * fs.close();
 * ```
 */
export async function createOverlayWorker(options: OverlayWorkerOptions): Promise<OverlayClient> {
  const wire = toWire(options);
  const client = new OverlayClient(await link(options.worker));
  const { onProgress, onWarning } = options;
  if (onProgress) client.addEventListener('progress', (e) => onProgress(detail<ProgressDetail>(e)));
  if (onWarning) client.addEventListener('warning', (e) => onWarning(detail<WarningDetail>(e)));
  try {
    await client.init(wire);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}
