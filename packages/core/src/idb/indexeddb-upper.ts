import { promisifyRequest } from 'idb-keyval';
import { FsError } from '../errors.js';
import type {
  SnapshotInfo,
  UpperChange,
  UpperInode,
  UpperLayer,
  UpperMeta,
  UpperProblem,
  UpperSnapshot,
  UpperUsage,
} from '../layer.js';
import { getOrInsert } from '../map.js';
import { applyChanges } from './apply.js';
import { checkStore } from './check.js';
import { coalesce } from './coalesce.js';
import { Database, type DatabaseOptions } from './database.js';
import { GroupCommit, type WriteBackOptions } from './group-commit.js';
import {
  badJournalValue,
  Journal,
  type JournalLimits,
  type JournalRecord,
  ownChanges,
  RecordState,
} from './journal.js';
import { chunkKey, journalKey, journalRange, kindRange, metaKey, parseKey } from './keys.js';
import {
  allKept,
  deleteLive,
  dropIn,
  keptTouched,
  listIn,
  moveKept,
  type Pins,
  pinAll,
  readPins,
  restoreSnapshotIn,
  takeSnapshot,
  unpin,
} from './snapshots.js';
import { ChangeChannel, type RemoteChange, type WhenLocked, WriterLock } from './tabs.js';

