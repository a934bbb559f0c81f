/**
 * Serializable descriptions of layers: what a page sends to the worker so the
 * worker can build the real layers itself (layers hold functions and caches,
 * which cannot cross a `postMessage`).
 */
import type { MemoryEntry, Tree } from '@vellum/core';

/** Metadata defaults of a memory lower, as `MemoryLayer.fromTree`'s options. */
export interface MemoryLayerDefaults {
  /** Layer identity; by default a digest of the content. */
  id?: string;
  /** Default times for entries that do not give one. */
  mtimeMs?: number;
  uid?: number;
  gid?: number;
}

/** A lower held in the worker's memory, from a tree literal (`file`, `dir`, … helpers allowed). */
export interface MemoryLowerDescriptor extends MemoryLayerDefaults {
  type: 'memory';
  tree: Tree;
}

/**
 * The plain-data part of the network layers' options (`NetworkOptions` of
 * `@vellum/core/http` without `fetch`, `signal`, `meter` and `onProgress`, which
 * cannot cross: the worker reports progress as `progress` events instead).
 */
export interface NetworkDescriptorOptions {
  retries?: number;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  timeoutMs?: number;
  concurrency?: number;
  headers?: Record<string, string>;
}

/** The plain-data options of `ZipLayer.open` (see `ZipLayerOptions`). */
export interface ZipDescriptorOptions extends NetworkDescriptorOptions {
  id?: string;
  whiteouts?: 'none' | 'oci';
  maxEntrySize?: number;
  maxCompressionRatio?: number;
  cacheBytes?: number;
  overRead?: number;
  rangedAbove?: number;
  inflate?: 'auto' | 'native' | 'fflate';
  tailSize?: number;
  coalesceGap?: number;
  maxCoalesced?: number;
  uid?: number;
  gid?: number;
}

/**
 * A zip archive as a lower (`ZipLayer` of `@vellum/core/zip`), read lazily by HTTP
 * Range from `url` (resolved against the page, not the worker script), or from bytes
 * or a Blob the page already has (`data`: cloned to the worker; a Blob is not read).
 * Entries left out and a server without Range support arrive as `warning` events.
 */
export type ZipLowerDescriptor = ZipDescriptorOptions & { type: 'zip' } & (
    | { url: string | URL; data?: undefined }
    | { data: Blob | ArrayBuffer | Uint8Array; url?: undefined }
  );

/** A static directory described by its `vellum.json` (`HttpLayer` of `@vellum/core/http`). */
export interface HttpLowerDescriptor extends NetworkDescriptorOptions {
  type: 'http';
  /** The directory's base URL (resolved against the page, not the worker script). */
  url: string | URL;
  manifest?: string;
  cacheBytes?: number;
  integrity?: boolean;
  id?: string;
  uid?: number;
  gid?: number;
}

/** Every kind of lower a worker can build. */
export type LowerDescriptor = MemoryLowerDescriptor | ZipLowerDescriptor | HttpLowerDescriptor;

/** A writable layer held in the worker's memory (gone when the worker ends). */
export interface MemoryUpperDescriptor {
  type: 'memory';
}

/**
 * The persistent upper on IndexedDB (`IndexedDBUpper` of `@vellum/core/idb`): one
 * database per `name`, opened in the worker. `close()` on the client commits what
 * write-back still queues and closes the connection before the worker ends.
 */
export interface IndexedDBUpperDescriptor {
  type: 'idb';
  name: string;
  /** Group commits (see `IndexedDBUpperOptions.writeBack`); `sync()` is the barrier. */
  writeBack?: boolean | { delayMs?: number; maxOps?: number; maxBytes?: number };
  durability?: 'default' | 'strict' | 'relaxed';
  /**
   * Several tabs (or workers) on one workspace (see `IndexedDBUpperOptions.whenLocked`):
   * the first to open writes, another opens read-only (EROFS on writes) or waits until
   * the writer's `close()`. A read-only one applies each of the writer's commits to its
   * view (no reopening; inode numbers kept) and then emits a `remote-change` event.
   */
  whenLocked?: 'read-only' | 'wait';
  /**
   * Fail with ENOENT instead of creating the database when it does not exist (see
   * `IndexedDBUpperOptions.mustExist`): for reopening a workspace that was saved before.
   */
  mustExist?: boolean;
}

/** Every kind of upper a worker can build. */
export type UpperDescriptor = MemoryUpperDescriptor | IndexedDBUpperDescriptor;

/** The engine options that are plain data (see `OverlayOptions`). */
export interface EngineOptions {
  chunkSize?: number;
  umask?: number;
  uid?: number;
  gid?: number;
  onLowerChange?: 'refuse' | 'open';
}

/**
 * What crosses to the worker: tree literals are flattened on the sending side,
 * because `postMessage` drops the symbol that marks `file()`/`dir()` helper results;
 * URLs are strings resolved against the page.
 */
export type WireMemoryLower = { type: 'memory'; entries: MemoryEntry[] } & MemoryLayerDefaults;
export type WireZipLower = ZipDescriptorOptions & {
  type: 'zip';
  url?: string;
  data?: Blob | ArrayBuffer | Uint8Array;
};
export type WireHttpLower = Omit<HttpLowerDescriptor, 'url'> & { url: string };
export type WireLower = WireMemoryLower | WireZipLower | WireHttpLower;
/** A layer whose type this version does not know, kept so the worker can name it in its error. */
export type UnknownWire = { type: string };

export interface WireInit extends EngineOptions {
  lowers: (WireLower | UnknownWire)[];
  upper: UpperDescriptor | UnknownWire;
}
