/**
 * Write-back mode: operations are acknowledged once queued, and committed in
 * groups — one transaction for everything queued while the previous group was
 * committing, or for whatever `delayMs` collected. The store therefore always
 * holds a prefix of the acknowledged operations, cut at an operation boundary.
 */
import type { UpperChange } from '../layer.js';
import { getOrInsert } from '../map.js';
import { coalesce } from './coalesce.js';

/**
 * Write-back of an `IndexedDBUpper`: operations resolve once queued and are committed
 * in groups; these bound how long and how much a group collects.
 *
 * @example
 * ```ts
 * const upper = new IndexedDBUpper({ name: 'ws', writeBack: { delayMs: 50, maxBytes: 4 << 20 } });
 * ```
 */
export interface WriteBackOptions {
  /** Longest an acknowledged operation waits before its group starts committing (ms; default 20). */
  delayMs?: number;
  /** A group starts committing as soon as it holds this many operations (default 1000). */
  maxOps?: number;
  /** … or this many chunk bytes (default 8 MiB). */
  maxBytes?: number;
}

/**
 * Why writes are refused after a group commit failed: the stored state ends before that group.
 * The overlay's calls reject with EIO whose `cause` is this error; `reset()` or reopening clears it.
 *
 * @example
 * ```ts
 * try {
 *   await ov.writeFile('/a.txt', 'a');
 * } catch (error) {
 *   if (error instanceof FsError && error.cause instanceof WriteBackFailedError) console.warn('earlier writes were lost');
 * }
 * ```
 */
export class WriteBackFailedError extends Error {
  /** Always `'WriteBackFailedError'`. */
  override readonly name = 'WriteBackFailedError';
}

/** Chunks of operations not yet committed: what reads must see before the store does. */
interface Pending {
  /** A `drop-inode` is queued: chunks not listed here are gone. */
  dropped: boolean;
  /** index → bytes, or null for a dropped chunk. */
  chunks: Map<number, Uint8Array | null>;
}

const chunkBytes = (changes: readonly UpperChange[]): number =>
  changes.reduce((n, c) => n + (c.op === 'put-chunk' ? c.data.byteLength : 0), 0);

export class GroupCommit {
  readonly #commit: (changes: UpperChange[]) => Promise<void>;
  readonly #delayMs: number;
  readonly #maxOps: number;
  readonly #maxBytes: number;
  #queued: UpperChange[][] = [];
  #queuedBytes = 0;
  #running: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failure: { error: unknown } | undefined;
  #pending = new Map<number, Pending>();

  constructor(commit: (changes: UpperChange[]) => Promise<void>, options: WriteBackOptions = {}) {
    this.#commit = commit;
    this.#delayMs = options.delayMs ?? 20;
    this.#maxOps = options.maxOps ?? 1000;
    this.#maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  }

  /**
   * Queues one operation's changes. Resolves at once, or — when a full group
   * is queued behind one still committing — once that one is done, so a bulk
   * import runs at the store's pace instead of filling memory.
   */
  async add(changes: readonly UpperChange[]): Promise<void> {
    if (this.#failure) {
      throw new WriteBackFailedError('an earlier group commit failed; writes are refused until reset', {
        cause: this.#failure.error,
      });
    }
    // Our own copies: the engine may reuse a chunk's buffer once the call resolves.
    const own = changes.map((c) => (c.op === 'put-chunk' ? { ...c, data: c.data.slice() } : c));
    this.#queued.push(own);
    this.#queuedBytes += chunkBytes(own);
    this.#remember(own);
    const full = this.#queued.length >= this.#maxOps || this.#queuedBytes >= this.#maxBytes;
    if (!full) {
      this.#timer ??= setTimeout(() => this.#start(), this.#delayMs);
      return;
    }
    const running = this.#running;
    this.#start();
    if (running) await running;
  }

  /**
   * What reads must return for a chunk that queued or committing operations
   * touch: bytes, `null` for gone, `undefined` when the store has the answer.
   */
  chunk(ino: number, index: number): Uint8Array | null | undefined {
    const p = this.#pending.get(ino);
    if (!p) return undefined;
    const c = p.chunks.get(index);
    if (c !== undefined) return c;
    return p.dropped ? null : undefined;
  }

  /** Commits everything queued and waits for it; never rejects (see `failure`). */
  async flushed(): Promise<void> {
    while (this.#running || (this.#queued.length > 0 && !this.#failure)) {
      this.#start();
      await this.#running;
    }
  }

  /** The error of the group commit that failed, if one did. */
  get failure(): { error: unknown } | undefined {
    return this.#failure;
  }

  /** Forgets everything queued (the store is about to be cleared) and the failure, if any. */
  async discard(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queued = [];
    this.#queuedBytes = 0;
    await this.#running;
    this.#failure = undefined;
    this.#pending.clear();
  }

  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running || this.#queued.length === 0 || this.#failure) return;
    const group = this.#queued;
    this.#queued = [];
    this.#queuedBytes = 0;
    this.#running = this.#commit(coalesce(group.flat())).then(
      () => {
        this.#running = null;
        // Reads of committed chunks now go to the store; queued ones stay pending.
        this.#pending.clear();
        for (const op of this.#queued) this.#remember(op);
        // Whatever was queued while this group committed is the next group.
        if (this.#queued.length > 0) this.#start();
      },
      (error: unknown) => {
        // Keep the pending chunks: this tab's view still shows the operations the store lost.
        this.#failure = { error };
        this.#running = null;
      },
    );
  }

  #remember(changes: readonly UpperChange[]): void {
    for (const c of changes) {
      if (c.op === 'drop-inode') this.#pending.set(c.ino, { dropped: true, chunks: new Map() });
      else if (c.op === 'put-chunk' || c.op === 'drop-chunk') {
        const p = getOrInsert(this.#pending, c.ino, () => ({ dropped: false, chunks: new Map() }));
        p.chunks.set(c.index, c.op === 'put-chunk' ? c.data : null);
      }
    }
  }
}
