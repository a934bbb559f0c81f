/**
 * Turns the engine's upper changes into object-store requests. Every request
 * is issued synchronously inside the caller's transaction, in order, so a whole
 * list — one operation, or a group of them in write-back mode — commits or
 * aborts as one.
 */
import type { UpperChange } from '../layer.js';
import { chunkKey, direntKey, inodeKey, metaKey, sizeKey, underInode } from './keys.js';

/**
 * Bytes to store for a chunk: structured cloning a view clones its whole
 * buffer, so a view into a larger buffer is copied down to its own bytes.
 */
const ownBytes = (data: Uint8Array): Uint8Array =>
  data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();

export function applyChanges(store: IDBObjectStore, changes: readonly UpperChange[]): void {
  for (const c of changes) {
    switch (c.op) {
      case 'put-inode':
        store.put(c.inode, inodeKey(c.inode.ino));
        break;
      case 'drop-inode':
        store.delete(inodeKey(c.ino));
        store.delete(underInode('d', c.ino));
        store.delete(underInode('c', c.ino));
        store.delete(underInode('s', c.ino));
        break;
      case 'put-dirent':
        store.put(c.dirent.ino, direntKey(c.dirent.parent, c.dirent.name));
        break;
      case 'drop-dirent':
        store.delete(direntKey(c.parent, c.name));
        break;
      case 'put-chunk':
        store.put(ownBytes(c.data), chunkKey(c.ino, c.index));
        store.put(c.data.byteLength, sizeKey(c.ino, c.index));
        break;
      case 'drop-chunk':
        store.delete(chunkKey(c.ino, c.index));
        store.delete(sizeKey(c.ino, c.index));
        break;
      case 'put-meta':
        store.put(c.meta, metaKey());
        break;
    }
  }
}
