/**
 * @vellum/worker — the overlay engine in a Web Worker or a worker_threads worker,
 * behind a client with `Overlay`'s async API (Comlink, transferred buffers, bulk
 * calls, events), and synchronous access for other workers.
 */

export type { ChangeDetail, WalkEntry, WriteEntry } from './client.js';
export { OverlayClient } from './client.js';
export { createOverlayWorker, type OverlayWorkerOptions } from './create.js';
export type {
  EngineOptions,
  HttpLowerDescriptor,
  IndexedDBUpperDescriptor,
  LowerDescriptor,
  MemoryLayerDefaults,
  MemoryLowerDescriptor,
  MemoryUpperDescriptor,
  NetworkDescriptorOptions,
  UpperDescriptor,
  ZipDescriptorOptions,
  ZipLowerDescriptor,
} from './descriptors.js';
export { RemoteError, WorkerGoneError } from './errors.js';
export type { OverlayEvent, OverlayEventMap, OverlayEventType } from './events.js';
export { FileHandle, type ReadResult, type WriteResult } from './file-handle.js';
export type { ProgressDetail, RemoteChangeDetail, WarningDetail } from './layer-events.js';
export type { PathLike } from './path.js';
export { type ExposeOverlayOptions, exposeOverlay } from './server.js';
export { Dirent, Stats } from './stats.js';
export { type ConnectSyncOptions, connectSync, type SyncOverlay, type SyncPort } from './sync-client.js';
export type { WriteData } from './write-data.js';
