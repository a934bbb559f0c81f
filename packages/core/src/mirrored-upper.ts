/**
 * Mirroring: one workspace kept by two independent persistent uppers (IndexedDB primary and
 * OPFS mirror, or the reverse), so that when the browser deletes or rolls back one, the
 * other still holds every acknowledged operation and `recover()` rebuilds the first from it.
 */
import { FsError, hasCode, StoreLossError, storeLoss } from './errors.js';
import type { UpperChange, UpperLayer, UpperProblem, UpperSnapshot, UpperUsage } from './layer.js';

/**
 * A persistent upper that can be one side of a mirror: it numbers its commits and can
 * replace its whole state with another's. `IndexedDBUpper` and `OpfsUpper` are.
 *
 * @example
 * ```ts
 * const side: ReplicaUpper = new OpfsUpper({ name: 'lesson-1' });
 * ```
 */
export interface ReplicaUpper extends UpperLayer {
  /** The workspace's name (what a loss names). */
  readonly name: string;
  /** The sequence number of the last commit stored (after `load()`). */
  readonly committedSeq: number;
  /** Replaces everything stored with `changes` (a whole state) as commit number `seq`, atomically. */
  restore(changes: readonly UpperChange[], seq: number): Promise<void>;
  /** True for an upper that acknowledges before storing: it cannot be mirrored operation by operation. */
  readonly writeBack?: boolean;
}

/** What `recover()` did. */
export interface Recovery {
  /** The commit the rebuilt primary now holds (the mirror's last). */
  seq: number;
  /** Inode and directory-entry records copied, and chunk bytes. */
  entries: number;
  /** Bytes of file contents copied. */
  bytes: number;
}

/**
 * Every record and chunk an upper holds, as the changes that rebuild it elsewhere.
 *
 * @example
 * ```ts
 * const changes = await wholeState(new MemoryUpper());
 * ```
 */
export async function wholeState(upper: UpperLayer): Promise<UpperChange[]> {
  const snapshot = await upper.load();
  const changes: UpperChange[] = [];
  if (snapshot.meta) changes.push({ op: 'put-meta', meta: snapshot.meta });
  for (const inode of snapshot.inodes) changes.push({ op: 'put-inode', inode });
  for (const dirent of snapshot.dirents) changes.push({ op: 'put-dirent', dirent });
  for (const { ino, index } of snapshot.chunks) {
    const data = await upper.readChunk(ino, index);
    if (data !== undefined) changes.push({ op: 'put-chunk', ino, index, data });
  }
  return changes;
}

/**
 * An upper kept twice: every operation is committed to the primary, then to the mirror, and
 * acknowledged once both hold it. Reads come from the primary. At `load()` a mirror that
 * differs from the primary (a crash between the two commits, a mirror the browser cleared) is
 * rebuilt from it. A primary the browser lost fails `load()` as it would alone (EIO,
 * `StoreLossError` cause: `store-lost`, `store-rolled-back`); `recover()` then rebuilds it from
 * the mirror, and the next `load()` opens with every acknowledged operation.
 *
 * A mirror commit that fails after the primary's (the mirror's storage full) does not fail the
 * operation, which is stored: the mirror is rebuilt at the next `load()`, and `check()` says so
 * meanwhile. Both sides must acknowledge only what they stored (no write-back).
 *
 * @example
 * ```ts
 * // In the engine's worker: IndexedDB primary, OPFS mirror.
 * const upper = new MirroredUpper(new IndexedDBUpper({ name: 'w' }), new OpfsUpper({ name: 'w' }));
 * const ov = await Overlay.create({ lowers: [template], upper }).catch(async (error) => {
 *   if (!(error.cause instanceof StoreLossError)) throw error;
 *   await upper.recover(); // the browser lost the database: rebuilt from the mirror
 *   return Overlay.create({ lowers: [template], upper });
 * });
 * ```
 */
export class MirroredUpper implements UpperLayer {
  /** Where reads come from and what `recover()` rebuilds. */
  readonly primary: ReplicaUpper;
  /** The second, independent copy. */
  readonly mirror: ReplicaUpper;
  /** Why the mirror missed a commit (it is rebuilt at the next load), until then. */
  #mirrorBehind: unknown;
  /** Whether the last load rebuilt the mirror from the primary. */
  #resynced = false;

  /** Whether `load()` rebuilds a lost primary from the mirror by itself. */
  readonly #recover: boolean;
  #recovered: Recovery | undefined;

  /** `options.recover`: a lost primary is rebuilt from the mirror at `load()` instead of failing it. */
  constructor(primary: ReplicaUpper, mirror: ReplicaUpper, options: { recover?: boolean } = {}) {
    this.#recover = options.recover === true;
    if (primary.writeBack || mirror.writeBack) {
      throw new FsError('EINVAL', 'open', undefined, undefined, {
        cause: new Error(
          'a mirrored upper needs both sides to store each operation before acknowledging it (no writeBack)',
        ),
      });
    }
    this.primary = primary;
    this.mirror = mirror;
  }

