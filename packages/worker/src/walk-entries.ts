/** Client side: `walk`'s packed answer as entries. */
import type { WalkEntry as CoreWalkEntry } from '@vellum/core';
import type { WireWalk } from './bulk.js';
import { unpackOrigin } from './origin-wire.js';
import { Stats } from './stats.js';

/** One entry of `OverlayClient.walk`: core's `WalkEntry` with this package's `Stats`. */
export type WalkEntry = CoreWalkEntry<Stats>;

export function unpackWalk({ paths, stats, origins }: WireWalk): WalkEntry[] {
  const out = new Array<WalkEntry>(paths.length);
  for (let i = 0; i < paths.length; i++) {
    const s = new Stats(stats, i);
    const type = s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'file';
    const entry: WalkEntry = { path: paths[i] as string, type, stats: s };
    if (origins !== undefined) entry.origin = unpackOrigin(origins, i);
    out[i] = entry;
  }
  return out;
}
