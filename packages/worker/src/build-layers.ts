/**
 * Worker side: real layers from their wire descriptions, one builder per descriptor
 * type. The zip, HTTP and IndexedDB modules are imported only when a descriptor
 * names them, so a worker with memory layers never loads the wasm parser or idb.
 */
import { type LowerLayer, MemoryLayer, MemoryUpper, type UpperLayer } from '@vellum/core';
import type {
  IndexedDBUpperDescriptor,
  UnknownWire,
  WireHttpLower,
  WireInit,
  WireLower,
  WireMemoryLower,
  WireZipLower,
} from './descriptors.js';
import type { LayerEvents } from './layer-events.js';

type TransferMeter = import('@vellum/core/http').TransferMeter;

/** What a lower's builder gets besides its descriptor. */
interface LowerContext {
  /** The lower's index in `lowers` (topmost first), for its warnings. */
  index: number;
  events: LayerEvents;
  /** One meter over every network lower, so progress totals cover the whole stack. */
  meter: TransferMeter | undefined;
}

type LowerBuilder = (d: WireLower, ctx: LowerContext) => LowerLayer | Promise<LowerLayer>;
type UpperBuilder = (d: WireInit['upper'], events: LayerEvents) => UpperLayer | Promise<UpperLayer>;

const LOWERS: Record<string, LowerBuilder> = {
  memory: (d) => {
    const m = d as WireMemoryLower;
    return MemoryLayer.fromEntries(m.entries, { id: m.id, mtimeMs: m.mtimeMs, uid: m.uid, gid: m.gid });
  },
  zip: async (d, ctx) => {
    const { type: _type, url, data, ...options } = d as WireZipLower;
    const { ZipLayer } = await import('@vellum/core/zip');
    const input = url ?? data;
    if (input === undefined) throw new TypeError('@vellum/worker: a zip lower needs a url or data');
    return ZipLayer.open(input, {
      ...options,
      meter: ctx.meter,
      onWarning: (w) => ctx.events.warning(ctx.index, w),
    });
  },
  http: async (d, ctx) => {
    const { type: _type, url, ...options } = d as WireHttpLower;
    const { HttpLayer } = await import('@vellum/core/http');
    return HttpLayer.open(url, { ...options, meter: ctx.meter });
  },
};

const UPPERS: Record<string, UpperBuilder> = {
  memory: () => new MemoryUpper(),
  idb: async (d, events) => {
    const { name, writeBack, durability, whenLocked, mustExist } = d as IndexedDBUpperDescriptor;
    const { IndexedDBUpper } = await import('@vellum/core/idb');
    const upper = new IndexedDBUpper({ name, writeBack, durability, whenLocked, mustExist });
    if (whenLocked !== undefined) upper.onRemoteChange((change) => events.remoteChange(change));
    return upper;
  },
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

/** Every lower, opened at once (each network lower's listing is its own request). */
export async function buildLowers(lowers: WireInit['lowers'], events: LayerEvents): Promise<LowerLayer[]> {
  const builders = lowers.map((d) => builder(LOWERS, d, 'lower'));
  const needsMeter = lowers.some((d) => d.type === 'zip' || d.type === 'http');
  const meter = needsMeter
    ? new (await import('@vellum/core/http')).TransferMeter((e) => events.progress(e))
    : undefined;
  return Promise.all(
    builders.map((build, index) => build(lowers[index] as WireLower, { index, events, meter })),
  );
}

export function buildUpper(upper: WireInit['upper'], events: LayerEvents): UpperLayer | Promise<UpperLayer> {
  return builder(UPPERS, upper, 'upper')(upper, events);
}
