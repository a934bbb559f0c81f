/**
 * A lower layer that counts reads of its files' metadata. Making the engine's object of a lower
 * entry reads it, so the count says how many objects a call made: the cost tests assert with it
 * that a call makes no object per lower name.
 */
import type { LowerEntry, LowerLayer } from '../src/index.js';

const META = { mode: 0o644, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 };

/** One-byte files at `counted` (refs after `plain`'s), listed after the uncounted `plain` entries. */
export function countingLayer(
  counted: readonly string[],
  plain: readonly LowerEntry[] = [],
): { layer: LowerLayer; reads: () => number } {
  let reads = 0;
  const entries: LowerEntry[] = [...plain];
  for (const path of counted) {
    entries.push({
      path,
      kind: 'file',
      size: 1,
      ref: entries.length,
      ...META,
      get mode() {
        reads++;
        return 0o644;
      },
    });
  }
  const layer: LowerLayer = {
    id: 'counting',
    entries: () => entries,
    read: async (_ref, _offset, length) => new Uint8Array(Math.min(length, 1)),
    readSync: (_ref, _offset, length) => new Uint8Array(Math.min(length, 1)),
  };
  return { layer, reads: () => reads };
}

/** An uncounted one-byte file or a symlink for `plain`, with fixed metadata. */
export function plainEntry(path: string, ref: number, target?: string): LowerEntry {
  return target === undefined
    ? { path, kind: 'file', size: 1, ref, ...META }
    : { path, kind: 'symlink', target, ...META };
}
