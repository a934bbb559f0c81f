/**
 * `@vellum/worker` — the overlay engine in a Web Worker or a worker_threads worker,
 * behind a client with `Overlay`'s async API (Comlink, transferred buffers, bulk
 * calls, events), and synchronous access for other workers.
 *
 * @module
 */

// The layer descriptors are `@vellum/core`'s, re-exported so a page needs one import.
export type {
  HttpLowerDescriptor,
  IdbUpperDescriptor,
  LowerDescriptor,
  MemoryLowerDescriptor,
  MemoryUpperDescriptor,
  UpperDescriptor,
  ZipData,
  ZipLowerDescriptor,
} from '@vellum/core';
// Types only: both come from createOverlayWorker (and open()); their constructors take internals.
export {
  type ChangeDetail,
  connectOverlay,
  type OverlayClient,
  type WalkEntry,
  type WriteEntry,
} from './client.js';
export { createOverlayWorker, type NodeWorkerLike, type OverlayWorkerOptions } from './create.js';
export type { EngineOptions } from './descriptors.js';
export { RemoteError, WorkerGoneError } from './errors.js';
export type { OverlayEvent, OverlayEventMap, OverlayEventType } from './events.js';
export type { FileHandle, ReadResult, WriteResult } from './file-handle.js';
export type { ProgressDetail, RemoteChangeDetail, WarningDetail } from './layer-events.js';
export type { PathLike } from './path.js';
export { Dirent, Stats } from './stats.js';
export { type ConnectSyncOptions, connectSync, type SyncOverlay, type SyncPort } from './sync-client.js';
export type { WriteData } from './write-data.js';
