/**
 * Layer descriptors: plain objects naming a layer (`{ type: 'memory' }`,
 * `{ type: 'zip', url }`, `{ type: 'http', url }`, `{ type: 'idb', name }`), defined
 * once here and used unchanged by `Overlay` users, `@vellum/worker` (which sends them
 * to its worker) and `@vellum/zenfs` (which takes them in a mount configuration).
 *
 * A descriptor holds data only, so it can cross a `postMessage` or be written as JSON;
 * what cannot be data (a custom `fetch`, a progress meter, warning and remote-change
 * listeners) is given to `openLower`/`openUpper` as their {@link LayerOpenContext}.
 *
 * Each kind's opener lives next to its layer (`zip/open.ts`, `http/open.ts`,
 * `idb/open.ts`) and is loaded by a dynamic `import()` the first time a descriptor of
 * that kind is opened: a bundle that never opens a zip keeps the wasm zip reader and
 * fflate in a chunk that is never fetched. A bundle that should hold every kind in one
 * chunk (the worker, `@vellum/worker/server`) calls `includeAllLayerTypes` of
 * `all-layer-types.ts`, which imports them statically.
 */
import { FsError } from './errors.js';
import type { HttpLayerOptions } from './http/http-layer.js';
import type { ProgressEvent, TransferMeter } from './http/progress.js';
import type { LayerWarning } from './http/warning.js';
import type { IndexedDBUpperOptions } from './idb/indexeddb-upper.js';
import type { RemoteChange } from './idb/tabs.js';
import type { LowerLayer, UpperLayer } from './layer.js';
import { type MemoryEntry, MemoryLayer, type MemoryLayerOptions } from './memory-layer.js';
import { MemoryUpper } from './memory-upper.js';
import type { OpfsUpperOptions } from './opfs/opfs-upper.js';
import type { OpfsRoot } from './opfs/types.js';
import type { Tree } from './tree.js';
import type { ZipLayerOptions } from './zip/zip-layer.js';

/**
 * Layer options that are not data: they belong in {@link LayerOpenContext}, not in a descriptor.
 *
 * @inline
 */
type NotData = 'fetch' | 'signal' | 'meter' | 'onProgress' | 'onWarning' | 'onNoRange' | 'factory' | 'opfs';

/**
 * A lower held in memory: a tree literal (`file`, `dir`, … helpers allowed), or the
 * flat entries `treeToEntries` makes of one (what crosses to a worker). Empty when
 * neither is given.
 *
 * @example
 * ```ts
 * const lower: MemoryLowerDescriptor = { type: 'memory', tree: { 'a.txt': 'hi' } };
 * ```
 */
export interface MemoryLowerDescriptor extends MemoryLayerOptions {
  /** Names the kind. */
  type: 'memory';
  /** The layer as a tree literal. */
  tree?: Tree;
  /** The layer as flat entries (taken over `tree` when both are given). */
  entries?: readonly MemoryEntry[];
}

/** The bytes of a zip the caller already has (`data` of a {@link ZipLowerDescriptor}). */
export type ZipData = ArrayBuffer | Uint8Array | Blob;

/**
 * A zip archive as a lower (`ZipLayer` of `@vellum/core/zip`): read lazily by HTTP
 * Range from `url`, or from bytes or a Blob/File already at hand (`data`), with the
 * data options of `ZipLayerOptions` beside them.
 *
 * @example
 * ```ts
 * const base: ZipLowerDescriptor = { type: 'zip', url: 'https://cdn.example/base.zip', whiteouts: 'oci' };
 * ```
 */
export type ZipLowerDescriptor = Omit<ZipLayerOptions, NotData> & {
  /** Names the kind. */
  type: 'zip';
} & (
    | {
        /** Where the zip is served (read by HTTP Range when the server allows it). */
        url: string | URL;
        /** Not with `url`. */
        data?: undefined;
      }
    | {
        /** The zip's bytes, or a Blob/File holding them. */
        data: ZipData;
        /** Not with `data`. */
        url?: undefined;
      }
  );

