/**
 * What `createOverlayWorker` sends to its worker: the layer descriptors of
 * `@vellum/core` (layers hold functions and caches, which cannot cross a
 * `postMessage`; their descriptors can) and the engine options that are data.
 */
import type { LowerDescriptor, UpperDescriptor } from '@vellum/core';

/** The engine options that are plain data (see `OverlayOptions` of `@vellum/core`). */
export interface EngineOptions {
  chunkSize?: number;
  umask?: number;
  uid?: number;
  gid?: number;
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
