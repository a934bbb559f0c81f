/**
 * One label per tree entry saying where it comes from, decided from the overlay's own answers:
 * `changes()` says what the upper changed (new, modified, metadata, moved, deleted), `origin()` says
 * which lower serves an untouched entry.
 */
import type { Change, Origin } from '@vellum/core';

export type Status = 'lower' | 'new' | 'modified' | 'metadata' | 'moved' | 'replaced' | 'deleted' | 'upper';

export interface Badge {
  status: Status;
  text: string;
  title: string;
}

export function badgeFor(
  change: Change | undefined,
  origin: Origin | undefined,
  lowerNames: readonly string[],
): Badge {
  const lowerName = (n: number): string => lowerNames[n] ?? `lower ${n}`;
  switch (change?.change) {
    case 'added':
      return { status: 'new', text: 'new', title: 'new in the upper layer' };
    case 'modified':
      return {
        status: 'modified',
        text: 'modified',
        title:
          origin?.lowerLayer !== undefined
            ? `copied up from lower ${origin.lowerLayer} (${lowerName(origin.lowerLayer)}) and changed`
            : 'replaced in the upper layer',
      };
    case 'metadata':
      return { status: 'metadata', text: 'meta', title: 'metadata changed; bytes still come from the lower' };
    case 'renamed':
      return { status: 'moved', text: 'moved', title: `moved here from ${change.from ?? '?'}` };
    case 'opaque':
      return { status: 'replaced', text: 'replaced', title: 'a new directory hiding the lower one' };
    case 'deleted':
      return { status: 'deleted', text: 'deleted', title: 'hidden by a whiteout in the upper layer' };
    case undefined:
      break;
  }
  if (origin === undefined) return { status: 'upper', text: '', title: '' };
  if (typeof origin.layer === 'number') {
    return {
      status: 'lower',
      text: `L${origin.layer} ${lowerName(origin.layer)}`,
      title: `served by lower ${origin.layer} (${lowerName(origin.layer)})`,
    };
  }
  // A directory copied up only because something below it changed: still the lower's directory.
  const from = origin.lowerLayer;
  return from === undefined
    ? { status: 'upper', text: 'upper', title: 'in the upper layer' }
    : {
        status: 'lower',
        text: `L${from} ${lowerName(from)}`,
        title: `copied up from lower ${from}; changes below`,
      };
}
