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
  chunkSize?: number;
  umask?: number;
  uid?: number;
  gid?: number;
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
  name: 'Vellum',
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
  isAvailable(): boolean {
    return true;
  },
  async create(config: VellumOptions): Promise<OverlayBackend> {
    const lowers = await Promise.all(config.lowers.map(resolveLower));
    const upper = await resolveUpper(config.upper ?? { type: 'memory' });
    const backend = new OverlayBackend({ ...config, lowers, upper });
    await backend.ready();
    return backend;
  },
} as const satisfies Backend<OverlayBackend, VellumOptions>;
