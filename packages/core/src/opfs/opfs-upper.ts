import { invalidDescriptor } from '../descriptors.js';
import { FsError, hasCode } from '../errors.js';
import type { UpperChange, UpperLayer, UpperProblem, UpperSnapshot, UpperUsage } from '../layer.js';
import { encodeFrame, scanFrames } from './frame.js';
import {
  decodePayload,
  encodePayload,
  type RecordChange,
  type RecordHead,
  type SnapshotHead,
  type StoredChunk,
} from './records.js';
import { type ChunkRef, OpfsState, type PlacedChange } from './state.js';
import {
  defaultOpfsRoot,
  isDomError,
  type OpfsDirectoryHandle,
  type OpfsRoot,
  type OpfsSyncAccessHandle,
} from './types.js';

/**
 * What `new OpfsUpper(options)` takes: the workspace's name, and where its bytes go.
 *
 * @example
 * ```ts
 * const upper = new OpfsUpper({ name: 'lesson-1', inlineBelow: 8192 });
 * ```
 */
export interface OpfsUpperOptions {
  /** The workspace: one OPFS directory per name (`vellum-opfs/<name>`). */
  name: string;
  /** The origin private file system's root; default `navigator.storage.getDirectory`. */
  opfs?: OpfsRoot;
  /**
   * Chunks shorter than this (bytes, default 16 KiB) are written inside the operation's
   * journal record; longer ones to a file of their own (written once, never copied by
   * compaction).
   */
  inlineBelow?: number;
  /** The journal is compacted into the snapshot once it holds this many bytes (default 8 MiB). */
  compactBytes?: number;
}

/** The workspaces' parent directory in the OPFS root. */
export const WORKSPACES_DIR = 'vellum-opfs';
const JOURNAL = 'journal';
const SNAPSHOT = 'snapshot';
const SNAPSHOT_NEW = 'snapshot.new';
const CHUNKS = 'chunks';

const workspaceDir = (name: string): string => encodeURIComponent(name);

/** Where the one commit being stored put its chunks (files written, record changes, blobs). */
interface Staged {
  head: RecordHead;
  blobs: Uint8Array[];
  files: string[];
}

/**
 * The persistent upper on the Origin Private File System, for the engine's worker:
 * every operation is one checksummed record appended to a journal file through a
 * `FileSystemSyncAccessHandle` and flushed before the operation resolves; chunks of
 * `inlineBelow` bytes or more go to files of their own first. Compaction writes the
 * whole state to `snapshot.new` beside the current snapshot and swaps it in with one
 * `move()`, then empties the journal. A record torn by a crash fails its checksum and
 * is dropped at the next open, with everything after it (never acknowledged); the
 * file is cut back there before anything new is appended.
 *
 * It needs `FileSystemSyncAccessHandle`, which browsers give dedicated workers only.
 * One upper writes a workspace at a time: a second one fails to open it with EBUSY
 * (the journal's access handle is an exclusive lock).
 *
 * A full quota (`QuotaExceededError`) fails the operation with ENOSPC; the journal is
 * cut back to before it, so nothing of it stays.
 *
 * @example
 * ```ts
 * // In a dedicated worker:
 * import { Overlay } from '@vellum/core';
 * import { OpfsUpper } from '@vellum/core/opfs';
 * const ov = await Overlay.create({ lowers: [template], upper: new OpfsUpper({ name: 'lesson-1' }) });
 * await ov.writeFile('/src/main.ts', 'console.log(2)'); // resolves once flushed
 * await ov.close();
 * await OpfsUpper.delete('lesson-1');
 * ```
 */
