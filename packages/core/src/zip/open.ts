/** The opener of `{ type: 'zip', url | data }` descriptors (see `../descriptors.ts`), loaded on first use. */
import { invalidDescriptor, type LayerOpenContext, type ZipLowerDescriptor } from '../descriptors.js';
import { networkHooks } from '../http/open.js';
import { ZipLayer } from './zip-layer.js';

/** Opens the zip a descriptor names: by HTTP Range from `url`, or from `data`. */
export function openZipLower(descriptor: ZipLowerDescriptor, context: LayerOpenContext): Promise<ZipLayer> {
  const { type: _type, url, data, ...options } = descriptor;
  const input = url ?? data;
  if (input === undefined) throw invalidDescriptor("a { type: 'zip' } lower needs `url` or `data`");
  const { onWarning } = context;
  return ZipLayer.open(input, { ...options, ...networkHooks(context), ...(onWarning && { onWarning }) });
}
