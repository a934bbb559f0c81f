/**
 * Layer descriptors: plain objects naming a layer (`{ type: 'memory' }`,
 * `{ type: 'idb', name }`, `{ type: 'zip', url }`, `{ type: 'http', url }`), so a
 * ZenFS configuration can be written as data. Kinds live in a registry, so a new
 * kind (or another way to build one) slots in with `registerLayerType`.
 */

import {
  FsError,
  type LowerLayer,
  MemoryLayer,
  type MemoryLayerOptions,
  MemoryUpper,
  type Tree,
  type UpperLayer,
} from '@vellum/core';
import type { HttpLayerOptions } from '@vellum/core/http';
import type { ZipLayerOptions } from '@vellum/core/zip';

/** A lower held in memory, from a tree literal (empty when absent). */
export interface MemoryLowerDescriptor extends MemoryLayerOptions {
  type: 'memory';
  tree?: Tree;
}
/** A zip archive: fetched lazily over HTTP Range from `url`, or already in memory as `data`. */
export interface ZipDescriptor {
  type: 'zip';
  url?: string | URL;
  data?: Uint8Array;
  options?: ZipLayerOptions;
}
/** A static directory served over HTTP with its `vellum.json` manifest (`HttpLayer`, `@vellum/core/http`). */
export interface HttpDescriptor {
  type: 'http';
  url: string | URL;
  options?: HttpLayerOptions;
}
/** The upper in memory: gone with the page. */
export interface MemoryUpperDescriptor {
  type: 'memory';
}
/** The persistent upper in IndexedDB database `name` (`@vellum/core/idb`). */
export interface IdbDescriptor {
  type: 'idb';
  name: string;
  /** Acknowledge writes once queued and commit them in groups (see `IndexedDBUpper`). */
  writeBack?: boolean;
}

export type LowerDescriptor = MemoryLowerDescriptor | ZipDescriptor | HttpDescriptor;
export type UpperDescriptor = MemoryUpperDescriptor | IdbDescriptor;
/** Any descriptor: a lower's or the upper's. */
export type LayerDescriptor = LowerDescriptor | UpperDescriptor;

/** A lower: a layer object, or a descriptor resolved when the backend is created. */
export type LowerSpec = LowerLayer | LowerDescriptor;
export type UpperSpec = UpperLayer | UpperDescriptor;

type LowerResolver = (descriptor: LowerDescriptor) => LowerLayer | Promise<LowerLayer>;
type UpperResolver = (descriptor: UpperDescriptor) => UpperLayer | Promise<UpperLayer>;

const lowerKinds = new Map<string, LowerResolver>();
const upperKinds = new Map<string, UpperResolver>();

/**
 * Teaches the `Overlay` backend a kind of descriptor (or replaces how one is built).
 *
 * @example
 * ```ts
 * import { HttpLayer } from '@vellum/core/http';
 * registerLayerType('lower', 'http', (d) => HttpLayer.open((d as HttpDescriptor).url));
 * ```
 */
export function registerLayerType(role: 'lower', type: LowerDescriptor['type'], resolve: LowerResolver): void;
export function registerLayerType(role: 'upper', type: UpperDescriptor['type'], resolve: UpperResolver): void;
export function registerLayerType(
  role: 'lower' | 'upper',
  type: string,
  resolve: LowerResolver | UpperResolver,
): void {
  if (role === 'lower') lowerKinds.set(type, resolve as LowerResolver);
  else upperKinds.set(type, resolve as UpperResolver);
}

registerLayerType('lower', 'memory', (d) => {
  const { type: _type, tree, ...options } = d as MemoryLowerDescriptor;
  return MemoryLayer.fromTree(tree ?? {}, options);
});
registerLayerType('lower', 'zip', async (d) => {
  const { url, data, options } = d as ZipDescriptor;
  const input = data ?? url;
  if (input === undefined) throw invalid("a { type: 'zip' } layer needs `url` or `data`");
  // Imported on use: the zip reader (wasm) stays out of bundles that never mount a zip.
  const { ZipLayer } = await import('@vellum/core/zip');
  return ZipLayer.open(input, options);
});
registerLayerType('lower', 'http', async (d) => {
  const { url, options } = d as HttpDescriptor;
  const { HttpLayer } = await import('@vellum/core/http');
  return HttpLayer.open(url, options);
});
registerLayerType('upper', 'memory', () => new MemoryUpper());
registerLayerType('upper', 'idb', async (d) => {
  const { name, writeBack } = d as IdbDescriptor;
  const { IndexedDBUpper } = await import('@vellum/core/idb');
  return new IndexedDBUpper({ name, writeBack: writeBack ?? false });
});

function invalid(message: string): FsError {
  const error = new FsError('EINVAL', 'mount', undefined, undefined, { cause: new Error(message) });
  // A configuration mistake: the reason belongs in the message a developer reads first.
  error.message += ` (${message})`;
  return error;
}

/** A descriptor is a plain object with a string `type`; a layer object has methods. */
export function isDescriptor(value: unknown): value is LayerDescriptor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { entries?: unknown }).entries !== 'function' &&
    typeof (value as { commit?: unknown }).commit !== 'function'
  );
}

export async function resolveLower(spec: LowerSpec): Promise<LowerLayer> {
  if (!isDescriptor(spec)) return spec;
  const resolve = lowerKinds.get(spec.type);
  if (!resolve) {
    throw invalid(
      `no lower layer of type '${spec.type}' is registered (known: ${[...lowerKinds.keys()].join(', ')}); see registerLayerType`,
    );
  }
  return resolve(spec as LowerDescriptor);
}

export async function resolveUpper(spec: UpperSpec): Promise<UpperLayer> {
  if (!isDescriptor(spec)) return spec;
  const resolve = upperKinds.get(spec.type);
  if (!resolve) {
    throw invalid(
      `no upper layer of type '${spec.type}' is registered (known: ${[...upperKinds.keys()].join(', ')}); see registerLayerType`,
    );
  }
  return resolve(spec as UpperDescriptor);
}