export class OpfsUpper implements UpperLayer {
  /** The workspace's name. */
  readonly name: string;
  readonly #root: OpfsRoot | undefined;
  readonly #inlineBelow: number;
  readonly #compactBytes: number;
  #dir: OpfsDirectoryHandle | undefined;
  #chunkDir: OpfsDirectoryHandle | undefined;
  #journal: OpfsSyncAccessHandle | undefined;
  #snapshot: OpfsSyncAccessHandle | undefined;
  /** Where the journal's good records end: the next one is appended here. */
  #journalEnd = 0;
  #state = new OpfsState();
  /** The last commit stored, as `committedSeq` reports it. */
  #seq = 0;
  /** The last frame written (journal records and snapshots are numbered in one series). */
  #n = 0;
  /** Bytes dropped from the journal's tail at open (a record torn by a crash). */
  #tornAtOpen = 0;
  #opened: Promise<void> | undefined;
  #closed = false;
  /** Commits, compactions and loads, one after the other. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: OpfsUpperOptions) {
    if (typeof options.name !== 'string' || options.name === '') {
      throw invalidDescriptor(
        `an OPFS upper needs a \`name\` (a non-empty string), got ${JSON.stringify(options.name)}`,
      );
    }
    this.name = options.name;
    this.#root = options.opfs ?? defaultOpfsRoot();
    this.#inlineBelow = options.inlineBelow ?? 16 * 1024;
    this.#compactBytes = options.compactBytes ?? 8 * 1024 * 1024;
  }

  /**
   * Deletes a workspace (its directory). An upper still open on it must be closed first.
   *
   * @example
   * ```ts
   * await OpfsUpper.delete('lesson-1');
   * ```
   */
  static async delete(name: string, options: Pick<OpfsUpperOptions, 'opfs'> = {}): Promise<void> {
    const root = await rootOf(options.opfs ?? defaultOpfsRoot());
    try {
      const parent = await root.getDirectoryHandle(WORKSPACES_DIR);
      await parent.removeEntry(workspaceDir(name), { recursive: true });
    } catch (error) {
      if (!isDomError(error, 'NotFoundError')) throw error;
    }
  }

  /** Bytes of a torn record dropped from the journal's end when this upper opened (0: none). */
  get tornBytes(): number {
    return this.#tornAtOpen;
  }

  /** Everything stored: the snapshot, then the journal's records after it. Opens the workspace once. */
  async load(): Promise<UpperSnapshot> {
    await this.#open();
    return this.#serial(async () => this.#state.snapshot());
  }