/**
 * A static directory described by its `vellum.json` (`HttpLayer` of
 * `@vellum/core/http`), with the data options of `HttpLayerOptions` beside `url`.
 *
 * @example
 * ```ts
 * const lesson: HttpLowerDescriptor = { type: 'http', url: 'https://cdn.example/lesson/', retries: 5 };
 * ```
 */
export interface HttpLowerDescriptor extends Omit<HttpLayerOptions, NotData> {
  /** Names the kind. */
  type: 'http';
  /** The directory's base URL. */
  url: string | URL;
}

/**
 * A writable layer in memory (`MemoryUpper`): gone with the page or worker.
 *
 * @example
 * ```ts
 * const upper: MemoryUpperDescriptor = { type: 'memory' };
 * ```
 */
export interface MemoryUpperDescriptor {
  /** Names the kind. */
  type: 'memory';
}

/**
 * The persistent upper on IndexedDB (`IndexedDBUpper` of `@vellum/core/idb`): one
 * database per `name`, with every data option of `IndexedDBUpperOptions` (`writeBack`,
 * `durability`, `whenLocked`, `readOnly`, `mustExist`, …). The IndexedDB factory, when
 * not the global one, is given in the context.
 *
 * @example
 * ```ts
 * const upper: IdbUpperDescriptor = { type: 'idb', name: 'lesson-1', whenLocked: 'read-only' };
 * ```
 */
export interface IdbUpperDescriptor extends Omit<IndexedDBUpperOptions, NotData> {
  /** Names the kind. */
  type: 'idb';
  /**
   * Keeps a second copy of every operation in an OPFS upper (a `MirroredUpper`; the engine's
   * worker only): `true`, or the mirror's workspace name (default `idb-mirror:<name>`) and
   * whether a database the browser lost is rebuilt from the mirror at open (`recover`; else
   * the open fails with EIO `store-lost` and the caller decides).
   */
  mirror?: true | IdbMirrorOptions;
}

/**
 * The OPFS mirror of an IndexedDB upper descriptor (`mirror` of {@link IdbUpperDescriptor}).
 *
 * @example
 * ```ts
 * const upper: IdbUpperDescriptor = { type: 'idb', name: 'lesson-1', mirror: { recover: true } };
 * ```
 */
export interface IdbMirrorOptions {
  /** The mirror's OPFS workspace (default `idb-mirror:<name>`). */
  name?: string;
  /** Rebuild a lost database from the mirror at open, instead of failing with `store-lost`. */
  recover?: boolean;
}

/**
 * The persistent upper on the origin private file system (`OpfsUpper` of
 * `@vellum/core/opfs`, for a dedicated worker): one OPFS directory per `name`, with the
 * data options of `OpfsUpperOptions`. The OPFS root, when not the browser's, is given in
 * the context.
 *
 * @example
 * ```ts
 * const upper: OpfsUpperDescriptor = { type: 'opfs', name: 'lesson-1' };
 * ```
 */
export interface OpfsUpperDescriptor extends Omit<OpfsUpperOptions, NotData> {
  /** Names the kind. */
  type: 'opfs';
}

/**
 * The lower kinds by their `type`. A module that registers a kind of its own (see
 * {@link registerLayerType}) can add its descriptor here by declaration merging.
 */
export interface LowerDescriptors {
  /** A tree or entries in memory. */
  memory: MemoryLowerDescriptor;
  /** A zip archive by URL or bytes. */
  zip: ZipLowerDescriptor;
  /** A static directory with a `vellum.json`. */
  http: HttpLowerDescriptor;
}

/** The upper kinds by their `type` (extensible like {@link LowerDescriptors}). */
export interface UpperDescriptors {
  /** Changes kept in memory. */
  memory: MemoryUpperDescriptor;
  /** Changes kept in IndexedDB. */
  idb: IdbUpperDescriptor;
  /** Changes kept in the origin private file system. */
  opfs: OpfsUpperDescriptor;
}

/** Any lower descriptor. */
export type LowerDescriptor = LowerDescriptors[keyof LowerDescriptors];
/** Any upper descriptor. */
export type UpperDescriptor = UpperDescriptors[keyof UpperDescriptors];
/** Any descriptor: a lower's or the upper's. */
export type LayerDescriptor = LowerDescriptor | UpperDescriptor;

