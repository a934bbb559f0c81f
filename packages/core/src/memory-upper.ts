import type {
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

  /** Drops everything. */
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
