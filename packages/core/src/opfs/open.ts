/** The opener of `{ type: 'opfs', name }` descriptors (see `../descriptors.ts`), loaded on first use. */
import type { LayerOpenContext, OpfsUpperDescriptor } from '../descriptors.js';
import { OpfsUpper } from './opfs-upper.js';

/** Opens (or creates) the OPFS workspace a descriptor names. */
export function openOpfsUpper(descriptor: OpfsUpperDescriptor, context: LayerOpenContext): OpfsUpper {
  const { type: _type, ...options } = descriptor;
  return new OpfsUpper({ ...options, ...(context.opfs && { opfs: context.opfs }) });
}
