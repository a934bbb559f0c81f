/** The opener of `{ type: 'idb', name }` descriptors (see `../descriptors.ts`), loaded on first use. */
import type { IdbUpperDescriptor, LayerOpenContext } from '../descriptors.js';
import type { UpperLayer } from '../layer.js';
import { MirroredUpper } from '../mirrored-upper.js';
import { IndexedDBUpper } from './indexeddb-upper.js';

/** Opens (or creates) the IndexedDB workspace a descriptor names, mirrored to OPFS when asked. */
export async function openIdbUpper(
  descriptor: IdbUpperDescriptor,
  context: LayerOpenContext,
): Promise<UpperLayer> {
  const { type: _type, mirror, ...options } = descriptor;
  const upper = new IndexedDBUpper({
    ...options,
    ...(context.indexedDB && { factory: context.indexedDB }),
    ...(context.opfs && { opfs: context.opfs }),
  });
  // A no-op unless the upper follows another tab's writer (whenLocked, readOnly).
  if (context.onRemoteChange) upper.onRemoteChange(context.onRemoteChange);
  if (!mirror) return upper;
  const { OpfsUpper } = await import('../opfs/opfs-upper.js');
  const { name = `idb-mirror:${options.name}`, recover = false } = mirror === true ? {} : mirror;
  return new MirroredUpper(upper, new OpfsUpper({ name, ...(context.opfs && { opfs: context.opfs }) }), {
    recover,
  });
}
