/**
 * One workspace = one IndexedDB database holding one object store. This is
 * idb-keyval's `createStore` (same shape: a function that hands the callback
 * the raw object store inside one transaction) with what an upper needs on
 * top: the transaction's durability, an injectable `IDBFactory` (tests isolate
 * themselves with one fake-indexeddb factory each), a transaction promise that
 * rejects with the transaction's own error (a `QuotaExceededError` arrives as
 * an abort, not as a request error), and closing on `versionchange` so that
 * deleting the workspace from another connection is never blocked.
 */
import { promisifyRequest } from 'idb-keyval';
import { FsError } from '../errors.js';

export const STORE = 'upper';
const VERSION = 1;

/** The database name behind a workspace name. */
export const databaseName = (name: string): string => `vellum-upper:${name}`;

/** Where and how an `IndexedDBUpper` opens its database. */
export interface DatabaseOptions {
  /** Where databases live; the global `indexedDB` by default. */
  factory?: IDBFactory;
  /**
   * Passed to every read-write transaction. `'strict'` (the default) resolves a
   * commit only once the data is flushed to disk; browsers without the option ignore it.
   */
  durability?: IDBTransactionDurability;
  /**
   * Fail with ENOENT instead of creating the database when it does not exist. For a workspace
   * that was saved before: Chromium deletes an origin's whole IndexedDB when it finds the store
   * corrupt at startup (a torn LevelDB log after the browser was killed twice), and without this
   * the workspace would silently open empty, as if it had never been changed.
   */
  mustExist?: boolean;
}

/** Runs `fn` on the raw object store inside one transaction; resolves once the transaction completed. */
export type RunInStore = <T>(
  mode: IDBTransactionMode,
  fn: (store: IDBObjectStore) => T | PromiseLike<T>,
) => Promise<T>;

const globalFactory = (): IDBFactory => {
  if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available here');
  return indexedDB;
};

/** Resolves when the transaction commits, rejects with its error when it aborts. */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    // A failed request bubbles an `error` event first; the abort that follows carries the error.
    tx.onabort = () => reject(tx.error ?? new DOMException('The transaction was aborted', 'AbortError'));
  });
}

/** `tx.commit()` where the platform has it and the transaction is still active (else it commits by itself). */
function commitNow(tx: IDBTransaction): void {
  try {
    tx.commit?.();
  } catch {
    // Not active any more (it is committing already): nothing to hurry.
  }
}

/** A lazily opened connection to one workspace's database, and transactions on it. */
export class Database {
  readonly name: string;
  readonly #factory: IDBFactory;
  readonly #durability: IDBTransactionDurability;
  #mustExist: boolean;
  #db: Promise<IDBDatabase> | undefined;
  /** Told when another connection deletes (or upgrades) the database under this one. */
  onVersionChange: (() => void) | undefined;

  constructor(name: string, options: DatabaseOptions = {}) {
    this.name = databaseName(name);
    this.#factory = options.factory ?? globalFactory();
    this.#durability = options.durability ?? 'strict';
    this.#mustExist = options.mustExist === true;
  }

  /**
   * From now on, a missing database is ENOENT rather than created: the workspace
   * is known to have committed (its mark says so, or this upper committed to it).
   */
  requireExisting(): void {
    this.#mustExist = true;
  }

  /** The reverse: a missing database is created again (restoring a workspace on purpose). */
  allowCreate(): void {
    this.#mustExist = false;
  }

  #open(): Promise<IDBDatabase> {
    if (this.#db) return this.#db;
    const request = this.#factory.open(this.name, VERSION);
    let missing = false;
    request.onupgradeneeded = (event) => {
      if (event.oldVersion === 0 && this.#mustExist) {
        // Aborting the upgrade of a database that did not exist leaves none behind.
        missing = true;
        request.transaction?.abort();
        return;
      }
      request.result.createObjectStore(STORE);
    };
    const connected = promisifyRequest(request).catch((error: unknown) => {
      if (!missing) throw error;
      throw new FsError('ENOENT', 'open', this.name, undefined, {
        cause: new Error(
          `the database '${this.name}' does not exist (deleted, or cleared by the browser), and mustExist is set`,
        ),
      });
    });
    const opened = connected.then((db) => {
      // Another connection wants to delete or upgrade: let it, and reopen on next use.
      db.onversionchange = () => {
        db.close();
        this.onVersionChange?.();
        if (this.#db === opened) this.#db = undefined;
      };
      db.onclose = () => {
        if (this.#db === opened) this.#db = undefined;
      };
      return db;
    });
    opened.catch(() => {
      if (this.#db === opened) this.#db = undefined;
    });
    this.#db = opened;
    return opened;
  }

  /** Runs `fn` in one transaction; if `fn` throws, the transaction is aborted and nothing is applied. */
  readonly run: RunInStore = async (mode, fn) => {
    const db = await this.#open();
    const tx =
      mode === 'readwrite'
        ? db.transaction(STORE, mode, { durability: this.#durability })
        : db.transaction(STORE, mode);
    const done = transactionDone(tx);
    try {
      const result = await fn(tx.objectStore(STORE));
      // Every request is issued: commit now rather than after a round trip for the last request's
      // result (Chromium otherwise waits for it before auto-committing).
      if (mode === 'readwrite') commitNow(tx);
      await done;
      return result;
    } catch (error) {
      done.catch(() => {});
      try {
        tx.abort();
      } catch {
        // Already finished or aborted: the error we have is the one to report.
      }
      throw error;
    }
  };

  /** Closes the connection; the next transaction opens it again. */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (db) (await db.catch(() => undefined))?.close();
  }

  /** Deletes a workspace's database (waits for other connections to close). */
  static async delete(name: string, factory: IDBFactory = globalFactory()): Promise<void> {
    await promisifyRequest(factory.deleteDatabase(databaseName(name)));
  }
}
