/** `Vellum`: the ZenFS backend object, for `configure({ mounts: { '/': { backend: Vellum, … } } })`. */

import { isLayerDescriptor } from '@vellum/core';
import type { Backend } from '@zenfs/core';
import { OverlayBackend } from './backend.js';
import { type LowerSpec, resolveLower, resolveUpper, type UpperSpec } from './descriptors.js';

/** What a mount configuration gives the `Vellum` backend. */
export interface VellumOptions {
  /** Topmost first: layer objects (`MemoryLayer`, `ZipLayer`, `zenfsLayer(fs)`, …) or descriptors. */
  lowers: readonly LowerSpec[];
  /** A layer object (`MemoryUpper`, `IndexedDBUpper`) or a descriptor. Default `{ type: 'memory' }`. */
  upper?: UpperSpec;
  /** Bytes per copy-on-write chunk (default 64 KiB). */
  chunkSize?: number;
  /** Applied to new files' and directories' modes (default 0: ZenFS's VFS passes the final mode). */
  umask?: number;
  /** Owner of new objects when the VFS gives none (default 0). */
  uid?: number;
  /** Group of new objects when the VFS gives none (default 0). */
  gid?: number;
  /** `'refuse'` (default): EINVAL when the upper was built on other lowers; `'open'`: open anyway. */
  onLowerChange?: 'refuse' | 'open';
}

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;
const isLowerSpec = (value: unknown): boolean =>
  isLayerDescriptor(value) ||
  (isObject(value) && typeof (value as { entries?: unknown }).entries === 'function');
const isUpperSpec = (value: unknown): boolean =>
  isLayerDescriptor(value) ||
  (isObject(value) && typeof (value as { commit?: unknown }).commit === 'function');

/**
 * Vellum as a ZenFS backend. Descriptors are resolved and the overlay opened in
 * `create`, so `configure()` resolves with sync calls ready to answer.
 *
 * @example
 * ```ts
 * import { configure, fs } from '@zenfs/core';
 * import { Vellum } from '@vellum/zenfs';
 * await configure({
 *   mounts: {
 *     '/': { backend: Vellum, lowers: [{ type: 'zip', url: '/base.zip' }], upper: { type: 'idb', name: 'ws-1' } },
 *   },
 * });
 * await fs.promises.writeFile('/notes.md', '# kept in IndexedDB');
 * ```
 */
export const Vellum = {
  /** The backend's name in ZenFS's messages. */
  name: 'Vellum',
  /** @internal ZenFS checks a mount's options with these; what they are is {@link VellumOptions}. */
  options: {
    // Plain functions (not classes) are called as validators by ZenFS's checkOptions.
    lowers: {
      type: (value: unknown) => Array.isArray(value) && value.every(isLowerSpec),
      required: true,
    },
    upper: { type: (value: unknown) => isUpperSpec(value), required: false },
    chunkSize: { type: 'number', required: false },
    umask: { type: 'number', required: false },
    uid: { type: 'number', required: false },
    gid: { type: 'number', required: false },
    onLowerChange: { type: (value: unknown) => value === 'refuse' || value === 'open', required: false },
  },
  /** Always true: the backend needs nothing the runtime might lack (IndexedDB only for an `idb` upper). */
  isAvailable(): boolean {
    return true;
  },
  /** Called by `configure`: resolves descriptors, opens the overlay, resolves once it is ready. */
  async create(config: VellumOptions): Promise<OverlayBackend> {
    const lowers = await Promise.all(config.lowers.map(resolveLower));
    const upper = await resolveUpper(config.upper ?? { type: 'memory' });
    const backend = new OverlayBackend({ ...config, lowers, upper });
    await backend.ready();
    return backend;
  },
} as const satisfies Backend<OverlayBackend, VellumOptions>;