/**
 * What `new IndexedDBUpper(options)` takes: the workspace's name, and how writes are
 * committed and shared with other tabs.
 *
 * @example
 * ```ts
 * // A second tab that finds the workspace in use shows it read-only and follows the writer.
 * const upper = new IndexedDBUpper({ name: 'lesson-1', whenLocked: 'read-only', durability: 'relaxed' });
 * ```
 */
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
  /**
   * Opens the workspace read-only whatever other tabs do (a preview, a second
   * window): every write fails with EROFS, and the view follows the writer's
   * commits as a `whenLocked: 'read-only'` tab's does.
   */
  readOnly?: boolean;
  /**
   * When commits stored as one journal record each are folded into the keyed
   * records (see journal.ts): after `idleMs` without commits (default 1000),
   * or once `maxRecords` (4096) or `maxBytes` (8 MiB) are journaled; a commit
   * of more than `directBytes` (2 MiB) of data, or with a chunk of `directChunk`
   * (32 KiB) or more, is stored keyed at once.
   */
  journal?: JournalLimits;
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
  /** The workspace's name: the IndexedDB database this upper uses. */
  readonly name: string;
  readonly #db: Database;
  readonly #group: GroupCommit | undefined;
  readonly #whenLocked: WhenLocked | undefined;
  readonly #lock: WriterLock;
  readonly #channel: ChangeChannel | undefined;
  /** Resolves to whether this upper may write; settled on first use. */
  #writer: Promise<boolean> | undefined;
  #readOnly = false;
  readonly #forcedReadOnly: boolean;
  /** Overlays over this upper, told to reload their view when another tab committed. */
  readonly #refreshers = new Set<() => Promise<void>>();
  readonly #listeners = new Set<(change: RemoteChange) => void>();
  /** A refresh in flight, and whether another message came meanwhile (one more round then). */
  #refreshing: Promise<void> | undefined;
  #heardAgain = false;
  #journal: Journal;
  readonly #limits: JournalLimits;
  /** Commits, compactions and loads, one after the other (the journal's order is the store's). */
  #chain: Promise<unknown> = Promise.resolve();
  #idle: ReturnType<typeof setTimeout> | undefined;
  #lastCommit = 0;
  /** Live chunks snapshots keep (see snapshots.ts), read once, then kept up to date. */
  #pins: Pins | undefined;

  constructor(options: IndexedDBUpperOptions) {
    this.name = options.name;
    this.#db = new Database(options.name, options);
    this.#whenLocked = options.whenLocked;
    this.#lock = new WriterLock(options.name);
    this.#forcedReadOnly = options.readOnly === true;
    this.#channel =
      options.whenLocked || this.#forcedReadOnly
        ? new ChangeChannel(options.name, () => this.#heard())
        : undefined;
    this.#limits = { ...options.journal };
    this.#journal = new Journal(this.#limits);
    // The database was deleted under us: what we journaled is gone with it, and must not come back.
    this.#db.onVersionChange = () => {
      clearTimeout(this.#idle);
      this.#idle = undefined;
      this.#journal = new Journal(this.#limits);
    };
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
   * Calls `listener` each time the writer (another tab) committed, once this
   * upper's overlays show the change: a read-only upper reloads the records
   * into every overlay opened on it (no reopen needed; inode numbers stay).
   * Messages that arrive during a reload are answered by one more reload.
   * Only with `whenLocked` or `readOnly` set. Returns the function that stops listening.
   *
   * @example
   * ```ts
   * const upper = new IndexedDBUpper({ name: 'w', whenLocked: 'read-only' });
   * const ov = await Overlay.create({ lowers: [base], upper });
   * const stop = upper.onRemoteChange(() => console.log(ov.existsSync('/new.txt'))); // ov already shows the writer's change
   * stop(); // no more calls

   * ```
   */
  onRemoteChange(listener: (change: RemoteChange) => void): () => void {
    if (!this.#channel) return () => {};
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Called by `Overlay.create` on this upper: `refresh` reloads that overlay's
   * view from `load()`. A read-only upper calls it after each commit another
   * tab announces, before telling `onRemoteChange` listeners.
   */
  watch(refresh: () => Promise<void>): void {
    this.#refreshers.add(refresh);
  }

  /** Another tab committed: reload (readers only; a writer's view is the truth), then tell the listeners. */
  #heard(): void {
    if (this.#refreshing) {
      this.#heardAgain = true;
      return;
    }
    this.#refreshing = (async () => {
      do {
        this.#heardAgain = false;
        if (this.#readOnly) {
          for (const refresh of this.#refreshers) await refresh().catch(() => {});
        }
        for (const listener of this.#listeners) listener({ name: this.name });
      } while (this.#heardAgain);
    })().finally(() => {
      this.#refreshing = undefined;
    });
  }

  /** Takes the writer lock once (a no-op resolving true without `whenLocked`). */
  #writable(): Promise<boolean> {
    if (this.#forcedReadOnly) {
      this.#readOnly = true;
      return Promise.resolve(false);
    }
    if (!this.#whenLocked) return Promise.resolve(true);
    this.#writer ??= this.#lock.acquire(this.#whenLocked).then((writer) => {
      this.#readOnly = !writer;
      return writer;
    });
    return this.#writer;
  }

  async #mustWrite(): Promise<void> {
    if (await this.#writable()) return;
    const why = this.#forcedReadOnly
      ? `workspace '${this.name}' was opened read-only (readOnly: true)`
      : `workspace '${this.name}' is open for writing in another tab; this one is read-only`;
    throw new FsError('EROFS', 'write', undefined, undefined, { cause: new Error(why) });
  }

  /** Everything stored, the journal applied; settles first who writes (see `whenLocked`). */
  async load(): Promise<UpperSnapshot> {
    // Who writes is settled before the first read: a waiting upper loads what the last writer left.
    await this.#writable();
    await this.#settle();
    return this.#serial(() =>
      this.#db.run('readonly', async (store) => {
        // All requests are issued before the first await: the transaction stays alive for them.
        const requests = [
          promisifyRequest(store.get(metaKey())),
          promisifyRequest(store.getAll(kindRange('i'))),
          promisifyRequest(store.getAllKeys(kindRange('d'))),
          promisifyRequest(store.getAll(kindRange('d'))),
          promisifyRequest(store.getAllKeys(kindRange('c'))),
          promisifyRequest(store.getAllKeys(kindRange('j'))),
          promisifyRequest(store.getAll(kindRange('j'))),
        ] as const;
        const [meta, inodes, direntKeys, direntValues, chunkKeys, journalKeys, journalValues] =
          await Promise.all(requests);
        const state = new RecordState();
        state.meta = meta as UpperMeta | undefined;
        for (const rec of inodes as UpperInode[]) state.inodes.set(rec.ino, rec);
        direntKeys.forEach((key, i) => {
          const k = parseKey(key);
          if (k.tag === 'd')
            state.apply([
              {
                op: 'put-dirent',
                dirent: { parent: k.parent, name: k.name, ino: direntValues[i] as number | null },
              },
            ]);
        });
        for (const key of chunkKeys) {
          const k = parseKey(key);
          if (k.tag === 'c')
            getOrInsert(state.chunks, k.ino, () => new Map<number, number>()).set(k.index, 0);
        }
        // The journal left over the keyed records, oldest first; this upper now knows exactly these.
        const journal = new Journal(this.#limits);
        journalKeys.forEach((key, i) => {
          const k = parseKey(key);
          // A record that is not a list of changes cannot be replayed; fsck reports it (check.ts).
          if (k.tag !== 'j' || badJournalValue(journalValues[i]) !== undefined) return;
          const record: JournalRecord = { seq: k.seq, changes: journalValues[i] as UpperChange[] };
          state.apply(record.changes);
          journal.add(record);
        });
        journal.nextSeq = Math.max(journal.nextSeq, this.#journal.nextSeq);
        // Folded by this upper's next compaction, after a commit of its own (a reader never folds).
        this.#journal = journal;
        const snapshot: UpperSnapshot = {
          meta: state.meta,
          inodes: [...state.inodes.values()],
          dirents: state.direntList(),
          chunks: state.chunkList(),
        };
        return snapshot;
      }),
    );
  }

  /**
   * One operation's changes in one read-write transaction; resolves once it
   * committed. In write-back mode: resolves once queued (see `sync()`).
   */
  async commit(changes: readonly UpperChange[]): Promise<void> {
    await this.#mustWrite();
    return this.#group ? this.#group.add(changes) : this.#store(changes);
  }

  /**
   * One commit: one journal record (one request), or — for a commit carrying
   * more than `directBytes` of data — its changes keyed at once, with the
   * journal folded in and deleted in the same transaction.
   */
  async #store(changes: readonly UpperChange[]): Promise<void> {
    await this.#serial(async () => {
      const journal = this.#journal;
      if (journal.direct(changes)) {
        await this.#fold(journal, changes);
      } else {
        const seq = journal.nextSeq++;
        const record: JournalRecord = { seq, changes: ownChanges(changes) };
        await this.#db.run('readwrite', (store) => {
          // `add`: another upper on this database that wrote the same number fails this commit (EIO) rather than overwrite it.
          store.add(record.changes, journalKey(seq));
        });
        journal.add(record);
        this.#lastCommit = Date.now();
        if (journal.full) void this.#compact().catch(() => {});
        else this.#armIdle();
      }
    });
    this.#channel?.post();
  }

  /**
   * Applies the journal (and `extra`) to the keyed records and deletes the
   * journal records applied, in one transaction. Only records still stored
   * are applied: another upper on this database (a reload that never closed
   * this one) may have folded them already, and applying them again over its
   * later changes would undo those.
   */
  async #fold(journal: Journal, extra: readonly UpperChange[] = []): Promise<void> {
    const records = journal.records.slice();
    const first = records[0]?.seq;
    const last = records[records.length - 1]?.seq;
    if ((first === undefined || last === undefined) && extra.length === 0) return;
    const pins = await this.#pinsLoaded();
    let moved: ReturnType<typeof keptTouched> = [];
    await this.#db.run('readwrite', (store) => {
      const write = (live: readonly JournalRecord[]): Promise<unknown> => {
        const changes = coalesce([...live.flatMap((r) => r.changes), ...extra]);
        // Chunks a snapshot keeps are moved aside first: these `get`s run before the changes.
        moved = keptTouched(changes, pins);
        const moving = moveKept(store, moved);
        applyChanges(store, changes);
        const from = live[0]?.seq;
        if (from !== undefined && last !== undefined) store.delete(journalRange(from, last));
        return moving;
      };
      if (first === undefined || last === undefined) {
        return write([]).then(() => undefined);
      }
      // Requests are issued from the success callback, while the transaction is still active.
      return new Promise<void>((resolve, reject) => {
        const request = store.getAllKeys(journalRange(first, last));
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const present = new Set<number>();
          for (const key of request.result) {
            const k = parseKey(key);
            if (k.tag === 'j') present.add(k.seq);
          }
          // Ours still stored: a suffix of what we know, and nobody else's in between.
          const from = records.findIndex((r) => present.has(r.seq));
          const live = from < 0 ? [] : records.slice(from);
          const exact = live.length === present.size && live.every((r) => present.has(r.seq));
          write(exact ? live : []).then(() => resolve(), reject);
        };
      });
    });
    unpin(pins, moved);
    if (last !== undefined) journal.drop(last);
  }

  /** Folds the journal into the keyed records (a writer only; readers leave it to the writer). */
  #compact(): Promise<void> {
    return this.#serial(async () => {
      clearTimeout(this.#idle);
      this.#idle = undefined;
      if (this.#readOnly || this.#journal.records.length === 0) return;
      await this.#fold(this.#journal);
    });
  }

  /** Compaction once no commit came for `idleMs`. */
  #armIdle(): void {
    if (this.#idle !== undefined || this.#readOnly) return;
    const wait = Math.max(0, this.#lastCommit + this.#journal.idleMs - Date.now());
    const timer = setTimeout(() => {
      this.#idle = undefined;
      if (Date.now() - this.#lastCommit < this.#journal.idleMs) this.#armIdle();
      else void this.#compact().catch(() => {});
    }, wait);
    // Node: a pending compaction does not keep the process alive (the journal is durable as it is).
    (timer as { unref?: () => void }).unref?.();
    this.#idle = timer;
  }

  /** Runs `fn` after every commit, compaction and load queued before it. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn);
    this.#chain = run.catch(() => {});
    return run;
  }

  /** One chunk of a file's bytes (queued or journaled writes included); `undefined` when not stored. */
  async readChunk(ino: number, index: number): Promise<Uint8Array | undefined> {
    const pending = this.#group?.chunk(ino, index);
    if (pending !== undefined) return pending ?? undefined;
    const journaled = this.#journal.chunk(ino, index);
    if (journaled !== undefined) return journaled ?? undefined;
    const data = await this.#db.run('readonly', (store) => promisifyRequest(store.get(chunkKey(ino, index))));
    return data as Uint8Array | undefined;
  }

  /** Drops every record in one transaction (and, in write-back mode, everything still queued). */
  async clear(): Promise<void> {
    await this.#mustWrite();
    await this.#group?.discard();
    await this.#serial(async () => {
      const pins = await this.#pinsLoaded();
      // Snapshots outlive a clear ("Reset lesson" takes one first): the chunks they keep move aside.
      await this.#db.run('readwrite', async (store) => {
        await moveKept(store, allKept(pins));
        deleteLive(store);
      });
      pins.clear();
      clearTimeout(this.#idle);
      this.#idle = undefined;
      this.#journal.drop(Number.POSITIVE_INFINITY);
    });
    this.#channel?.post();
  }

  /** The pins, read from the store the first time they are needed. */
  async #pinsLoaded(): Promise<Pins> {
    this.#pins ??= await this.#db.run('readonly', (store) => readPins(store));
    return this.#pins;
  }

  /**
   * Freezes the records as they are (see `UpperLayer.snapshot`): queued and journaled changes
   * are stored first, then one transaction writes the snapshot's record and pins its chunks —
   * records, not chunk bytes.
   */
  async snapshot(label?: string): Promise<SnapshotInfo> {
    await this.#mustWrite();
    await this.sync();
    return this.#serial(async () => {
      await this.#fold(this.#journal);
      const pins = await this.#pinsLoaded();
      const { info, pinned } = await this.#db.run('readwrite', (store) => takeSnapshot(store, pins, label));
      pinAll(pins, pinned);
      return info;
    });
  }

  /** The live records become snapshot `id`'s again, in one transaction (see `UpperLayer.restoreSnapshot`). */
  async restoreSnapshot(id: string, meta: UpperMeta): Promise<void> {
    await this.#mustWrite();
    await this.sync();
    await this.#serial(async () => {
      await this.#fold(this.#journal);
      const pins = await this.#pinsLoaded();
      const restored = await this.#db.run('readwrite', (store) => restoreSnapshotIn(store, pins, id, meta));
      pins.clear();
      pinAll(pins, restored);
    });
    this.#channel?.post();
  }

  /** The snapshots kept, oldest first. */
  async listSnapshots(): Promise<SnapshotInfo[]> {
    return this.#serial(() => this.#db.run('readonly', (store) => listIn(store)));
  }

  /** Forgets a snapshot and the chunk bytes only it kept. */
  async dropSnapshot(id: string): Promise<void> {
    await this.#mustWrite();
    await this.#serial(async () => {
      const pins = await this.#pinsLoaded();
      const unpinned = await this.#db.run('readwrite', (store) => dropIn(store, pins, id));
      unpin(pins, unpinned);
    });
  }

  /** Chunk bytes and records (inodes and directory entries) stored, as `MemoryUpper` counts them. */
  async usage(): Promise<UpperUsage> {
    await this.#settle();
    return this.#serial(() =>
      this.#db.run('readonly', async (store) => {
        const requests = [
          promisifyRequest(store.getAllKeys(kindRange('s'))),
          promisifyRequest(store.getAll(kindRange('s'))),
          promisifyRequest(store.getAllKeys(kindRange('i'))),
          promisifyRequest(store.getAllKeys(kindRange('d'))),
          promisifyRequest(store.getAll(kindRange('j'))),
        ] as const;
        const [sizeKeys, sizes, inodeKeys, direntKeys, journal] = await Promise.all(requests);
        // Counted as the keyed records stand once the journal is applied to them.
        const inodes = new Set<number>();
        const dirents = new Map<number, Set<string>>();
        const chunks = new Map<number, Map<number, number>>();
        for (const key of inodeKeys) {
          const k = parseKey(key);
          if (k.tag === 'i') inodes.add(k.ino);
        }
        for (const key of direntKeys) {
          const k = parseKey(key);
          if (k.tag === 'd') getOrInsert(dirents, k.parent, () => new Set()).add(k.name);
        }
        sizeKeys.forEach((key, i) => {
          const k = parseKey(key);
          if (k.tag === 's') getOrInsert(chunks, k.ino, () => new Map()).set(k.index, sizes[i] as number);
        });
        for (const changes of journal as UpperChange[][]) {
          for (const c of changes) {
            if (c.op === 'put-inode') inodes.add(c.inode.ino);
            else if (c.op === 'drop-inode') {
              inodes.delete(c.ino);
              dirents.delete(c.ino);
              chunks.delete(c.ino);
            } else if (c.op === 'put-dirent')
              getOrInsert(dirents, c.dirent.parent, () => new Set()).add(c.dirent.name);
            else if (c.op === 'drop-dirent') dirents.get(c.parent)?.delete(c.name);
            else if (c.op === 'put-chunk')
              getOrInsert(chunks, c.ino, () => new Map()).set(c.index, c.data.byteLength);
            else if (c.op === 'drop-chunk') chunks.get(c.ino)?.delete(c.index);
          }
        }
        let bytes = 0;
        for (const lengths of chunks.values()) for (const n of lengths.values()) bytes += n;
        let entries = inodes.size;
        for (const names of dirents.values()) entries += names.size;
        return { bytes, entries };
      }),
    );
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
    return this.#serial(() => this.#db.run('readonly', (store) => checkStore(store)));
  }

  /**
   * Closes the database connection (commits still queued are committed first)
   * and hands the writer lock to the next tab waiting for it.
   */
  async close(): Promise<void> {
    await this.#settle();
    // A writer leaves its journal folded: the next open reads keyed records only.
    // Only a writer folds (#compact checks): one that never loaded has no journal to fold.
    await this.#compact().catch(() => {});
    await this.#chain;
    clearTimeout(this.#idle);
    this.#idle = undefined;
    await this.#db.close();
    this.#lock.release();
    this.#channel?.close();
  }

  /** Everything queued is committed (or has failed) before a read of the whole store. */
  async #settle(): Promise<void> {
    await this.#group?.flushed();
  }

  /** Folds the journal into the keyed records now (it happens by itself when idle or full). */
  async compact(): Promise<void> {
    await this.#settle();
    await this.#compact();
  }
}
