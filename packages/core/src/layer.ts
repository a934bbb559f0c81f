/**
 * The extension points every layer implements. Lowers are read-only and list
 * themselves in bulk; the upper stores overlay records and applies one fs
 * operation as one atomic transaction.
 */

/** Metadata shared by every kind of entry. Times are milliseconds since the epoch. */
export interface EntryMeta {
  /** Permission bits (`mode & 0o7777`); the file type comes from the kind. */
  mode: number;
  /** Owner's user id. */
  uid: number;
  /** Owner's group id. */
  gid: number;
  /** Last access. */
  atimeMs: number;
  /** Last change of the contents. */
  mtimeMs: number;
  /** Last change of the contents or metadata. */
  ctimeMs: number;
  /** Creation. */
  birthtimeMs: number;
}

/**
 * One entry a lower layer lists. `ref` is the layer's own handle for reading the
 * entry's bytes later (a zip entry, a URL, an array index); the engine never
 * looks inside it.
 *
 * @example
 * ```ts
 * const entries: LowerEntry[] = [
 *   { path: 'src', kind: 'dir', mode: 0o755, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 },
 *   { path: 'src/main.ts', kind: 'file', size: 14, ref: 0, mode: 0o644, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 },
 *   { path: 'old.txt', kind: 'whiteout' },
 * ];
 * ```
 */
export type LowerEntry =
  | (EntryMeta & {
      /** The entry's path in the layer, `/`-separated (`src/main.ts`; a leading `/` changes nothing). */
      path: string;
      /** A regular file. */
      kind: 'file';
      /** Length in bytes. */
      size: number;
      /** What the layer's `read` gets back to find the bytes. */
      ref: unknown;
      /**
       * How many names the layer gives this file (its hard links included), 1 if unset. It
       * stays what the layer says where a higher layer hides some of those names; above 1,
       * removing a name stores a record of the count left.
       */
      nlink?: number;
      /** Never set on a file: a second name of a file is a `hardlink` entry. */
      linkOf?: undefined;
      /**
       * The content's identity where the layer knows it (a zip entry's CRC-32, a
       * manifest's SHA-256): tells a changed base object on reopen when size and
       * mtime alone would not.
       */
      etag?: string;
    })
  | (EntryMeta & {
      /** Relative to the layer's root, `/`-separated. */
      path: string;
      /** A directory. */
      kind: 'dir';
      /** Hides everything below this directory in the layers under this one. */
      opaque?: boolean;
    })
  | (EntryMeta & {
      /** Relative to the layer's root, `/`-separated. */
      path: string;
      /** A symbolic link. */
      kind: 'symlink';
      /** The link's target, as `readlink` returns it. */
      target: string;
    })
  /** Another name for the file listed at `linkOf` in the same layer. */
  | {
      /** Relative to the layer's root, `/`-separated. */
      path: string;
      /** A second name (hard link) for a file of the same layer. */
      kind: 'hardlink';
      /** The path of the file entry this name shares. */
      linkOf: string;
    }
  /** Hides the name in the layers below this one. */
  | {
      /** Relative to the layer's root, `/`-separated. */
      path: string;
      /** A whiteout: the name does not exist from this layer down. */
      kind: 'whiteout';
    };

/**
 * A read-only layer: lists its entries once, then serves byte ranges. `MemoryLayer`,
 * `ZipLayer` and `HttpLayer` implement it; so can a layer of your own.
 *
 * @example
 * ```ts
 * // A one-file layer; any object of this shape can sit in `lowers`.
 * const bytes = new TextEncoder().encode('hello');
 * const meta = { mode: 0o644, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 };
 * const layer: LowerLayer = {
 *   id: 'hello-v1',
 *   entries: () => [{ path: 'hello.txt', kind: 'file', size: bytes.length, ref: 0, ...meta }],
 *   read: async (_ref, offset, length) => bytes.slice(offset, offset + length),
 * };
 * const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
 * await ov.readFile('/hello.txt', 'utf8'); // 'hello'
 * ```
 */
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

/** @inline */
export type UpperKind = 'file' | 'dir' | 'symlink';

/** What the upper stores for one object (file, directory, symlink) by inode number. */
export interface UpperInode extends EntryMeta {
  /** The inode number: the record's key. */
  ino: number;
  /** What the object is. */
  kind: UpperKind;
  /** Names the object has in the upper (its hard links). */
  nlink: number;
  /** Set when the object was copied up from a lower object with this inode number. */
  origin?: number;
  /**
   * Files and symlinks copied up: the lower object's path and `size:mtimeMs`, so
   * that reopening on changed lowers finds it again, or says it changed.
   */
  originPath?: string;
  /** See `originPath`: the lower object's `size:mtimeMs` when it was copied up. */
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
  /** The inode number of the directory. */
  parent: number;
  /** The name in that directory. */
  name: string;
  /** The inode the name leads to; `null` for a whiteout. */
  ino: number | null;
}

/** The upper's own record: what it was built on and what it hands out next. */
export interface UpperMeta {
  /** Next inode number for objects born in the upper. */
  nextIno: number;
  /** The ids of the lowers this upper was built on, top first. */
  lowerIds: string[];
}

