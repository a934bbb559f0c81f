/** Zip fixtures for the layer tests: trees written with the layer's own writer, and the same trees as memory lowers. */
import { type MemoryEntry, MemoryLayer, type Tree, treeToEntries } from '../../src/index.js';
import { writeZip, type ZipWriteEntry, type ZipWriteOptions } from '../../src/zip/index.js';

const encoder = new TextEncoder();

/** A fixed time with whole seconds (zip keeps seconds), so zip and memory lowers agree. */
export const T0 = Date.UTC(2024, 5, 1, 12, 0, 0);

/** The tree's entries as the zip writer takes them (hard links are not a zip thing and are refused). */
export function zipEntriesOf(tree: Tree): ZipWriteEntry[] {
  return treeToEntries(tree).map(toZipEntry);
}

function toZipEntry(e: MemoryEntry): ZipWriteEntry {
  const path = e.path.replace(/^\//, '');
  switch (e.kind) {
    case 'file':
      return {
        path,
        kind: 'file',
        data: typeof e.data === 'string' ? encoder.encode(e.data) : e.data,
        mode: e.mode,
        mtimeMs: e.mtimeMs ?? T0,
      };
    case 'dir':
      return { path, kind: 'dir', mode: e.mode, mtimeMs: e.mtimeMs ?? T0, opaque: e.opaque };
    case 'symlink':
      return { path, kind: 'symlink', target: e.target, mode: e.mode, mtimeMs: e.mtimeMs ?? T0 };
    case 'whiteout':
      return { path, kind: 'whiteout', mtimeMs: T0 };
    case 'hardlink':
      throw new Error('zip fixtures have no hard links');
  }
}

export function zipOf(tree: Tree, options?: ZipWriteOptions): Uint8Array {
  return writeZip(zipEntriesOf(tree), options);
}

export function memoryOf(tree: Tree, id: string): MemoryLayer {
  return MemoryLayer.fromTree(tree, { mtimeMs: T0, id });
}