  #open(): Promise<void> {
    this.#opened ??= this.#openNow().catch((error: unknown) => {
      this.#opened = undefined;
      this.#release();
      throw error;
    });
    return this.#opened;
  }

  async #openNow(): Promise<void> {
    if (this.#closed)
      throw new FsError('EBADF', 'open', this.name, undefined, { cause: new Error('closed') });
    const root = await rootOf(this.#root);
    const parent = await root.getDirectoryHandle(WORKSPACES_DIR, { create: true });
    const dir = await parent.getDirectoryHandle(workspaceDir(this.name), { create: true });
    this.#dir = dir;
    this.#chunkDir = await dir.getDirectoryHandle(CHUNKS, { create: true });
    const journalFile = await dir.getFileHandle(JOURNAL, { create: true });
    if (!journalFile.createSyncAccessHandle) {
      throw new FsError('EINVAL', 'open', this.name, undefined, {
        cause: new Error(
          'OpfsUpper needs FileSystemSyncAccessHandle, which browsers give dedicated workers only',
        ),
      });
    }
    try {
      this.#journal = await journalFile.createSyncAccessHandle();
    } catch (error) {
      if (!isDomError(error, 'NoModificationAllowedError')) throw error;
      throw new FsError('EBUSY', 'open', this.name, undefined, {
        cause: new Error(`workspace '${this.name}' is open in another upper (tab or worker)`, {
          cause: error,
        }),
      });
    }
    // A snapshot.new left by a crash during compaction was never swapped in: it is nothing.
    await removeIfThere(dir, SNAPSHOT_NEW);
    let state = new OpfsState();
    let seq = 0;
    let n = 0;
    const snapshotFile = await dir.getFileHandle(SNAPSHOT).catch((error: unknown) => {
      if (isDomError(error, 'NotFoundError')) return undefined;
      throw error;
    });
    if (snapshotFile?.createSyncAccessHandle) {
      this.#snapshot = await snapshotFile.createSyncAccessHandle();
      const scan = scanFrames(readAll(this.#snapshot));
      const frame = scan.frames[0];
      // The snapshot is swapped in only once flushed whole: a bad one is damage, not a crash.
      if (!frame) throw this.#damaged(`the snapshot file is unreadable (${scan.torn} bytes)`);
      const { head, blobAt } = decodePayload<SnapshotHead>(frame.payload);
      seq = head.seq;
      n = head.n;
      state.meta = head.meta;
      for (const inode of head.inodes) state.inodes.set(inode.ino, inode);
      state.apply(
        head.dirents.map(([parent, name, ino]) => ({ op: 'put-dirent', dirent: { parent, name, ino } })),
      );
      state.apply(
        head.chunks.map(([ino, index, at]) => ({
          op: 'put-chunk',
          ino,
          index,
          ref: placed(at, 'snapshot', frame.at + blobAt),
        })),
      );
    }
    const journal = this.#journal;
    const scan = scanFrames(readAll(journal));
    for (const frame of scan.frames) {
      const { head, blobAt } = decodePayload<RecordHead>(frame.payload);
      // Records the snapshot holds already (a crash between the swap and emptying the journal).
      if (head.n <= n) continue;
      if (head.replace) state = new OpfsState();
      state.apply(head.changes.map((c) => placeChange(c, frame.at + blobAt)));
      seq = head.seq;
      n = head.n;
    }
    this.#tornAtOpen = scan.torn;
    if (scan.torn > 0) {
      // Cut the torn record off before anything is appended after it.
      journal.truncate(scan.end);
      journal.flush();
    }
    this.#journalEnd = scan.end;
    this.#state = state;
    this.#seq = seq;
    this.#n = n;
    await this.#dropUnreferencedChunks();
  }

  /** Chunk files no record refers to: written by an operation that never got its record stored. */
  async #dropUnreferencedChunks(): Promise<void> {
    const chunkDir = this.#chunkDir;
    if (!chunkDir) return;
    const used = this.#state.files();
    const stale: string[] = [];
    for await (const name of chunkDir.keys()) if (!used.has(name)) stale.push(name);
    for (const name of stale) await removeIfThere(chunkDir, name);
  }

  #damaged(why: string): FsError {
    return new FsError('EIO', 'open', this.name, undefined, {
      cause: new Error(`workspace '${this.name}': ${why}`),
    });
  }

  /**
   * One operation: its large chunks to files of their own (each flushed), then one
   * record appended to the journal and flushed. Resolves once flushed. On failure the
   * journal is cut back and the files removed: nothing of the operation stays.
   */
  async commit(changes: readonly UpperChange[]): Promise<void> {
    await this.#open();
    await this.#serial(() => this.#append(changes, this.#seq + 1, false));
  }

  /**
   * Replaces everything stored with `changes` (a whole state, chunk bytes included) as
   * commit number `seq`: one journal record that drops the state before it, then a
   * compaction. For a mirrored upper, whose `recover()` or resync copies the other side.
   *
   * @example
   * ```ts
   * const upper = new OpfsUpper({ name: 'lesson-1' });
   * await upper.restore([{ op: 'put-meta', meta: { nextIno: 2, lowerIds: [] } }], 12);
   * ```
   */
  async restore(changes: readonly UpperChange[], seq: number): Promise<void> {
    await this.#open();
    await this.#serial(async () => {
      await this.#append(changes, seq, true);
      await this.#compactNow().catch(() => {});
    });
  }

  /** The sequence number of the last commit stored (after `load()`): a mirrored upper compares it. */
  get committedSeq(): number {
    return this.#seq;
  }

  /** One record appended and flushed: a commit, or (`replace`) a whole state. */
  async #append(changes: readonly UpperChange[], seq: number, replace: boolean): Promise<void> {
    const n = this.#n + 1;
    const staged = await this.#stage(n, changes);
    staged.head.seq = seq;
    if (replace) staged.head.replace = true;
    const journal = this.#usable(this.#journal);
    const frame = encodeFrame(encodePayload(staged.head, staged.blobs));
    const at = this.#journalEnd;
    try {
      journal.write(frame, { at });
      journal.flush();
    } catch (error) {
      this.#cutBack(journal, at);
      for (const file of staged.files) await removeIfThere(this.#chunkDir, file).catch(() => {});
      throw error;
    }
    this.#journalEnd = at + frame.byteLength;
    this.#seq = seq;
    this.#n = n;
    // The blob ends the frame.
    const blobAt = at + frame.byteLength - blobBytes(staged.blobs);
    let freed: string[] = [];
    if (replace) {
      freed = [...this.#state.files()];
      this.#state = new OpfsState();
    }
    freed.push(...this.#state.apply(staged.head.changes.map((c) => placeChange(c, blobAt))));
    // Durable now: files the record replaced are garbage (a crash here leaves them to the next open).
    for (const file of freed) await removeIfThere(this.#chunkDir, file).catch(() => {});
    // The operation is stored whatever compaction does: a failed one is tried again later.
    if (this.#journalEnd >= this.#compactBytes) await this.#compactNow().catch(() => {});
  }

  /** The record of one commit: large chunks written (and flushed) to files, small ones in the blob. */
  async #stage(n: number, changes: readonly UpperChange[]): Promise<Staged> {
    const staged: Staged = { head: { n, seq: n, changes: [] }, blobs: [], files: [] };
    let blobAt = 0;
    try {
      for (const c of changes) {
        if (c.op !== 'put-chunk') {
          staged.head.changes.push(c);
          continue;
        }
        let at: StoredChunk;
        if (c.data.byteLength < this.#inlineBelow) {
          at = { o: blobAt, n: c.data.byteLength };
          staged.blobs.push(c.data);
          blobAt += c.data.byteLength;
        } else {
          const file = `${c.ino}.${c.index}.${n}.${staged.files.length}`;
          staged.files.push(file);
          await this.#writeChunkFile(file, c.data);
          at = { f: file, n: c.data.byteLength };
        }
        staged.head.changes.push({ op: 'put-chunk', ino: c.ino, index: c.index, at });
      }
    } catch (error) {
      for (const file of staged.files) await removeIfThere(this.#chunkDir, file).catch(() => {});
      throw error;
    }
    return staged;
  }

  async #writeChunkFile(name: string, data: Uint8Array): Promise<void> {
    const dir = this.#usable(this.#chunkDir);
    const file = await dir.getFileHandle(name, { create: true });
    const access = await syncHandle(file);
    try {
      access.truncate(0);
      access.write(data, { at: 0 });
      access.flush();
    } finally {
      access.close();
    }
  }

  /** After a failed append: the journal ends where it did before (best effort: it is re-checked at open). */
  #cutBack(journal: OpfsSyncAccessHandle, at: number): void {
    try {
      journal.truncate(at);
      journal.flush();
    } catch {
      // The next open's scan drops whatever is left after the last good record.
    }
  }

  /**
   * Writes the whole state to `snapshot.new` (small chunks copied into it), flushes it,
   * swaps it in for `snapshot` with one `move()`, then empties the journal. A crash
   * before the move leaves the old snapshot and the journal; after it, the journal's
   * records are ones the new snapshot holds (skipped by their sequence numbers).
   */
  async #compactNow(seq = this.#seq, state = this.#state, n = this.#n): Promise<void> {
    const dir = this.#usable(this.#dir);
    const head: SnapshotHead = {
      n,
      seq,
      meta: state.meta,
      inodes: [...state.inodes.values()],
      dirents: [],
      chunks: [],
    };
    for (const [parent, names] of state.dirents)
      for (const [name, ino] of names) head.dirents.push([parent, name, ino]);
    const blobs: Uint8Array[] = [];
    let blobAt = 0;
    for (const [ino, chunks] of state.chunks) {
      for (const [index, ref] of chunks) {
        if ('file' in ref) {
          head.chunks.push([ino, index, { f: ref.file, n: ref.n }]);
          continue;
        }
        blobs.push(this.#readInline(ref));
        head.chunks.push([ino, index, { o: blobAt, n: ref.n }]);
        blobAt += ref.n;
      }
    }
    const frame = encodeFrame(encodePayload(head, blobs));
    const fresh = await dir.getFileHandle(SNAPSHOT_NEW, { create: true });
    const access = await syncHandle(fresh);
    try {
      access.truncate(0);
      access.write(frame, { at: 0 });
      access.flush();
    } catch (error) {
      access.close();
      await removeIfThere(dir, SNAPSHOT_NEW).catch(() => {});
      throw error;
    }
    access.close();
    if (!fresh.move) {
      await removeIfThere(dir, SNAPSHOT_NEW).catch(() => {});
      throw new FsError('EIO', 'write', this.name, undefined, {
        cause: new Error(
          'this browser cannot rename OPFS files (FileSystemHandle.move), which compaction needs',
        ),
      });
    }
    // The old snapshot's handle is a lock: released for the swap, taken again on the new one.
    this.#snapshot?.close();
    this.#snapshot = undefined;
    await fresh.move(SNAPSHOT);
    this.#snapshot = await syncHandle(await dir.getFileHandle(SNAPSHOT));
    // Small chunks are read from the new snapshot from now on (the blob ends the frame).
    const blobBase = frame.byteLength - blobAt;
    for (const [ino, index, at] of head.chunks) {
      if ('o' in at) state.chunks.get(ino)?.set(index, { in: 'snapshot', at: blobBase + at.o, n: at.n });
    }
    const journal = this.#usable(this.#journal);
    journal.truncate(0);
    journal.flush();
    this.#journalEnd = 0;
  }

  #readInline(ref: Extract<ChunkRef, { in: string }>): Uint8Array {
    const handle = this.#usable(ref.in === 'journal' ? this.#journal : this.#snapshot);
    const out = new Uint8Array(ref.n);
    const read = handle.read(out, { at: ref.at });
    if (read !== ref.n)
      throw this.#damaged(`a chunk in the ${ref.in} is cut short (${read} of ${ref.n} bytes)`);
    return out;
  }

  /** One chunk's bytes, `undefined` when not stored. */
  async readChunk(ino: number, index: number): Promise<Uint8Array | undefined> {
    await this.#open();
    return this.#serial(async () => {
      const ref = this.#state.chunks.get(ino)?.get(index);
      if (!ref) return undefined;
      if (!('file' in ref)) return this.#readInline(ref);
      const file = await this.#usable(this.#chunkDir).getFileHandle(ref.file);
      const access = await syncHandle(file);
      try {
        const out = new Uint8Array(ref.n);
        const read = access.read(out, { at: 0 });
        if (read !== ref.n) throw this.#damaged(`chunk file ${ref.file} holds ${read} of ${ref.n} bytes`);
        return out;
      } finally {
        access.close();
      }
    });
  }

  /** A chunk stored inline (in the journal or snapshot) at once; `null` for one in a file of its own. */
  readChunkSync(ino: number, index: number): Uint8Array | undefined | null {
    if (!this.#journal) return null;
    const ref = this.#state.chunks.get(ino)?.get(index);
    if (!ref) return undefined;
    return 'file' in ref ? null : this.#readInline(ref);
  }

  /** Drops everything: an empty snapshot swapped in (one atomic step), then the chunk files. */
  async clear(): Promise<void> {
    await this.#open();
    await this.#serial(async () => {
      const seq = this.#seq + 1;
      const n = this.#n + 1;
      const empty = new OpfsState();
      await this.#compactNow(seq, empty, n);
      const files = this.#state.files();
      this.#state = empty;
      this.#seq = seq;
      this.#n = n;
      for (const file of files) await removeIfThere(this.#chunkDir, file).catch(() => {});
    });
  }

  /** Chunk bytes and records (inodes and directory entries), as `MemoryUpper` counts them. */
  async usage(): Promise<UpperUsage> {
    await this.#open();
    return this.#state.usage();
  }

  /** Storage problems: chunk files missing or of the wrong length, inline chunks past their file's end. */
  async check(): Promise<UpperProblem[]> {
    await this.#open();
    return this.#serial(async () => {
      const problems: UpperProblem[] = [];
      const dir = this.#usable(this.#chunkDir);
      for (const [ino, chunks] of this.#state.chunks) {
        for (const [index, ref] of chunks) {
          if (!('file' in ref)) {
            const size = this.#usable(ref.in === 'journal' ? this.#journal : this.#snapshot).getSize();
            if (ref.at + ref.n > size) {
              problems.push({
                kind: 'chunk-length',
                message: `chunk ${ino}/${index} ends past the ${ref.in}'s end`,
              });
            }
            continue;
          }
          const size = await dir
            .getFileHandle(ref.file)
            .then(async (f) => (await f.getFile()).size)
            .catch(() => undefined);
          if (size !== ref.n) {
            problems.push({
              kind: size === undefined ? 'missing-chunk' : 'chunk-length',
              message: `chunk ${ino}/${index}: file ${ref.file} ${size === undefined ? 'is missing' : `holds ${size} of ${ref.n} bytes`}`,
            });
          }
        }
      }
      return problems;
    });
  }

  /** Every commit is flushed before it resolves: nothing to wait for. */
  async sync(): Promise<void> {
    await this.#chain;
  }

  /** Compacts the journal into the snapshot now (it happens by itself at `compactBytes`). */
  async compact(): Promise<void> {
    await this.#open();
    await this.#serial(() => this.#compactNow());
  }

  /** Compacts, then releases the access handles (the workspace's lock). */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#opened) {
      await this.#opened.catch(() => {});
      if (this.#journal && this.#journalEnd > 0) await this.#serial(() => this.#compactNow()).catch(() => {});
    }
    await this.#chain;
    this.#closed = true;
    this.#release();
  }

  #release(): void {
    this.#journal?.close();
    this.#snapshot?.close();
    this.#journal = undefined;
    this.#snapshot = undefined;
  }

  #usable<T>(value: T | undefined): T {
    if (value === undefined) {
      throw new FsError('EIO', 'write', this.name, undefined, {
        cause: new Error(`workspace '${this.name}' is not open`),
      });
    }
    return value;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn);
    this.#chain = run.catch(() => {});
    return run;
  }
}

