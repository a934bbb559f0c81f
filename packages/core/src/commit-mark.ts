/**
 * The commit mark: the last sequence number a persistent upper committed, and
 * when, kept OUTSIDE the store it protects. Chromium can delete or roll back an
 * origin's IndexedDB by itself (a torn LevelDB log after two kills); a store
 * cannot tell from its own content that it lost its content, but a mark kept
 * elsewhere (a small OPFS file) can: a store that is missing, empty, or older
 * than its mark has lost acknowledged work.
 *
 * The mark is written after the store committed, before the operation is
 * acknowledged, so it never claims more than the store held (no false alarm)
 * and never less than what was acknowledged (no loss goes unseen).
 *
 * Layout: two 24-byte slots, the mark of sequence number `seq` in slot
 * `seq % 2`: magic, seq (float64), time (float64), CRC-32 of the 20 bytes
 * before it. A write torn by a crash spoils one slot; the other still holds
 * the mark before it, which is at most one commit behind and so never a false
 * alarm. Reading takes the valid slot with the larger `seq`.
 */
import type { OpfsDirectoryHandle, OpfsFileHandle, OpfsRoot } from './opfs/types.js';
import { isDomError } from './opfs/types.js';
import { crc32 } from './zip/crc32.js';

/** What a store committed last, as its mark remembers. */
export interface CommitMark {
  /** The sequence number of the last commit (1 for the first). */
  seq: number;
  /** When it was committed, in milliseconds since the epoch. */
  timeMs: number;
}

const MAGIC = 0x564d4b31; // 'VMK1'
const SLOT = 24;
/** The directory of the OPFS root that holds the marks. */
export const MARKS_DIR = 'vellum-marks';

/** A slot's bytes for `mark`. */
function encodeSlot(mark: CommitMark): Uint8Array {
  const bytes = new Uint8Array(SLOT);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC);
  view.setFloat64(4, mark.seq);
  view.setFloat64(12, mark.timeMs);
  view.setUint32(20, crc32(bytes.subarray(0, 20)));
  return bytes;
}

/** The mark a slot holds, or undefined when it is empty or torn. */
function decodeSlot(bytes: Uint8Array): CommitMark | undefined {
  if (bytes.byteLength < SLOT) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, SLOT);
  if (view.getUint32(0) !== MAGIC || view.getUint32(20) !== crc32(bytes.subarray(0, 20))) return undefined;
  const seq = view.getFloat64(4);
  const timeMs = view.getFloat64(12);
  return Number.isSafeInteger(seq) && seq >= 0 ? { seq, timeMs } : undefined;
}

/** The newer of the two slots' marks. */
export function decodeMark(bytes: Uint8Array): CommitMark | undefined {
  const a = decodeSlot(bytes.subarray(0, SLOT));
  const b = decodeSlot(bytes.subarray(SLOT, 2 * SLOT));
  if (!a) return b;
  if (!b) return a;
  return a.seq >= b.seq ? a : b;
}

/**
 * One store's mark in OPFS (`vellum-marks/<file>`). Writes go through a sync
 * access handle where there is one (a dedicated worker: one write and a flush),
 * else through `createWritable` (a page: the new content is swapped in whole).
 *
 * @example
 * ```ts
 * const marks = new CommitMarkFile(root, 'idb:lesson-1');
 * await marks.write({ seq: 12, timeMs: Date.now() });
 * (await marks.read())?.seq; // 12
 * ```
 */
export class CommitMarkFile {
  readonly #root: OpfsRoot;
  readonly #file: string;
  #dir: Promise<OpfsDirectoryHandle> | undefined;
  /** The last mark written or read: the other slot's content, for a whole-file write. */
  #last: CommitMark | undefined;

  constructor(root: OpfsRoot, name: string) {
    this.#root = root;
    // A workspace name may hold any character; a file name may not hold '/'.
    this.#file = encodeURIComponent(name);
  }

  #directory(): Promise<OpfsDirectoryHandle> {
    this.#dir ??= this.#root().then((root) => root.getDirectoryHandle(MARKS_DIR, { create: true }));
    this.#dir.catch(() => {
      this.#dir = undefined;
    });
    return this.#dir;
  }

  async #handle(create: boolean): Promise<OpfsFileHandle | undefined> {
    try {
      return await (await this.#directory()).getFileHandle(this.#file, { create });
    } catch (error) {
      if (!create && isDomError(error, 'NotFoundError')) return undefined;
      throw error;
    }
  }

  /** The mark, or undefined when none was written (a new workspace, or one made before marks). */
  async read(): Promise<CommitMark | undefined> {
    // A writer in another upper swaps the file in whole (createWritable): for a moment the
    // name may lead nowhere, or a snapshot taken may no longer be readable. Asked again, it
    // gives the old content or the new.
    for (let attempt = 0; ; attempt++) {
      const handle = await this.#handle(false);
      if (!handle) return undefined;
      try {
        const mark = decodeMark(new Uint8Array(await (await handle.getFile()).arrayBuffer()));
        this.#last = mark;
        return mark;
      } catch (error) {
        // The file read was swapped out under the read (its snapshot is stale): read again.
        const swapped = isDomError(error, 'NotFoundError') || isDomError(error, 'NotReadableError');
        if (!swapped || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  /** Records `mark` durably (resolves once flushed or swapped in). */
  async write(mark: CommitMark): Promise<void> {
    const handle = await this.#handle(true);
    if (!handle) return;
    const at = (mark.seq % 2) * SLOT;
    const slot = encodeSlot(mark);
    if (handle.createSyncAccessHandle) {
      const access = await handle.createSyncAccessHandle();
      try {
        access.write(slot, { at });
        access.flush();
      } finally {
        access.close();
      }
    } else if (handle.createWritable) {
      // The whole file, both slots: the swap on close makes it atomic anyway.
      const whole = new Uint8Array(2 * SLOT);
      if (this.#last) whole.set(encodeSlot(this.#last), (this.#last.seq % 2) * SLOT);
      whole.set(slot, at);
      const out = await handle.createWritable();
      await out.write(whole);
      await out.close();
    } else {
      throw new Error('this OPFS file handle can be neither locked nor streamed to');
    }
    this.#last = mark;
  }

  /**
   * Records `mark` even where it is older than the one there (`create: true` accepted an
   * older store). The file is emptied and flushed first, then written: a crash in between
   * leaves no mark (nothing to check, never a false alarm), where writing one slot would
   * leave the newer old slot winning.
   */
  async reset(mark: CommitMark): Promise<void> {
    const handle = await this.#handle(true);
    if (!handle) return;
    if (handle.createSyncAccessHandle) {
      const access = await handle.createSyncAccessHandle();
      try {
        access.truncate(0);
        access.flush();
        access.write(encodeSlot(mark), { at: (mark.seq % 2) * SLOT });
        access.flush();
      } finally {
        access.close();
      }
      this.#last = mark;
    } else {
      this.#last = undefined;
      await this.write(mark);
    }
  }

  /** Forgets the mark (the workspace was deleted on purpose). */
  async remove(): Promise<void> {
    this.#last = undefined;
    try {
      await (await this.#directory()).removeEntry(this.#file);
    } catch (error) {
      if (!isDomError(error, 'NotFoundError')) throw error;
    }
  }
}
