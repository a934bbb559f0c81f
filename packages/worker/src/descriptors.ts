/**
 * What `createOverlayWorker` sends to its worker: the layer descriptors of
 * `@vellum/core` (layers hold functions and caches, which cannot cross a
 * `postMessage`; their descriptors can) and the engine options that are data.
 */
import type { LowerDescriptor, UpperDescriptor } from '@vellum/core';

/** The engine options that are plain data (see `OverlayOptions` of `@vellum/core`). */
export interface EngineOptions {
  /** Bytes per copy-on-write chunk (default 64 KiB). */
  chunkSize?: number;
  /** Applied to the mode of every new file and directory (default 0o022). */
  umask?: number;
  /** Owner of new objects (default 0). */
  uid?: number;
  /** Group of new objects (default 0). */
  gid?: number;
  /**
   * What to do when the upper was built on lowers with other identities:
   * `'refuse'` (default) fails with EINVAL; `'open'` opens anyway (see `baseChanges`).
   */
  onLowerChange?: 'refuse' | 'open';
}

/**
 * The init message: core descriptors as they cross. Tree literals are flattened to
 * `entries` on the sending side, because `postMessage` drops the symbol that marks
 * `file()`/`dir()` helper results, and URLs are made absolute against the page.
 */
export interface WireInit extends EngineOptions {
  lowers: LowerDescriptor[];
  upper: UpperDescriptor;
}
