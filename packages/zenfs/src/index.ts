/**
 * @vellum/zenfs — Vellum as a ZenFS backend: overlayfs semantics (whiteouts,
 * redirects, copy-up) for every tool that speaks ZenFS.
 *
 * @example
 * ```ts
 * import { configure, fs } from '@zenfs/core';
 * import { Overlay } from '@vellum/zenfs';
 * await configure({ mounts: { '/': { backend: Overlay, lowers: [{ type: 'memory', tree: { 'a.txt': 'hi' } }], upper: { type: 'memory' } } } });
 * fs.readFileSync('/a.txt', 'utf8'); // 'hi'
 * ```
 */
export { OverlayBackend, type OverlayBackendOptions } from './backend.js';
export { Overlay, type OverlayConfig } from './backend-object.js';
export {
  type HttpDescriptor,
  type IdbDescriptor,
  type LayerDescriptor,
  type LowerDescriptor,
  type LowerSpec,
  type MemoryLowerDescriptor,
  type MemoryUpperDescriptor,
  registerLayerType,
  type UpperDescriptor,
  type UpperSpec,
  type ZipDescriptor,
} from './descriptors.js';
export { type PreloadReport, preload } from './preload.js';
export { type ZenfsLayerOptions, zenfsLayer } from './zenfs-layer.js';
