/** Uppers a model test runs a case on, each with the way to open it again (as after a reload). */
import { IDBFactory } from 'fake-indexeddb';
import { IndexedDBUpper } from '../src/idb/index.js';
import { MemoryUpper, type UpperLayer } from '../src/index.js';

/** An upper for one run, and how to open it again. */
export interface UpperPair {
  readonly upper: UpperLayer;
  reopen(): UpperLayer;
}
export type UpperKind = () => UpperPair;

/** A memory upper: reopening is the same object (what survives a reload of the overlay). */
export const memoryUpper: UpperKind = () => {
  const upper = new MemoryUpper();
  return { upper, reopen: () => upper };
};

/** One fresh IndexedDB per run (fake-indexeddb), named `name`: the reopen is a new connection to it. */
export const idbUpper =
  (name: string): UpperKind =>
  () => {
    const factory = new IDBFactory();
    return {
      upper: new IndexedDBUpper({ name, factory }),
      reopen: () => new IndexedDBUpper({ name, factory }),
    };
  };