  /** Whether the last `load()` found the mirror behind or different and rebuilt it from the primary. */
  get resynced(): boolean {
    return this.#resynced;
  }

  /** What the last `load()` recovered (with `recover: true`), if it had to. */
  get recovered(): Recovery | undefined {
    return this.#recovered;
  }

  /** The primary's records; the mirror checked against it, and rebuilt from it if it differs. */
  async load(): Promise<UpperSnapshot> {
    this.#recovered = undefined;
    try {
      return await this.#load();
    } catch (error) {
      if (!this.#recover || !isStoreLoss(error)) throw error;
      this.#recovered = await this.recover();
      return this.#load();
    }
  }

  async #load(): Promise<UpperSnapshot> {
    const snapshot = await this.primary.load();
    await this.mirror.load();
    this.#resynced = false;
    const [primary, mirror] = [this.primary.committedSeq, this.mirror.committedSeq];
    if (mirror > primary) {
      // The primary is committed first: a mirror ahead of it means the primary lost commits (one
      // without a commit mark of its own, or an OPFS workspace the browser cleared). Never copy
      // the older side over the newer: say so, and let recover() copy the mirror back.
      throw storeLoss(
        primary === 0 ? 'store-lost' : 'store-rolled-back',
        this.primary.name,
        { seq: mirror, timeMs: Number.NaN },
        primary,
      );
    }
    if (mirror !== primary) {
      await this.mirror.restore(await wholeState(this.primary), this.primary.committedSeq);
      this.#resynced = true;
    }
    this.#mirrorBehind = undefined;
    return snapshot;
  }

  /** The primary, then the mirror; resolves once both hold the operation. */
  async commit(changes: readonly UpperChange[]): Promise<void> {
    await this.primary.commit(changes);
    await this.#toMirror(() => this.mirror.commit(changes));
  }

  async #toMirror(step: () => Promise<void>): Promise<void> {
    if (this.#mirrorBehind !== undefined) return;
    try {
      await step();
    } catch (error) {
      this.#mirrorBehind = error;
    }
  }

  /**
   * Rebuilds the primary from the mirror: for a primary the browser deleted or rolled back
   * (its `load()` failed with a `StoreLossError` cause). Everything the mirror holds — every
   * acknowledged operation — is written to the primary as its whole state, in one step.
   */
  async recover(): Promise<Recovery> {
    await this.mirror.load();
    const changes = await wholeState(this.mirror);
    const seq = this.mirror.committedSeq;
    await this.primary.restore(changes, seq);
    let entries = 0;
    let bytes = 0;
    for (const c of changes) {
      if (c.op === 'put-inode' || c.op === 'put-dirent') entries++;
      else if (c.op === 'put-chunk') bytes += c.data.byteLength;
    }
    return { seq, entries, bytes };
  }

  /** One chunk, from the primary. */
  readChunk(ino: number, index: number): Promise<Uint8Array | undefined> {
    return this.primary.readChunk(ino, index);
  }

  /** Clears both. */
  async clear(): Promise<void> {
    await this.primary.clear();
    await this.#toMirror(() => this.mirror.clear());
  }

  /** The primary's usage. */
  usage(): Promise<UpperUsage> {
    return this.primary.usage();
  }

  /** Both sides' storage checks, and a mirror that missed a commit. */
  async check(): Promise<UpperProblem[]> {
    const problems = [...((await this.primary.check?.()) ?? [])];
    for (const p of (await this.mirror.check?.()) ?? [])
      problems.push({ ...p, message: `mirror: ${p.message}` });
    if (this.#mirrorBehind !== undefined) {
      problems.push({
        kind: 'mirror-behind',
        message: `the mirror missed a commit (${String(this.#mirrorBehind)}); it is rebuilt from the primary at the next open`,
      });
    }
    return problems;
  }

  /** Both sides' barriers. */
  async sync(): Promise<void> {
    await this.primary.sync?.();
    await this.mirror.sync?.();
  }

  /** Closes both. */
  async close(): Promise<void> {
    await this.primary.close?.();
    await this.mirror.close?.();
  }
}

/**
 * True for the EIO a lost or rolled-back store fails to open with (what `recover()` answers).
 *
 * @example
 * ```ts
 * const opened = await Overlay.create({ lowers: [template], upper }).catch((error: unknown) => {
 *   if (isStoreLoss(error)) console.warn('the browser lost this workspace:', (error as FsError).cause);
 *   throw error;
 * });
 * ```
 */
export function isStoreLoss(error: unknown): boolean {
  return hasCode(error, 'EIO') && (error as { cause?: unknown }).cause instanceof StoreLossError;
}
