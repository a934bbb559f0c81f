/**
 * The journal: each commit is ONE record, `['j', seq]` → the operation's
 * changes, instead of one record per key it touches.
 *
 * Why: in Chromium a transaction costs ~0.35 ms and every request in it
 * another ~40–70 µs (IPC and the backend's per-record work), while the bytes
 * of a small value hardly matter. A new 1 KiB file touched 6 records (meta,
 * entry, chunk, its length, the file's and the directory's inode); as one
 * journal record it is one request, the floor a key-value store reaches. A
 * write-back group of a thousand files is one record too, instead of ~4,000.
 *
 * The journal is folded into the keyed records ("compaction") later, in one
 * transaction that applies the journaled changes (coalesced: a directory
 * rewritten by a thousand creates is written once) and deletes exactly the
 * journal records it applied — so a crash at any point leaves either the
 * records before or after, and `load()` replays whatever journal is left over
 * the keyed records, in order. Applying a journal suffix twice gives the same
 * records as once (each key ends as the last change in it says), so two
 * uppers compacting the same records never corrupt each other.
 *
 * Until compacted, this upper keeps the journaled changes in memory (bounded:
 * see `JournalLimits`), which is also where reads of journaled chunks come from.
 */
import type { UpperChange, UpperDirent, UpperInode, UpperMeta } from '../layer.js';
import { getOrInsert } from '../map.js';

/**
 * When an `IndexedDBUpper` compacts its journal into the keyed records, and which
 * commits skip the journal.
 *
 * @inline
 */
export interface JournalLimits {
  /** Compact once this many records are journaled (default 4096). */
  maxRecords?: number;
  /** … or this many chunk bytes (default 8 MiB). */
  maxBytes?: number;
  /**
   * A commit carrying more chunk bytes than this is applied to the keyed
   * records directly (with the journal folded in, same transaction): large
   * data is not worth writing twice (default 2 MiB).
   */
  directBytes?: number;
  /**
   * … and so is a commit holding a chunk of at least this many bytes: a full
   * 64 KiB chunk costs one request among many bytes either way, and journaled
   * it would be written twice (default 32 KiB).
   */
  directChunk?: number;
  /** Compact after this long without commits (ms, default 1000). */
  idleMs?: number;
}

/** One journal record: the changes of one commit (an operation, or a write-back group). */
export interface JournalRecord {
  seq: number;
  changes: UpperChange[];
}

/** Chunks journaled for one inode: what reads see before the keyed records do. */
interface JournaledChunks {
  /** A `drop-inode` is journaled: chunks not listed here are gone. */
  dropped: boolean;
  chunks: Map<number, Uint8Array | null>;
}

export const chunkBytes = (changes: readonly UpperChange[]): number =>
  changes.reduce((n, c) => n + (c.op === 'put-chunk' ? c.data.byteLength : 0), 0);

/**
 * Changes safe to keep and store: chunk bytes in buffers of their own (the engine
 * may reuse its buffers once a call resolves, and structured clone would copy
 * the whole buffer behind a view).
 */
export const ownChanges = (changes: readonly UpperChange[]): UpperChange[] =>
  changes.map((c) => (c.op === 'put-chunk' ? { ...c, data: c.data.slice() } : c));

/** The journal records not yet compacted, as this upper knows them. */
export class Journal {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly directBytes: number;
  readonly directChunk: number;
  readonly idleMs: number;
  #records: JournalRecord[] = [];
  #bytes = 0;
  #chunks = new Map<number, JournaledChunks>();
  /** The next record's sequence number (past every stored one). */
  nextSeq = 1;

  constructor(limits: JournalLimits = {}) {
    this.maxRecords = limits.maxRecords ?? 4096;
    this.maxBytes = limits.maxBytes ?? 8 * 1024 * 1024;
    this.directBytes = limits.directBytes ?? 2 * 1024 * 1024;
    this.directChunk = limits.directChunk ?? 32 * 1024;
    this.idleMs = limits.idleMs ?? 1000;
  }

  /** Whether a commit skips the journal: much data, or a chunk large enough not to write twice. */
  direct(changes: readonly UpperChange[]): boolean {
    let bytes = 0;
    for (const c of changes) {
      if (c.op !== 'put-chunk') continue;
      if (c.data.byteLength >= this.directChunk) return true;
      bytes += c.data.byteLength;
    }
    return bytes > this.directBytes;
  }

