/** The opener of `{ type: 'idb', name }` descriptors (see `../descriptors.ts`), loaded on first use. */
import type { IdbUpperDescriptor, LayerOpenContext } from '../descriptors.js';
import { IndexedDBUpper } from './indexeddb-upper.js';

/** Opens (or creates) the IndexedDB workspace a descriptor names. */
export function openIdbUpper(descriptor: IdbUpperDescriptor, context: LayerOpenContext): IndexedDBUpper {
  const { type: _type, ...options } = descriptor;
  const upper = new IndexedDBUpper({
    ...options,
    ...(context.indexedDB && { factory: context.indexedDB }),
    ...(context.opfs && { opfs: context.opfs }),
  });
  // A no-op unless the upper follows another tab's writer (whenLocked, readOnly).
  if (context.onRemoteChange) upper.onRemoteChange(context.onRemoteChange);
  return upper;
}
