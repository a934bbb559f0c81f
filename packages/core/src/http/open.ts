/** The opener of `{ type: 'http', url }` descriptors (see `../descriptors.ts`), loaded on first use. */
import type { HttpLowerDescriptor, LayerOpenContext } from '../descriptors.js';
import type { NetworkOptions } from './fetcher.js';
import { HttpLayer } from './http-layer.js';

/** The network hooks of a context, without the ones it leaves unset (so a layer's defaults apply). */
export function networkHooks(
  context: LayerOpenContext,
): Pick<NetworkOptions, 'fetch' | 'signal' | 'meter' | 'onProgress'> {
  const { fetch, signal, meter, onProgress } = context;
  return {
    ...(fetch && { fetch }),
    ...(signal && { signal }),
    ...(meter && { meter }),
    ...(onProgress && { onProgress }),
  };
}

/** Opens the static directory a descriptor names. */
export function openHttpLower(
  descriptor: HttpLowerDescriptor,
  context: LayerOpenContext,
): Promise<HttpLayer> {
  const { type: _type, url, ...options } = descriptor;
  return HttpLayer.open(url, { ...options, ...networkHooks(context) });
}
