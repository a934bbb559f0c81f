/**
 * The OPFS upper's records in memory: what `load()` hands the engine, and where
 * every chunk's bytes are on disk (the bytes themselves stay there).
 */
import type { UpperChange, UpperDirent, UpperInode, UpperMeta, UpperSnapshot, UpperUsage } from '../layer.js';
import { getOrInsert } from '../map.js';

/** Where a chunk's bytes are: at an offset of the journal or the snapshot, or a file of its own. */
export type ChunkRef = { in: 'journal' | 'snapshot'; at: number; n: number } | { file: string; n: number };

/** A change whose chunk bytes are already stored: `put-chunk` carries where. */
export type PlacedChange =
  | Exclude<UpperChange, { op: 'put-chunk' }>
  | { op: 'put-chunk'; ino: number; index: number; ref: ChunkRef };

export class OpfsState {
  meta: UpperMeta | undefined;
  readonly inodes = new Map<number, UpperInode>();
  /** parent → name → child (null: whiteout). */
  readonly dirents = new Map<number, Map<string, number | null>>();
  readonly chunks = new Map<number, Map<number, ChunkRef>>();

  /** Applies one commit; returns the chunk files it made unreferenced (to delete once it is durable). */
  apply(changes: readonly PlacedChange[]): string[] {
    const freed: string[] = [];
    const free = (ref: ChunkRef | undefined) => {
      if (ref && 'file' in ref) freed.push(ref.file);
    };
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
          for (const ref of this.chunks.get(c.ino)?.values() ?? []) free(ref);
          this.chunks.delete(c.ino);
          break;
        case 'put-dirent':
          getOrInsert(this.dirents, c.dirent.parent, () => new Map()).set(c.dirent.name, c.dirent.ino);
          break;
        case 'drop-dirent':
          this.dirents.get(c.parent)?.delete(c.name);
          break;
        case 'put-chunk': {
          const chunks = getOrInsert(this.chunks, c.ino, () => new Map<number, ChunkRef>());
          free(chunks.get(c.index));
          chunks.set(c.index, c.ref);
          break;
        }
        case 'drop-chunk':
          free(this.chunks.get(c.ino)?.get(c.index));
          this.chunks.get(c.ino)?.delete(c.index);
          break;
      }
    }
    return freed;
  }

  /** The chunk files referenced. */
  files(): Set<string> {
    const out = new Set<string>();
    for (const chunks of this.chunks.values())
      for (const ref of chunks.values()) if ('file' in ref) out.add(ref.file);
    return out;
  }

  snapshot(): UpperSnapshot {
    const dirents: UpperDirent[] = [];
    for (const [parent, names] of this.dirents)
      for (const [name, ino] of names) dirents.push({ parent, name, ino });
    const chunks: { ino: number; index: number }[] = [];
    for (const [ino, indexes] of this.chunks) for (const index of indexes.keys()) chunks.push({ ino, index });
    return { meta: this.meta, inodes: [...this.inodes.values()], dirents, chunks };
  }

  usage(): UpperUsage {
    let bytes = 0;
    for (const chunks of this.chunks.values()) for (const ref of chunks.values()) bytes += ref.n;
    let entries = this.inodes.size;
    for (const names of this.dirents.values()) entries += names.size;
    return { bytes, entries };
  }
}