/**
 * What an opener gets besides the descriptor: the parts of a layer's options that
 * are not data. Every field is optional; an opener ignores those its kind has no use for.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const base = await openLower(
 *   { type: 'zip', url: 'https://cdn.example/base.zip' },
 *   { signal: controller.signal, onProgress: (e) => console.log(e.totalLoaded, '/', e.totalExpected) },
 * );
 * ```
 */
export interface LayerOpenContext {
  /** The fetch of the network layers (default: the global one), e.g. one that reads `file:` URLs. */
  fetch?: typeof fetch;
  /** Aborts the network layers' requests. */
  signal?: AbortSignal;
  /** One meter shared by several network layers, so progress totals cover them all. */
  meter?: TransferMeter;
  /** Download progress of this layer (when no `meter` is given). */
  onProgress?: (event: ProgressEvent) => void;
  /** What a lower worked around (entries left out, no Range support). */
  onWarning?: (warning: LayerWarning) => void;
  /** Another tab's writer committed to this IndexedDB workspace (an upper with `whenLocked` or `readOnly`). */
  onRemoteChange?: (change: RemoteChange) => void;
  /** The IndexedDB factory (default: the global `indexedDB`). */
  indexedDB?: IDBFactory;
  /** The origin private file system's root (default: `navigator.storage.getDirectory`), e.g. a stand-in in Node. */
  opfs?: OpfsRoot;
}

/** Builds a lower from its descriptor. */
export type LowerOpener<D = LowerDescriptor> = (
  descriptor: D,
  context: LayerOpenContext,
) => LowerLayer | Promise<LowerLayer>;
/** Builds an upper from its descriptor. */
export type UpperOpener<D = UpperDescriptor> = (
  descriptor: D,
  context: LayerOpenContext,
) => UpperLayer | Promise<UpperLayer>;

const openMemoryLower: LowerOpener<MemoryLowerDescriptor> = (d) => {
  const { type: _type, tree, entries, ...options } = d;
  return entries !== undefined
    ? MemoryLayer.fromEntries(entries, options)
    : MemoryLayer.fromTree(tree ?? {}, options);
};

// The built-in kinds whose openers are loaded on first use (each one its own chunk in a bundle).
const loadZip: LowerOpener = async (d, c) =>
  (await import('./zip/open.js')).openZipLower(d as ZipLowerDescriptor, c);
const loadHttp: LowerOpener = async (d, c) =>
  (await import('./http/open.js')).openHttpLower(d as HttpLowerDescriptor, c);
const loadIdb: UpperOpener = async (d, c) =>
  (await import('./idb/open.js')).openIdbUpper(d as IdbUpperDescriptor, c);
const loadOpfs: UpperOpener = async (d, c) =>
  (await import('./opfs/open.js')).openOpfsUpper(d as OpfsUpperDescriptor, c);

// The registries are built on first use, so a bundle that never opens a descriptor drops them
// (and the dynamic imports of the zip, http and idb openers) with the rest of this module.
let lowerKinds: Map<string, LowerOpener> | undefined;
let upperKinds: Map<string, UpperOpener> | undefined;

function lowers(): Map<string, LowerOpener> {
  lowerKinds ??= new Map<string, LowerOpener>([
    ['memory', openMemoryLower as LowerOpener],
    ['zip', loadZip],
    ['http', loadHttp],
  ]);
  return lowerKinds;
}

function uppers(): Map<string, UpperOpener> {
  upperKinds ??= new Map<string, UpperOpener>([
    ['memory', () => new MemoryUpper()],
    ['idb', loadIdb],
    ['opfs', loadOpfs],
  ]);
  return upperKinds;
}

/** The built-in kinds' openers, given by a module that imports them statically (`all-layer-types.ts`). */
export interface BuiltinOpeners {
  zip: LowerOpener<ZipLowerDescriptor>;
  http: LowerOpener<HttpLowerDescriptor>;
  idb: UpperOpener<IdbUpperDescriptor>;
  /** Optional: a bundle that never opens OPFS uppers may leave it to its loader. */
  opfs?: UpperOpener<OpfsUpperDescriptor>;
}

/**
 * Puts the statically imported openers in place of the built-in kinds' loaders, in this one
 * registry. A kind someone registered with {@link registerLayerType} stays as registered.
 */