  get records(): readonly JournalRecord[] {
    return this.#records;
  }

  /** Whether the journal has reached a limit and should be compacted now. */
  get full(): boolean {
    return this.#records.length >= this.maxRecords || this.#bytes >= this.maxBytes;
  }

  /** A record now stored (committed or found at load), newest last. */
  add(record: JournalRecord): void {
    this.#records.push(record);
    this.#bytes += chunkBytes(record.changes);
    if (record.seq >= this.nextSeq) this.nextSeq = record.seq + 1;
    for (const c of record.changes) {
      if (c.op === 'drop-inode') this.#chunks.set(c.ino, { dropped: true, chunks: new Map() });
      else if (c.op === 'put-chunk' || c.op === 'drop-chunk') {
        const j = getOrInsert(this.#chunks, c.ino, () => ({ dropped: false, chunks: new Map() }));
        j.chunks.set(c.index, c.op === 'put-chunk' ? c.data : null);
      }
    }
  }

  /** Bytes of a journaled chunk, `null` when the journal deletes it, `undefined`: ask the keyed records. */
  chunk(ino: number, index: number): Uint8Array | null | undefined {
    const j = this.#chunks.get(ino);
    if (!j) return undefined;
    const c = j.chunks.get(index);
    if (c !== undefined) return c;
    return j.dropped ? null : undefined;
  }

  /** Forgets the records up to `lastSeq` (compacted), keeping any newer ones. */
  drop(lastSeq: number): void {
    const keep = this.#records.filter((r) => r.seq > lastSeq);
    this.#records = [];
    this.#bytes = 0;
    this.#chunks.clear();
    for (const r of keep) this.add(r);
  }
}

/**
 * The upper's records as maps, to replay journal records over: what `load()`
 * and `usage()` read from the keyed records, brought up to date.
 */
export class RecordState {
  meta: UpperMeta | undefined;
  readonly inodes = new Map<number, UpperInode>();
  /** parent → name → child inode (null: whiteout). */
  readonly dirents = new Map<number, Map<string, number | null>>();
  /** ino → index → stored length (0 where only the key was read). */
  readonly chunks = new Map<number, Map<number, number>>();

  apply(changes: readonly UpperChange[]): void {
    for (const c of changes) {
      switch (c.op) {
        case 'put-meta':
          this.meta = c.meta;
          break;
        case 'put-inode':
          this.inodes.set(c.inode.ino, c.inode);
          break;
        case 'drop-inode':
          this.inodes.delete(c.ino);
          this.dirents.delete(c.ino);
          this.chunks.delete(c.ino);
          break;
        case 'put-dirent':
          getOrInsert(this.dirents, c.dirent.parent, () => new Map()).set(c.dirent.name, c.dirent.ino);
          break;
        case 'drop-dirent':
          this.dirents.get(c.parent)?.delete(c.name);
          break;
        case 'put-chunk':
          getOrInsert(this.chunks, c.ino, () => new Map()).set(c.index, c.data.byteLength);
          break;
        case 'drop-chunk':
          this.chunks.get(c.ino)?.delete(c.index);
          break;
      }
    }
  }

  direntList(): UpperDirent[] {
    const out: UpperDirent[] = [];
    for (const [parent, names] of this.dirents) {
      for (const [name, ino] of names) out.push({ parent, name, ino });
    }
    return out;
  }

  chunkList(): { ino: number; index: number }[] {
    const out: { ino: number; index: number }[] = [];
    for (const [ino, indexes] of this.chunks) for (const index of indexes.keys()) out.push({ ino, index });
    return out;
  }
}

const OPS = new Set<string>([
  'put-inode',
  'drop-inode',
  'put-dirent',
  'drop-dirent',
  'put-chunk',
  'drop-chunk',
  'put-meta',
]);

/** Why a stored journal value is not a list of upper changes, or undefined when it is one. */
export function badJournalValue(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'is not a list of changes';
  for (const c of value as unknown[]) {
    const op = (c as { op?: unknown } | null)?.op;
    if (typeof op !== 'string' || !OPS.has(op)) return `holds a change that is not one (${String(op)})`;
    if (op === 'put-chunk' && !((c as { data?: unknown }).data instanceof Uint8Array)) {
      return 'holds a chunk that is not bytes';
    }
  }
  return undefined;
}
