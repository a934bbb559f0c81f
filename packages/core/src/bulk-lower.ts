/**
 * How a lower layer whose listing already lives in the wasm index (a zip's parsed central
 * directory) hands it to the engine: the lower index lays the table itself (`addZipLayer`) and
 * asks the layer for one entry only when that entry's object is first needed.
 */
import type { NamespaceIndex, ZipDirectory } from '@vellum/wasm';
import type { LowerEntry } from './layer.js';

/** The key of a layer's {@link BulkLower} (a symbol, so it is not part of the public layer API). */
export const BULK_LOWER: unique symbol = Symbol.for('vellum.bulkLower');

export interface BulkLower {
  /**
   * The table to lay for this layer in `index`, listing exactly what `entries()` lists, in the
   * same order (entries the layer leaves out already rejected in it); undefined when the listing
   * is not the table (then `entries()` is used).
   */
  table(index: NamespaceIndex): ZipDirectory | undefined;
  /**
   * The entry `entries()` lists for table entry `ref`. A file's `nlink` must be 1 (or unset): the
   * table is laid without asking, so nothing flags a link count above 1 for removal (remove.ts).
   */
  entry(ref: number): LowerEntry;
}

export function bulkOf(layer: object): BulkLower | undefined {
  return (layer as { [BULK_LOWER]?: BulkLower })[BULK_LOWER];
}
