import { promisifyRequest } from 'idb-keyval';
import { FsError } from '../errors.js';
import type {
  UpperChange,
  UpperDirent,
  UpperInode,
  UpperLayer,
  UpperMeta,
  UpperProblem,
  UpperSnapshot,
  UpperUsage,
} from '../layer.js';
import { applyChanges } from './apply.js';
import { checkStore } from './check.js';
import { Database, type DatabaseOptions } from './database.js';
import { GroupCommit, type WriteBackOptions } from './group-commit.js';
import { chunkKey, kindRange, metaKey, parseKey } from './keys.js';
import { ChangeChannel, type RemoteChange, type WhenLocked, WriterLock } from './tabs.js';

export interface IndexedDBUpperOptions extends DatabaseOptions {
  /** The workspace: one database per name. Reopening a name shows what was left there. */
  name: string;
  /**
   * Off by default: every operation's promise resolves once its transaction
   * has committed. On (`true` or options): operations are acknowledged once
   * applied to the overlay's view and queued, and committed in groups; see
   * `sync()` for what that means after a crash.
   */
  writeBack?: boolean | WriteBackOptions;
  /**
   * Several tabs on one workspace (off by default: every upper writes). With
   * this set, a Web Lock makes the first upper to load the writer; another one
   * (another tab, or a second upper in this page) opens read-only — every write
   * fails with EROFS — or waits until the writer closes. The writer announces
   * each commit on a BroadcastChannel: see `onRemoteChange`.
   */
  whenLocked?: WhenLocked;
}

/**
 * The persistent upper: the overlay's records in one IndexedDB object store,
 * every operation in one read-write transaction (all or nothing), file data in
 * the engine's chunks, stored only where written.
 *
 * A full quota aborts the transaction with `QuotaExceededError`; the overlay
 * reports ENOSPC and puts its view back as it was before the call.
 *
 * @example
 * ```ts
 * import { Overlay } from '@vellum/core';
 * import { IndexedDBUpper } from '@vellum/core/idb';
 * const ov = await Overlay.create({ lowers: [template], upper: new IndexedDBUpper({ name: 'lesson-1' }) });
 * await ov.writeFile('/src/main.ts', 'console.log(2)'); // resolves once committed ('strict' durability)
 * // After a reload, the same call to Overlay.create shows the same tree.
 * await IndexedDBUpper.delete('lesson-1');               // the workspace is gone
 * ```
 */
export class IndexedDBUpper implements UpperLayer {
  readonly name: string;
  readonly #db: Database;
  readonly #group: GroupCommit | undefined;
  readonly #whenLocked: WhenLocked | undefined;
  readonly #lock: WriterLock;
  readonly #channel: ChangeChannel | undefined;
  /** Resolves to whether this upper may write; settled on first use. */
  #writer: Promise<boolean> | undefined;
  #readOnly = false;

  constructor(options: IndexedDBUpperOptions) {
    this.name = options.name;
    this.#db = new Database(options.name, options);
    this.#whenLocked = options.whenLocked;
    this.#lock = new WriterLock(options.name);
    this.#channel = options.whenLocked ? new ChangeChannel(options.name) : undefined;
    if (options.writeBack) {
      const wb = options.writeBack === true ? {} : options.writeBack;
      this.#group = new GroupCommit((changes) => this.#store(changes), wb);
    }
  }

  /**
   * Deletes a workspace's database. Connections of this page close themselves
   * when asked; an overlay still open on it must not be used afterwards.
   *
   * @example
   * ```ts
   * await IndexedDBUpper.delete('lesson-1');
   * ```
   */
  static delete(name: string, options: Pick<DatabaseOptions, 'factory'> = {}): Promise<void> {
    return Database.delete(name, options.factory);
  }

  /** True when another tab writes to this workspace and this upper only reads (`whenLocked: 'read-only'`). */
  get readOnly(): boolean {
    return this.#readOnly;
  }

  /**
   * Calls `listener` each time the writer (another tab) commits, so a
   * read-only tab can reopen its overlay to see the changes. Only with
   * `whenLocked` set. Returns the function that stops listening.
   *
   * @example
   * ```ts
   * const upper = new IndexedDBUpper({ name: 'w', whenLocked: 'read-only' });
   * let ov = await Overlay.create({ lowers, upper });
   * upper.onRemoteChange(async () => {
   *   ov = await Overlay.create({ lowers, upper });
   * });
   * ```
   */
  onRemoteChange(listener: (change: RemoteChange) => void): () => void {
    return this.#channel?.listen(listener) ?? (() => {});
  }

