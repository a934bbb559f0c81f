/**
 * Snapshots of the upper, for undo (a course's "Solve" and "Reset lesson" take one first): the
 * upper freezes its records under an id (records, not data: see `UpperLayer.snapshot`), and a
 * restore makes them the live records again in one upper transaction, under the writer lock, and
 * lays them over the current stack.
 */
import { FsError } from './errors.js';
import type { FdTable } from './file-handle.js';
import type { SnapshotInfo, UpperLayer } from './layer.js';
import type { Namespace } from './namespace.js';
import { refuseWhileWriting } from './remount.js';

type Snapshots = Required<
  Pick<UpperLayer, 'snapshot' | 'restoreSnapshot' | 'listSnapshots' | 'dropSnapshot'>
>;

/** The upper's snapshot calls, or EINVAL naming what is missing. */
function snapshotsOf(ns: Namespace, syscall: string): Snapshots {
  const upper = ns.upper;
  if (!upper.snapshot || !upper.restoreSnapshot || !upper.listSnapshots || !upper.dropSnapshot) {
    throw new FsError('EINVAL', syscall, undefined, undefined, {
      cause: new Error('this upper keeps no snapshots (MemoryUpper and IndexedDBUpper do)'),
    });
  }
  return upper as UpperLayer & Snapshots;
}

/** Freezes the upper's records now, with no writer in flight (one of them would be half in). */
export async function snapshot(ns: Namespace, label: string | undefined): Promise<SnapshotInfo> {
  const store = snapshotsOf(ns, 'snapshot');
  if (label !== undefined && typeof label !== 'string') {
    throw new FsError('EINVAL', 'snapshot', undefined, undefined, {
      cause: new TypeError('snapshot: the label must be a string'),
    });
  }
  return ns.mutate('snapshot', '/', () => store.snapshot(label));
}

/**
 * Makes a snapshot's records the live ones (one upper transaction, the meta record naming the
 * current lowers and the current inode counter, so numbers given since are never reused) and the
 * overlay's view what they say over the current stack.
 */
export async function restore(ns: Namespace, fds: FdTable, id: string): Promise<void> {
  const store = snapshotsOf(ns, 'restore');
  if (typeof id !== 'string') {
    throw new FsError('EINVAL', 'restore', undefined, undefined, {
      cause: new TypeError('restore: the id must be a string'),
    });
  }
  refuseWhileWriting(fds, 'restore');
  await ns.mutate('restore', '/', async () => {
    refuseWhileWriting(fds, 'restore');
    await store.restoreSnapshot(id, ns.meta());
    ns.reload(await ns.upper.load());
  });
}

export function list(ns: Namespace): Promise<SnapshotInfo[]> {
  return snapshotsOf(ns, 'snapshots').listSnapshots();
}

export function drop(ns: Namespace, id: string): Promise<void> {
  return snapshotsOf(ns, 'dropSnapshot').dropSnapshot(id);
}
