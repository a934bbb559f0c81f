import { promisifyRequest } from 'idb-keyval';
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

  constructor(options: IndexedDBUpperOptions) {
    this.name = options.name;
    this.#db = new Database(options.name, options);
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

  async load(): Promise<UpperSnapshot> {
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
  commit(changes: readonly UpperChange[]): Promise<void> {
    return this.#group ? this.#group.add(changes) : this.#store(changes);
  }

  #store(changes: readonly UpperChange[]): Promise<void> {
    return this.#db.run('readwrite', (store) => applyChanges(store, changes));
  }

  async readChunk(ino: number, index: number): Promise<Uint8Array | undefined> {
    const pending = this.#group?.chunk(ino, index);
    if (pending !== undefined) return pending ?? undefined;
    const data = await this.#db.run('readonly', (store) => promisifyRequest(store.get(chunkKey(ino, index))));
    return data as Uint8Array | undefined;
  }

  /** Drops every record in one transaction (and, in write-back mode, everything still queued). */
  async clear(): Promise<void> {
    await this.#group?.discard();
    await this.#db.run('readwrite', (store) => {
      store.clear();
    });
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

  /** Closes the database connection (commits still queued are committed first). */
  async close(): Promise<void> {
    await this.#settle();
    await this.#db.close();
  }

  /** Everything queued is committed (or has failed) before a read of the whole store. */
  async #settle(): Promise<void> {
    await this.#group?.flushed();
  }
}
