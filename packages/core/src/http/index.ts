/**
 * `@vellum/core/http`: the network plumbing shared by the zip and HTTP-directory layers — a
 * fetcher with retries, timeouts, a concurrency cap and counters; progress totals over layers.
 *
 * @example
 * ```ts
 * import { TransferMeter } from '@vellum/core/http';
 * const meter = new TransferMeter((p) => console.log(`${p.totalLoaded}/${p.totalExpected}`));
 * ```
 *
 * @module
 */
export { HttpError, type HttpFailureKind, type NetworkOptions } from './fetcher.js';
export { HttpLayer, type HttpLayerOptions } from './http-layer.js';
export { buildManifest, MANIFEST_VERSION, type Manifest, type ManifestEntry } from './manifest.js';
export { type ProgressEvent, TransferMeter, type TransferProgress, type TransferStats } from './progress.js';
export { sha256Hex } from './sha256.js';
export type { LayerWarning } from './warning.js';
