/**
 * How the upper's records are keyed in its one object store. Array keys sort
 * element by element, so every record of one kind — and every record under one
 * inode — is one contiguous key range: `drop-inode` and `load()` are range
 * operations, never scans.
 *
 * ```
 * ['m']                 meta record (UpperMeta)
 * ['i', ino]            inode record (UpperInode)
 * ['d', parent, name]   directory entry: the child's inode number, null for a whiteout
 * ['c', ino, index]     chunk bytes (Uint8Array)
 * ['s', ino, index]     that chunk's length, so usage() never reads chunk bytes
 * ['j', seq]            journal record: one commit's changes, not yet compacted (journal.ts)
 * ['S', id]             a snapshot's records (snapshots.ts)
 * ['p', ino, index]     the live chunk is kept by snapshots: its generation (snapshots.ts)
 * ['v', ino, index, g]  a kept chunk's bytes after the live file changed it (snapshots.ts)
 * ```
 */

export type Tag = 'm' | 'i' | 'd' | 'c' | 's' | 'j' | 'S' | 'p' | 'v';

export const metaKey = (): IDBValidKey => ['m'];
export const inodeKey = (ino: number): IDBValidKey => ['i', ino];
export const direntKey = (parent: number, name: string): IDBValidKey => ['d', parent, name];
export const chunkKey = (ino: number, index: number): IDBValidKey => ['c', ino, index];
export const sizeKey = (ino: number, index: number): IDBValidKey => ['s', ino, index];
export const journalKey = (seq: number): IDBValidKey => ['j', seq];

/**
 * An empty array sorts after every number and string, so `[...prefix, []]`
 * bounds every key that extends `prefix`.
 */
const END: IDBValidKey = [];

/** Every record of one kind. */
export const kindRange = (tag: Tag): IDBKeyRange => IDBKeyRange.bound([tag], [tag, END], false, true);

/** Journal records `first` to `last`, both included. */
export const journalRange = (first: number, last: number): IDBKeyRange =>
  IDBKeyRange.bound(journalKey(first), journalKey(last));

/** Every record of one kind keyed under inode `ino` (its dirents as a parent, its chunks, its sizes). */
export const underInode = (tag: 'd' | 'c' | 's', ino: number): IDBKeyRange =>
  IDBKeyRange.bound([tag, ino], [tag, ino, END], false, true);

/** A stored key, read back: the tag and the numbers or name after it. */
export type ParsedKey =
  | { tag: 'm' }
  | { tag: 'i'; ino: number }
  | { tag: 'd'; parent: number; name: string }
  | { tag: 'c' | 's'; ino: number; index: number }
  | { tag: 'j'; seq: number }
  | { tag: 'S'; id: string }
  | { tag: 'p'; ino: number; index: number }
  | { tag: 'v'; ino: number; index: number; gen: string }
  | { tag: 'unknown'; key: IDBValidKey };

export function parseKey(key: IDBValidKey): ParsedKey {
  if (!Array.isArray(key)) return { tag: 'unknown', key };
  const [tag, a, b, c] = key as unknown[];
  if (tag === 'S' && typeof a === 'string' && key.length === 2) return { tag, id: a };
  if (tag === 'p' && typeof a === 'number' && typeof b === 'number' && key.length === 3)
    return { tag, ino: a, index: b };
  if (
    tag === 'v' &&
    typeof a === 'number' &&
    typeof b === 'number' &&
    typeof c === 'string' &&
    key.length === 4
  ) {
    return { tag, ino: a, index: b, gen: c };
  }
  if (tag === 'm' && key.length === 1) return { tag };
  if (tag === 'i' && typeof a === 'number' && key.length === 2) return { tag, ino: a };
  if (tag === 'j' && typeof a === 'number' && key.length === 2) return { tag, seq: a };
  if (tag === 'd' && typeof a === 'number' && typeof b === 'string') return { tag, parent: a, name: b };
  if ((tag === 'c' || tag === 's') && typeof a === 'number' && typeof b === 'number') {
    return { tag, ino: a, index: b };
  }
  return { tag: 'unknown', key };
}
