/**
 * The extension points every layer implements. Lowers are read-only and list
 * themselves in bulk; the upper stores overlay records and applies one fs
 * operation as one atomic transaction.
 */

/** Metadata shared by every kind of entry. Times are milliseconds since the epoch. */
export interface EntryMeta {
  /** Permission bits (`mode & 0o7777`); the file type comes from the kind. */
  mode: number;
  uid: number;
  gid: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
}

/**
 * One entry a lower layer lists. `ref` is the layer's own handle for reading the
 * entry's bytes later (a zip entry, a URL, an array index); the engine never
 * looks inside it.
 */
export type LowerEntry =
  | (EntryMeta & {
      path: string;
      kind: 'file';
      size: number;
      ref: unknown;
      /**
       * How many names the layer gives this file (its hard links included), 1 if unset. It
       * stays what the layer says where a higher layer hides some of those names; above 1,
       * removing a name stores a record of the count left.
       */
      nlink?: number;
      linkOf?: undefined;
      /**
       * The content's identity where the layer knows it (a zip entry's CRC-32, a
       * manifest's SHA-256): tells a changed base object on reopen when size and
       * mtime alone would not.
       */
      etag?: string;
    })
  | (EntryMeta & { path: string; kind: 'dir'; opaque?: boolean })
  | (EntryMeta & { path: string; kind: 'symlink'; target: string })
  /** Another name for the file listed at `linkOf` in the same layer. */
  | { path: string; kind: 'hardlink'; linkOf: string }
  /** Hides the name in the layers below this one. */
  | { path: string; kind: 'whiteout' };

/** A read-only layer: lists its entries once, then serves byte ranges. */
export interface LowerLayer {
  /** Identity of the content (a digest, an ETag): an upper built on other content must notice. */
  readonly id: string;
  /**
   * Every entry, in any order; parents may be implicit. Whiteouts and opaque
   * marks in the layer itself are listed as such.
   */
  entries(): Iterable<LowerEntry> | AsyncIterable<LowerEntry>;
  /**
   * Bytes `[offset, offset + length)` of a file entry, clamped to its size, in a
   * buffer of the caller's own (a copy, never a view of a cache): the engine hands
   * it to its callers, who may keep, change or transfer it.
   */
  read(ref: unknown, offset: number, length: number): Promise<Uint8Array>;
  /**
   * The same bytes at once, for a layer that holds them (memory, an archive in
   * memory, a cache hit); `undefined` when they need I/O. Optional: synchronous
   * callers (`readFileSync`, ZenFS's sync API) get EAGAIN from layers without it.
   */
  readSync?(ref: unknown, offset: number, length: number): Uint8Array | undefined;
}

export type UpperKind = 'file' | 'dir' | 'symlink';

/** What the upper stores for one object (file, directory, symlink) by inode number. */
export interface UpperInode extends EntryMeta {
  ino: number;
  kind: UpperKind;
  nlink: number;
  /** Set when the object was copied up from a lower object with this inode number. */
  origin?: number;
  /**
   * Files and symlinks copied up: the lower object's path and `size:mtimeMs`, so
   * that reopening on changed lowers finds it again, or says it changed.
   */
  originPath?: string;
  originStamp?: string;
  /** Files: the size as seen through the overlay. */
  size?: number;
  /**
   * Files copied up: bytes at or past this offset never come from the lower
   * (the file was truncated below it at some point). Missing chunks below it do.
   */
  lowerLimit?: number;
  /** Files copied up for metadata only: every byte still comes from the lower. */
  metacopy?: boolean;
  /** Symlinks. */
  target?: string;
  /** Directories: nothing below this directory is merged. */
  opaque?: boolean;
  /** Directories: the lower path whose contents this directory merges, when moved. */
  redirect?: string;
}

/** A name in an upper directory: a child inode, or a whiteout (`ino: null`). */
export interface UpperDirent {
  parent: number;
  name: string;
  ino: number | null;
}

export interface UpperMeta {
  /** Next inode number for objects born in the upper. */
  nextIno: number;
  /** The ids of the lowers this upper was built on, top first. */
  lowerIds: string[];
}

/** One change of an upper transaction; a transaction applies all or none. */
export type UpperChange =
  | { op: 'put-inode'; inode: UpperInode }
  /** Removes the inode and everything keyed under it: its dirents and its chunks. */
  | { op: 'drop-inode'; ino: number }
  | { op: 'put-dirent'; dirent: UpperDirent }
  | { op: 'drop-dirent'; parent: number; name: string }
  | { op: 'put-chunk'; ino: number; index: number; data: Uint8Array }
  | { op: 'drop-chunk'; ino: number; index: number }
  | { op: 'put-meta'; meta: UpperMeta };

/** Everything an upper holds, read once when an overlay opens. */
export interface UpperSnapshot {
  meta: UpperMeta | undefined;
  inodes: Iterable<UpperInode>;
  dirents: Iterable<UpperDirent>;
  /** Which chunks each file has (keys only, not data). */
  chunks: Iterable<{ ino: number; index: number }>;
}

/** Bytes and records an upper stores. */
export interface UpperUsage {
  bytes: number;
  entries: number;
}

/** Something wrong in what an upper stores, as `fsck()` reports it. */
export interface UpperProblem {
  /** A stable name for the kind of problem (`orphan-chunk`, `dangling-dirent`, …). */
  kind: string;
  message: string;
}

/** The writable layer. */
export interface UpperLayer {
  load(): Promise<UpperSnapshot>;
  /**
   * Applies every change or none; resolves once the changes are durable (or,
   * for an upper in a write-back mode, once queued: then `sync()` is the barrier).
   */
  commit(changes: readonly UpperChange[]): Promise<void>;
  readChunk(ino: number, index: number): Promise<Uint8Array | undefined>;
  /** A chunk at once (`undefined`: not stored), or `null` when this upper would have to wait. Optional. */
  readChunkSync?(ino: number, index: number): Uint8Array | undefined | null;
  /** `commit`, done before returning, for an upper that can (memory). Optional: sync writes need it. */
  commitSync?(changes: readonly UpperChange[]): void;
  /** Drops everything, atomically. */
  clear(): Promise<void>;
  usage(): Promise<UpperUsage>;
  /** Resolves once every commit that resolved before the call is durable. Absent: nothing to wait for. */
  sync?(): Promise<void>;
  /** Storage-level problems only this upper can see; the engine checks the records' structure itself. */
  check?(): Promise<UpperProblem[]>;
  /** Releases what the upper holds open (a database connection, a writer lock). Optional. */
  close?(): Promise<void>;
}
