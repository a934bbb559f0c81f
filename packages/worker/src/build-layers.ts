/**
 * Worker side: the real layers from their descriptors, through `openLower` /
 * `openUpper` of `@vellum/core` (with every kind bundled in, see `server.ts`), with the
 * layers' news routed to the client as events.
 */
import { type LowerLayer, openLower, openUpper, type UpperLayer } from '@vellum/core';
import { TransferMeter } from '@vellum/core/http';
import type { WireInit } from './descriptors.js';
import type { LayerEvents } from './layer-events.js';

/** Every lower, opened at once (each network lower's listing is its own request). */
export async function buildLowers(lowers: WireInit['lowers'], events: LayerEvents): Promise<LowerLayer[]> {
  const network = lowers.some((d) => d.type === 'zip' || d.type === 'http');
  // One meter over every network lower, so progress totals cover the whole stack.
  const meter = network ? new TransferMeter((e) => events.progress(e)) : undefined;
  return Promise.all(
    lowers.map((d, index) =>
      openLower(d, { ...(meter && { meter }), onWarning: (w) => events.warning(index, w) }),
    ),
  );
}

export function buildUpper(upper: WireInit['upper'], events: LayerEvents): Promise<UpperLayer> {
  return openUpper(upper, { onRemoteChange: (change) => events.remoteChange(change) });
}