/** One change of an upper transaction; a transaction applies all or none. */
export type UpperChange =
  | {
      /** Stores (adds or replaces) an inode record. */
      op: 'put-inode';
      /** The record. */
      inode: UpperInode;
    }
  /** Removes the inode and everything keyed under it: its dirents and its chunks. */
  | {
      /** Removes an inode with its dirents and chunks. */
      op: 'drop-inode';
      /** Its number. */
      ino: number;
    }
  | {
      /** Stores (adds or replaces) a name in a directory. */
      op: 'put-dirent';
      /** The name's record. */
      dirent: UpperDirent;
    }
  | {
      /** Removes a name from a directory. */
      op: 'drop-dirent';
      /** The directory's inode number. */
      parent: number;
      /** The name. */
      name: string;
    }
  | {
      /** Stores (adds or replaces) one chunk of a file's bytes. */
      op: 'put-chunk';
      /** The file's inode number. */
      ino: number;
      /** Which chunk: bytes `[index × chunkSize, (index + 1) × chunkSize)`. */
      index: number;
      /** The chunk's bytes (the last chunk may be shorter). */
      data: Uint8Array;
    }
  | {
      /** Removes one chunk of a file's bytes. */
      op: 'drop-chunk';
      /** The file's inode number. */
      ino: number;
      /** Which chunk. */
      index: number;
    }
  | {
      /** Stores the upper's own record. */
      op: 'put-meta';
      /** The record. */
      meta: UpperMeta;
    };

/** Everything an upper holds, read once when an overlay opens. */
export interface UpperSnapshot {
  /** The upper's own record; `undefined` for an upper never written. */
  meta: UpperMeta | undefined;
  /** Every inode record. */
  inodes: Iterable<UpperInode>;
  /** Every directory entry (names and whiteouts). */
  dirents: Iterable<UpperDirent>;
  /** Which chunks each file has (keys only, not data). */
  chunks: Iterable<{
    /** The file's inode number. */
    ino: number;
    /** The chunk's index. */
    index: number;
  }>;
}

/**
 * One snapshot of an upper (see `Overlay.snapshot`).
 *
 * @example
 * ```ts
 * const info: SnapshotInfo = await ov.snapshot('before solve');
 * console.log(info.id, info.label, new Date(info.createdMs), info.records, info.chunks);
 * ```
 */
export interface SnapshotInfo {
  /** What `restore` and `dropSnapshot` take. */
  id: string;
  /** The caller's name for it, if given. */
  label?: string;
  /** When it was taken (ms since the epoch). */
  createdMs: number;
  /** Inode and directory-entry records it froze (what it costs: records, not data). */
  records: number;
  /** Chunks of file data it refers to (shared with the live files until they change). */
  chunks: number;
}

/**
 * Bytes and records an upper stores.
 *
 * @example
 * ```ts
 * const { bytes, entries } = await ov.usage();
 * ```
 */
export interface UpperUsage {
  /** Bytes of file contents stored (the chunks). */
  bytes: number;
  /** Inode and directory-entry records stored. */
  entries: number;
}

/** Something wrong in what an upper stores, as `fsck()` reports it. */
export interface UpperProblem {
  /** A stable name for the kind of problem (`orphan-chunk`, `dangling-dirent`, …). */
  kind: string;
  /** What is wrong, for a person. */
  message: string;
}

/**
 * The writable layer: stores the overlay's records (inodes, directory entries, file
 * chunks) and applies each fs operation as one transaction. `MemoryUpper` and
 * `IndexedDBUpper` implement it.
 *
 * @example
 * ```ts
 * const upper: UpperLayer = new MemoryUpper();
 * const ov = await Overlay.create({ lowers: [], upper });
 * await ov.writeFile('/a.txt', 'a');
 * (await upper.load()).inodes; // the root directory and a.txt
 * ```
 */
export interface UpperLayer {
  /** Reads everything stored, once, when an overlay opens. */
  load(): Promise<UpperSnapshot>;
  /**
   * Applies every change or none; resolves once the changes are durable (or,
   * for an upper in a write-back mode, once queued: then `sync()` is the barrier).
   */
  commit(changes: readonly UpperChange[]): Promise<void>;
  /** One chunk of a file's bytes; `undefined` when it is not stored. */
  readChunk(ino: number, index: number): Promise<Uint8Array | undefined>;
  /** A chunk at once (`undefined`: not stored), or `null` when this upper would have to wait. Optional. */
  readChunkSync?(ino: number, index: number): Uint8Array | undefined | null;
  /** `commit`, done before returning, for an upper that can (memory). Optional: sync writes need it. */
  commitSync?(changes: readonly UpperChange[]): void;
  /** Drops everything, atomically. */
  clear(): Promise<void>;
  /** Bytes and records stored. */
  usage(): Promise<UpperUsage>;

  /** Resolves once every commit that resolved before the call is durable. Absent: nothing to wait for. */
  sync?(): Promise<void>;
  /** Storage-level problems only this upper can see; the engine checks the records' structure itself. */
  check?(): Promise<UpperProblem[]>;
  /** Releases what the upper holds open (a database connection, a writer lock). Optional. */
  close?(): Promise<void>;
  /**
   * Snapshots (optional; `Overlay.snapshot` needs them): freezes the records as they are now
   * under a new id, in time and space proportional to the records, not the data — chunk bytes
   * are shared with the live records, and kept apart only when the live file later overwrites
   * or drops them. Snapshots survive `clear()`.
   */
  snapshot?(label?: string): Promise<SnapshotInfo>;
  /**
   * Replaces every live record with a snapshot's, in one transaction, the meta record being
   * `meta` (the overlay's lowers, not the snapshot's; the inode counter the larger of the two, so
   * no number is given twice). ENOENT for an unknown id.
   */
  restoreSnapshot?(id: string, meta: UpperMeta): Promise<void>;
  /** The snapshots kept, oldest first. */
  listSnapshots?(): Promise<SnapshotInfo[]>;
  /** Forgets a snapshot, and the chunk bytes only it kept (ENOENT for an unknown id). */
  dropSnapshot?(id: string): Promise<void>;
}
