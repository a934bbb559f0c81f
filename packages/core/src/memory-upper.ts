import { FsError } from './errors.js';
import type {
  SnapshotInfo,
  UpperChange,
  UpperDirent,
  UpperInode,
  UpperLayer,
  UpperMeta,
  UpperSnapshot,
  UpperUsage,
} from './layer.js';
import { getOrInsert } from './map.js';

/**
 * An upper layer held in memory: the live-CD upper. Changes are applied all at
 * once after validation, so a transaction is all or nothing here too.
 *
 * @example
 * ```ts
 * const ov = await Overlay.create({ lowers: [base], upper: new MemoryUpper() });
 * ```
 */
export class MemoryUpper implements UpperLayer {
  #meta: UpperMeta | undefined;
  readonly #inodes = new Map<number, UpperInode>();
  /** parent inode → name → child inode (null: whiteout). */
  readonly #dirents = new Map<number, Map<string, number | null>>();
  /** inode → chunk index → bytes. */
  readonly #chunks = new Map<number, Map<number, Uint8Array>>();
  /** Commits made so far; lets tests assert how many transactions an operation took. */
  commits = 0;
  /**
   * Frozen copies of the record maps. The chunk maps are copied, their byte arrays shared: a
   * commit replaces a chunk's array rather than writing into it, so a snapshot's stay as they were.
   */
  readonly #snapshots = new Map<string, Frozen & { info: SnapshotInfo }>();
  #nextSnapshot = 1;

  /** Everything stored, as copies. */
  async load(): Promise<UpperSnapshot> {
    const dirents: UpperDirent[] = [];
    for (const [parent, names] of this.#dirents) {
      for (const [name, ino] of names) dirents.push({ parent, name, ino });
    }
    const chunks: { ino: number; index: number }[] = [];
    for (const [ino, byIndex] of this.#chunks)
      for (const index of byIndex.keys()) chunks.push({ ino, index });
    return {
      meta: this.#meta && structuredClone(this.#meta),
      inodes: [...this.#inodes.values()].map((i) => ({ ...i })),
      dirents,
      chunks,
    };
  }

  /** Applies every change or none, at once (see `UpperLayer.commit`). */
  async commit(changes: readonly UpperChange[]): Promise<void> {
    this.commitSync(changes);
  }

  /** As `commit`, synchronously: what makes the overlay's `*Sync` writes possible. */
  commitSync(changes: readonly UpperChange[]): void {
    this.commits++;
    for (const c of changes) {
      switch (c.op) {
        case 'put-inode':
          this.#inodes.set(c.inode.ino, { ...c.inode });
          break;
        case 'drop-inode':
          this.#inodes.delete(c.ino);
          this.#dirents.delete(c.ino);
          this.#chunks.delete(c.ino);
          break;
        case 'put-dirent': {
          getOrInsert(this.#dirents, c.dirent.parent, () => new Map()).set(c.dirent.name, c.dirent.ino);
          break;
        }
        case 'drop-dirent':
          this.#dirents.get(c.parent)?.delete(c.name);
          break;
        case 'put-chunk': {
          // Copy: the caller may reuse its buffer after the commit resolves.
          getOrInsert(this.#chunks, c.ino, () => new Map()).set(c.index, c.data.slice());
          break;
        }
        case 'drop-chunk':
          this.#chunks.get(c.ino)?.delete(c.index);
          break;
        case 'put-meta':
          this.#meta = structuredClone(c.meta);
          break;
      }
    }
  }

  /** One chunk of a file's bytes; `undefined` when it is not stored. */
  async readChunk(ino: number, index: number): Promise<Uint8Array | undefined> {
    return this.readChunkSync(ino, index);
  }

  /** One chunk at once; `undefined` when it is not stored. */
  readChunkSync(ino: number, index: number): Uint8Array | undefined {
    return this.#chunks.get(ino)?.get(index);
  }

  /** Freezes the records as they are (see `UpperLayer.snapshot`): the maps copied, no chunk bytes. */
  async snapshot(label?: string): Promise<SnapshotInfo> {
    const frozen = freeze(this.#meta, this.#inodes, this.#dirents, this.#chunks);
    let records = frozen.inodes.size;
    for (const names of frozen.dirents.values()) records += names.size;
    let chunks = 0;
    for (const byIndex of frozen.chunks.values()) chunks += byIndex.size;
    const info: SnapshotInfo = {
      id: `m${this.#nextSnapshot++}`,
      createdMs: Date.now(),
      records,
      chunks,
      ...(label === undefined ? {} : { label }),
    };
    this.#snapshots.set(info.id, { ...frozen, info });
    return { ...info };
  }

  /** The live records become a snapshot's again, `meta` as the meta record (see `UpperLayer.restoreSnapshot`). */
  async restoreSnapshot(id: string, meta: UpperMeta): Promise<void> {
    const frozen = this.#snapshots.get(id);
    if (!frozen) throw new FsError('ENOENT', 'restore', id);
    const copy = freeze(frozen.meta, frozen.inodes, frozen.dirents, frozen.chunks);
    this.commits++;
    this.#meta = { ...structuredClone(meta), nextIno: Math.max(meta.nextIno, frozen.meta?.nextIno ?? 0) };
    replaceAll(this.#inodes, copy.inodes);
    replaceAll(this.#dirents, copy.dirents);
    replaceAll(this.#chunks, copy.chunks);
  }

  /** The snapshots kept, oldest first. */
  async listSnapshots(): Promise<SnapshotInfo[]> {
    return [...this.#snapshots.values()].map((f) => ({ ...f.info }));
  }

  /** Forgets a snapshot. */
  async dropSnapshot(id: string): Promise<void> {
    if (!this.#snapshots.delete(id)) throw new FsError('ENOENT', 'dropSnapshot', id);
  }

  /** Drops every live record (snapshots stay). */
  async clear(): Promise<void> {
    this.#meta = undefined;
    this.#inodes.clear();
    this.#dirents.clear();
    this.#chunks.clear();
  }

  /** Bytes of file contents and records held. */
  async usage(): Promise<UpperUsage> {
    let bytes = 0;
    let entries = this.#inodes.size;
    for (const names of this.#dirents.values()) entries += names.size;
    for (const byIndex of this.#chunks.values()) for (const c of byIndex.values()) bytes += c.length;
    return { bytes, entries };
  }
}

/** A snapshot's records. */
interface Frozen {
  meta: UpperMeta | undefined;
  inodes: Map<number, UpperInode>;
  dirents: Map<number, Map<string, number | null>>;
  chunks: Map<number, Map<number, Uint8Array>>;
}

/** Copies of the record maps (records cloned, chunk arrays shared). */
function freeze(
  meta: UpperMeta | undefined,
  inodes: ReadonlyMap<number, UpperInode>,
  dirents: ReadonlyMap<number, ReadonlyMap<string, number | null>>,
  chunks: ReadonlyMap<number, ReadonlyMap<number, Uint8Array>>,
): Frozen {
  return {
    meta: meta && structuredClone(meta),
    inodes: new Map([...inodes].map(([ino, rec]) => [ino, { ...rec }])),
    dirents: new Map([...dirents].map(([parent, names]) => [parent, new Map(names)])),
    chunks: new Map([...chunks].map(([ino, byIndex]) => [ino, new Map(byIndex)])),
  };
}

function replaceAll<K, V>(target: Map<K, V>, from: Map<K, V>): void {
  target.clear();
  for (const [k, v] of from) target.set(k, v);
}
