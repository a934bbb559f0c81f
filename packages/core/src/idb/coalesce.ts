/**
 * A group commit applies many operations' changes in one transaction, and
 * consecutive operations rewrite the same records: every file created in one
 * directory rewrites that directory's inode and the meta record. Only the last
 * write of a key survives the transaction, so earlier ones are dropped before
 * they cost a request each. A write is dropped only when a later change in
 * the same list writes or deletes that very key (a `drop-inode` deletes the
 * inode's record and every entry and chunk keyed under it).
 */
import type { UpperChange } from '../layer.js';

/** The key a change writes, or the inode whose records it deletes. */
function target(c: UpperChange): { key: string } | { under: number } {
  switch (c.op) {
    case 'put-inode':
      return { key: `i/${c.inode.ino}` };
    case 'drop-inode':
      return { under: c.ino };
    case 'put-dirent':
      return { key: `d/${c.dirent.parent}/${c.dirent.name}` };
    case 'drop-dirent':
      return { key: `d/${c.parent}/${c.name}` };
    case 'put-chunk':
    case 'drop-chunk':
      return { key: `c/${c.ino}/${c.index}` };
    case 'put-meta':
      return { key: 'm' };
  }
}

/** The inode a key is stored under (its own record, a dirent's parent, a chunk's file). */
const ownerOf = (c: UpperChange): number | undefined => {
  switch (c.op) {
    case 'put-inode':
      return c.inode.ino;
    case 'put-dirent':
      return c.dirent.parent;
    case 'drop-dirent':
      return c.parent;
    case 'put-chunk':
    case 'drop-chunk':
      return c.ino;
    default:
      return undefined;
  }
};

/** `changes` without the writes a later change in the list overwrites or deletes; same result when applied in order. */
export function coalesce(changes: readonly UpperChange[]): UpperChange[] {
  const later = new Set<string>();
  const droppedLater = new Set<number>();
  const kept: UpperChange[] = [];
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i] as UpperChange;
    const t = target(c);
    if ('under' in t) {
      kept.push(c);
      droppedLater.add(t.under);
      continue;
    }
    const owner = ownerOf(c);
    if (later.has(t.key) || (owner !== undefined && droppedLater.has(owner))) continue;
    later.add(t.key);
    kept.push(c);
  }
  return kept.reverse();
}
