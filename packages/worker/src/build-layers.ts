/** Worker side: real layers from their wire descriptions, one builder per descriptor type. */
import { type LowerLayer, MemoryLayer, MemoryUpper, type UpperLayer } from '@vellum/core';
import type { UnknownWire, WireInit, WireLower } from './descriptors.js';

type LowerBuilder = (d: WireLower) => LowerLayer | Promise<LowerLayer>;
type UpperBuilder = (d: WireInit['upper']) => UpperLayer | Promise<UpperLayer>;

// New layer kinds (zip, http, idb) slot in here next to their descriptor in descriptors.ts.
const LOWERS: Record<string, LowerBuilder> = {
  memory: (d) => MemoryLayer.fromEntries(d.entries, { id: d.id, mtimeMs: d.mtimeMs, uid: d.uid, gid: d.gid }),
};
const UPPERS: Record<string, UpperBuilder> = {
  memory: () => new MemoryUpper(),
};

function builder<T>(table: Record<string, T>, d: UnknownWire, role: string): T {
  const type = typeof d === 'object' && d !== null ? d.type : undefined;
  const build = typeof type === 'string' && Object.hasOwn(table, type) ? table[type] : undefined;
  if (build === undefined) {
    throw new TypeError(
      `@vellum/worker: unknown ${role} layer type ${JSON.stringify(type)} (this worker knows: ${Object.keys(table).join(', ')})`,
    );
  }
  return build;
}

export async function buildLowers(lowers: WireInit['lowers']): Promise<LowerLayer[]> {
  const out: LowerLayer[] = [];
  for (const d of lowers) out.push(await builder(LOWERS, d, 'lower')(d as WireLower));
  return out;
}

export function buildUpper(upper: WireInit['upper']): UpperLayer | Promise<UpperLayer> {
  return builder(UPPERS, upper, 'upper')(upper);
}
