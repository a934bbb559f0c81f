/**
 * Detection of a lost or rolled-back IndexedDB: the upper's commit mark (see
 * ../commit-mark.ts) checked against what the database holds at every load,
 * and moved forward after every commit. Without an OPFS root (Node, a browser
 * without one) there is no mark and nothing to check: the upper behaves as it
 * did before marks.
 */
import { type CommitMark, CommitMarkFile } from '../commit-mark.js';
import { storeLoss } from '../errors.js';
import type { OpfsRoot } from '../opfs/types.js';

/** What a workspace's mark says, and the check of a store against it. */
export class StoreGuard {
  readonly #marks: CommitMarkFile | undefined;
  readonly #store: string;
  /** A missing or older store is accepted (and the mark moved to it) instead of failing. */
  readonly #create: boolean;
  /** The newest mark: what the store is known to hold (written, or about to be). */
  #mark: CommitMark | undefined;
  /** The mark on disk, as last read or written. */
  #written: CommitMark | undefined;
  /** The next mark to write, and the writer in flight: marks are written one at a time, the newest wins. */
  #pending: CommitMark | undefined;
  #writing: Promise<void> | undefined;
  /** Why the last mark write failed, until one succeeds. */
  error: unknown;

  constructor(root: OpfsRoot | undefined, store: string, create: boolean) {
    // 'idb:' keeps the names of IndexedDB stores' marks apart from other uppers' marks.
    this.#marks = root ? new CommitMarkFile(root, `idb:${store}`) : undefined;
    this.#store = store;
    this.#create = create;
  }

  /** Whether this workspace has a mark to check against. */
  get active(): boolean {
    return this.#marks !== undefined;
  }

  /**
   * Reads the mark; resolves to whether the store must already exist (a mark
   * says the workspace committed before, and `create` is not set).
   */
  async begin(): Promise<boolean> {
    if (!this.#marks) return false;
    await this.#writing;
    this.#mark = await this.#marks.read();
    this.#written = this.#mark;
    return !this.#create && (this.#mark?.seq ?? 0) > 0;
  }

  /** The EIO for a store that is missing: what the mark says was there. */
  missing(): Error | undefined {
    const mark = this.#mark;
    if (!mark || mark.seq === 0 || this.#create) return undefined;
    return storeLoss('store-lost', this.#store, mark, 0);
  }

  /**
   * Checks the store's last commit `found` against the mark: EIO `store-lost`
   * for an empty store, `store-rolled-back` for an older one. Resolves to
   * whether the mark should be written now (none yet, or `create` accepted an older store).
   */
  check(found: number): boolean {
    const mark = this.#mark;
    if (!this.#marks) return false;
    if (mark && found < mark.seq) {
      if (!this.#create)
        throw storeLoss(found === 0 ? 'store-lost' : 'store-rolled-back', this.#store, mark, found);
      return true;
    }
    return found > 0 && (mark === undefined || mark.seq !== found);
  }

  /**
   * Moves the mark to commit `seq` (after the store committed it). The write is started and
   * not awaited: `settled()` waits for it. Commits faster than the writes coalesce (the newest
   * mark is written next); a mark is never written for a commit the store does not hold.
   */
  committed(seq: number, timeMs: number): void {
    if (!this.#marks) return;
    this.#mark = { seq, timeMs };
    this.#pending = this.#mark;
    this.#writing ??= this.#drain();
  }

  async #drain(): Promise<void> {
    const marks = this.#marks;
    try {
      while (marks && this.#pending) {
        const mark = this.#pending;
        this.#pending = undefined;
        try {
          // Moving back (create: true over an older store) rewrites both slots; forward, one.
          if (this.#written && mark.seq < this.#written.seq) await marks.reset(mark);
          else await marks.write(mark);
          this.#written = mark;
          this.error = undefined;
        } catch (error) {
          this.error = error;
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** Resolves once every mark given to `committed` is written (or failed: see `error`). */
  async settled(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** Forgets the mark: the workspace was deleted on purpose. */
  async remove(): Promise<void> {
    await this.settled();
    this.#mark = undefined;
    this.#written = undefined;
    await this.#marks?.remove();
  }
}