/** A stored change with its chunk placed: inline offsets made absolute in the journal. */
function placeChange(c: RecordChange, blobAt: number): PlacedChange {
  if (c.op !== 'put-chunk') return c;
  return { op: 'put-chunk', ino: c.ino, index: c.index, ref: placed(c.at, 'journal', blobAt) };
}

function placed(at: StoredChunk, where: 'journal' | 'snapshot', blobAt: number): ChunkRef {
  return 'f' in at ? { file: at.f, n: at.n } : { in: where, at: blobAt + at.o, n: at.n };
}

const blobBytes = (blobs: readonly Uint8Array[]): number => blobs.reduce((n, b) => n + b.byteLength, 0);

function readAll(handle: OpfsSyncAccessHandle): Uint8Array {
  const out = new Uint8Array(handle.getSize());
  handle.read(out, { at: 0 });
  return out;
}

async function rootOf(root: OpfsRoot | undefined): Promise<OpfsDirectoryHandle> {
  if (!root) {
    throw new FsError('EINVAL', 'open', undefined, undefined, {
      cause: new Error(
        'no origin private file system here (navigator.storage.getDirectory), and no opfs option',
      ),
    });
  }
  return root();
}

async function syncHandle(file: {
  createSyncAccessHandle?(): Promise<OpfsSyncAccessHandle>;
}): Promise<OpfsSyncAccessHandle> {
  if (!file.createSyncAccessHandle) {
    throw new FsError('EINVAL', 'open', undefined, undefined, {
      cause: new Error('FileSystemSyncAccessHandle is missing (browsers give it to dedicated workers only)'),
    });
  }
  return file.createSyncAccessHandle();
}

async function removeIfThere(dir: OpfsDirectoryHandle | undefined, name: string): Promise<void> {
  if (!dir) return;
  try {
    await dir.removeEntry(name);
  } catch (error) {
    if (!isDomError(error, 'NotFoundError') && !hasCode(error, 'ENOENT')) throw error;
  }
}