  /** Takes the writer lock once (a no-op resolving true without `whenLocked`). */
  #writable(): Promise<boolean> {
    if (!this.#whenLocked) return Promise.resolve(true);
    this.#writer ??= this.#lock.acquire(this.#whenLocked).then((writer) => {
      this.#readOnly = !writer;
      return writer;
    });
    return this.#writer;
  }

  async #mustWrite(): Promise<void> {
    if (await this.#writable()) return;
    throw new FsError('EROFS', 'write', undefined, undefined, {
      cause: new Error(`workspace '${this.name}' is open for writing in another tab; this one is read-only`),
    });
  }

  async load(): Promise<UpperSnapshot> {
    // Who writes is settled before the first read: a waiting upper loads what the last writer left.
    await this.#writable();
    await this.#settle();
    return this.#db.run('readonly', async (store) => {
      // All requests are issued before the first await: the transaction stays alive for them.
      const requests = [
        promisifyRequest(store.get(metaKey())),
        promisifyRequest(store.getAll(kindRange('i'))),
        promisifyRequest(store.getAllKeys(kindRange('d'))),
        promisifyRequest(store.getAll(kindRange('d'))),
        promisifyRequest(store.getAllKeys(kindRange('c'))),
      ] as const;
      const [meta, inodes, direntKeys, direntValues, chunkKeys] = await Promise.all(requests);
      const dirents: UpperDirent[] = [];
      direntKeys.forEach((key, i) => {
        const k = parseKey(key);
        if (k.tag === 'd')
          dirents.push({ parent: k.parent, name: k.name, ino: direntValues[i] as number | null });
      });
      const chunks: { ino: number; index: number }[] = [];
      for (const key of chunkKeys) {
        const k = parseKey(key);
        if (k.tag === 'c') chunks.push({ ino: k.ino, index: k.index });
      }
      return { meta: meta as UpperMeta | undefined, inodes: inodes as UpperInode[], dirents, chunks };
    });
  }

  /**
   * One operation's changes in one read-write transaction; resolves once it
   * committed. In write-back mode: resolves once queued (see `sync()`).
   */
  async commit(changes: readonly UpperChange[]): Promise<void> {
    await this.#mustWrite();
    return this.#group ? this.#group.add(changes) : this.#store(changes);
  }

  async #store(changes: readonly UpperChange[]): Promise<void> {
    await this.#db.run('readwrite', (store) => applyChanges(store, changes));
    this.#channel?.post();
  }

  async readChunk(ino: number, index: number): Promise<Uint8Array | undefined> {
    const pending = this.#group?.chunk(ino, index);
    if (pending !== undefined) return pending ?? undefined;
    const data = await this.#db.run('readonly', (store) => promisifyRequest(store.get(chunkKey(ino, index))));
    return data as Uint8Array | undefined;
  }

  /** Drops every record in one transaction (and, in write-back mode, everything still queued). */
  async clear(): Promise<void> {
    await this.#mustWrite();
    await this.#group?.discard();
    await this.#db.run('readwrite', (store) => {
      store.clear();
    });
    this.#channel?.post();
  }

  /** Chunk bytes and records (inodes and directory entries) stored, as `MemoryUpper` counts them. */
  async usage(): Promise<UpperUsage> {
    await this.#settle();
    return this.#db.run('readonly', async (store) => {
      const requests = [
        promisifyRequest(store.getAll(kindRange('s'))),
        promisifyRequest(store.count(kindRange('i'))),
        promisifyRequest(store.count(kindRange('d'))),
      ] as const;
      const [sizes, inodes, dirents] = await Promise.all(requests);
      const bytes = (sizes as number[]).reduce((n, s) => n + s, 0);
      return { bytes, entries: inodes + dirents };
    });
  }

  /**
   * The write-back barrier: resolves once every operation acknowledged before
   * the call is committed. In write-back mode an acknowledged operation is in
   * this tab's view at once and in the store within `delayMs` (sooner when a
   * group fills up); a crash before that loses a suffix of the acknowledged
   * operations, never part of one. If a group commit fails, `sync()` rejects
   * with its error (a `QuotaExceededError` is ENOSPC through `ov.sync()`), the
   * store keeps everything before that group, and further writes are refused
   * until `reset()`. Without write-back, every operation is durable when it
   * resolves and `sync()` has nothing to wait for.
   */
  async sync(): Promise<void> {
    if (!this.#group) return;
    await this.#group.flushed();
    const failure = this.#group.failure;
    if (failure) throw failure.error;
  }

  /** Storage-level consistency: record shapes, and a length record for every chunk. */
  async check(): Promise<UpperProblem[]> {
    await this.#settle();
    return this.#db.run('readonly', (store) => checkStore(store));
  }

  /**
   * Closes the database connection (commits still queued are committed first)
   * and hands the writer lock to the next tab waiting for it.
   */
  async close(): Promise<void> {
    await this.#settle();
    await this.#db.close();
    this.#lock.release();
    this.#channel?.close();
  }

  /** Everything queued is committed (or has failed) before a read of the whole store. */
  async #settle(): Promise<void> {
    await this.#group?.flushed();
  }
}
