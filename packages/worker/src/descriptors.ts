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
 * Every kind of lower a worker can build. Zip, HTTP and IndexedDB layers join this
 * union (and the builder table in `build-layers.ts`) when their engine layers exist.
 */
export type LowerDescriptor = MemoryLowerDescriptor;

/** A writable layer held in the worker's memory (gone when the worker ends). */
export interface MemoryUpperDescriptor {
  type: 'memory';
}

/** Every kind of upper a worker can build. */
export type UpperDescriptor = MemoryUpperDescriptor;

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
 * because `postMessage` drops the symbol that marks `file()`/`dir()` helper results.
 */
export type WireLower = { type: 'memory'; entries: MemoryEntry[] } & MemoryLayerDefaults;
/** A lower whose type this version does not know, kept so the worker can name it in its error. */
export type UnknownWire = { type: string };

export interface WireInit extends EngineOptions {
  lowers: (WireLower | UnknownWire)[];
  upper: UpperDescriptor | UnknownWire;
}
