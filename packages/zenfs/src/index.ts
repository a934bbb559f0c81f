/**
 * `@vellum/zenfs` — Vellum as a ZenFS backend: overlayfs semantics (whiteouts,
 * redirects, copy-up) for every tool that speaks ZenFS.
 *
 * @example
 * ```ts
 * import { configure, fs } from '@zenfs/core';
 * import { Vellum } from '@vellum/zenfs';
 * await configure({ mounts: { '/': { backend: Vellum, lowers: [{ type: 'memory', tree: { 'a.txt': 'hi' } }], upper: { type: 'memory' } } } });
 * fs.readFileSync('/a.txt', 'utf8'); // 'hi'
 * ```
 *
 * @module
 */
export { OverlayBackend, type OverlayBackendOptions } from './backend.js';
export { Vellum, type VellumOptions } from './backend-object.js';
export type { LowerSpec, UpperSpec } from './descriptors.js';
export { type PreloadReport, preload } from './preload.js';
export { type ZenfsLayerOptions, zenfsLayer } from './zenfs-layer.js';