export function linkBuiltinOpeners(openers: BuiltinOpeners): void {
  const lower = lowers();
  const upper = uppers();
  if (lower.get('zip') === loadZip) lower.set('zip', openers.zip as LowerOpener);
  if (lower.get('http') === loadHttp) lower.set('http', openers.http as LowerOpener);
  if (upper.get('idb') === loadIdb) upper.set('idb', openers.idb as UpperOpener);
  if (openers.opfs && upper.get('opfs') === loadOpfs) upper.set('opfs', openers.opfs as UpperOpener);
}

/**
 * Teaches `openLower`/`openUpper` (and so the worker and the ZenFS backend, which
 * call them) a kind of descriptor, or replaces how a kind is built.
 *
 * @example
 * ```ts
 * import { MemoryLayer, registerLayerType } from '@vellum/core';
 * registerLayerType('lower', 'http', (d) => MemoryLayer.fromTree({ 'offline.txt': String(d.url) }));
 * ```
 */
export function registerLayerType<T extends keyof LowerDescriptors>(
  role: 'lower',
  type: T,
  opener: LowerOpener<LowerDescriptors[T]>,
): void;
/** The same for an upper kind: `registerLayerType('upper', type, opener)`. */
export function registerLayerType<T extends keyof UpperDescriptors>(
  role: 'upper',
  type: T,
  opener: UpperOpener<UpperDescriptors[T]>,
): void;
export function registerLayerType(
  role: 'lower' | 'upper',
  type: string,
  opener: LowerOpener | UpperOpener,
): void {
  if (role === 'lower') lowers().set(type, opener as LowerOpener);
  else uppers().set(type, opener as UpperOpener);
}

/** A mistake in a descriptor: EINVAL, with the reason in the message a developer reads first. */
export function invalidDescriptor(message: string): FsError {
  const error = new FsError('EINVAL', 'open', undefined, undefined, { cause: new Error(message) });
  error.message += ` (${message})`;
  return error;
}

/**
 * True for a descriptor: a plain object with a string `type` and none of a layer's
 * methods (so a layer object and a descriptor can share one list).
 *
 * @example
 * ```ts
 * isLayerDescriptor({ type: 'memory' }); // true
 * isLayerDescriptor(new MemoryUpper()); // false
 * ```
 */
export function isLayerDescriptor(value: unknown): value is LayerDescriptor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { entries?: unknown }).entries !== 'function' &&
    typeof (value as { commit?: unknown }).commit !== 'function'
  );
}

function openerOf<O>(kinds: Map<string, O>, descriptor: unknown, role: 'lower' | 'upper'): O {
  const type = isLayerDescriptor(descriptor) ? descriptor.type : undefined;
  const opener = type === undefined ? undefined : kinds.get(type);
  if (opener === undefined) {
    throw invalidDescriptor(
      `unknown ${role} layer type ${JSON.stringify(type)} (known: ${[...kinds.keys()].join(', ')}; see registerLayerType)`,
    );
  }
  return opener;
}

/**
 * Opens the lower a descriptor names. An unknown `type` fails with EINVAL naming the
 * known kinds; the zip, http and idb modules are loaded on first use.
 *
 * @example
 * ```ts
 * import { MemoryUpper, Overlay, openLower } from '@vellum/core';
 * const base = await openLower({ type: 'zip', url: 'https://cdn.example/base.zip' });
 * const ov = await Overlay.create({ lowers: [base], upper: new MemoryUpper() });
 * ```
 */
export async function openLower(
  descriptor: LowerDescriptor,
  context: LayerOpenContext = {},
): Promise<LowerLayer> {
  return openerOf(lowers(), descriptor, 'lower')(descriptor, context);
}

/**
 * Opens the upper a descriptor names (see {@link openLower}).
 *
 * @example
 * ```ts
 * import { openUpper } from '@vellum/core';
 * const upper = await openUpper({ type: 'idb', name: 'lesson-1', writeBack: true });
 * ```
 */
export async function openUpper(
  descriptor: UpperDescriptor,
  context: LayerOpenContext = {},
): Promise<UpperLayer> {
  return openerOf(uppers(), descriptor, 'upper')(descriptor, context);
}
