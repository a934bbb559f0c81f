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
  /** The mark as last read or written. */
  #mark: CommitMark | undefined;

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
    this.#mark = await this.#marks.read();
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

  /** Moves the mark to commit `seq` (after the store committed it, before it is acknowledged). */
  async committed(seq: number, timeMs: number): Promise<void> {
    if (!this.#marks) return;
    const mark = { seq, timeMs };
    if (this.#mark && seq < this.#mark.seq) await this.#marks.reset(mark);
    else await this.#marks.write(mark);
    this.#mark = mark;
  }

  /** Forgets the mark: the workspace was deleted on purpose. */
  async remove(): Promise<void> {
    this.#mark = undefined;
    await this.#marks?.remove();
  }
}
