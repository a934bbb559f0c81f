/**
 * What the IDE needs from a filesystem: the overlay's async fs calls it uses, plus origin, changes,
 * reset and one bulk walk. `WorkerFs` implements it over the engine in a Web Worker, so the UI never
 * learns where the engine runs.
 */
import type { Change, Origin } from '@vellum/core';

export type EntryKind = 'file' | 'dir' | 'symlink';

export interface EntryInfo {
  /** Absolute, `/`-separated. */
  path: string;
  kind: EntryKind;
  size: number;
  mtimeMs: number;
  origin: Origin;
}

export interface WorkspaceFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void>;
  /** Kind and size of `path` without following a final symlink; undefined if it does not exist. */
  lstat(path: string): Promise<{ kind: EntryKind; size: number } | undefined>;
  /**
   * Every entry below the root, depth-first, with its origin: one call, so a worker crosses the
   * boundary once per tree refresh instead of once per path.
   */
  walk(): Promise<EntryInfo[]>;
  origin(path: string): Promise<Origin>;
  changes(): Promise<Change[]>;
  /** The changes as a zip layer that, stacked on the same lowers, gives this view (the engine's export). */
  changesZip(): Promise<Uint8Array>;
  /** The same as an OCI image layer tar. */
  changesTar(): Promise<Uint8Array>;
  reset(): Promise<void>;
  /** Drops what the upper holds at `path`, when the engine can (see `revert.ts` for the fallback). */
  revert?: (path: string) => Promise<void>;
  /** Ends the engine behind it (a persistent upper's connection and writer lock are released). */
  close(): Promise<void>;
}
