/**
 * `@vellum/core/zip`: zip archives as lower layers, read lazily from memory, a Blob/File or a URL
 * (HTTP Range), plus a deterministic zip writer.
 *
 * @example
 * ```ts
 * import { ZipLayer } from '@vellum/core/zip';
 * const base = await ZipLayer.open('https://cdn.example/base.zip');
 * ```
 *
 * @module
 */
export { HttpError, type HttpFailureKind, type NetworkOptions } from '../http/fetcher.js';
export {
  type ProgressEvent,
  TransferMeter,
  type TransferProgress,
  type TransferStats,
} from '../http/progress.js';
export type { LayerWarning } from '../http/warning.js';
export { changeEntries, changesTar, changesZip } from './changes-zip.js';
export { type FreezeOptions, type FrozenLayer, freeze } from './freeze.js';
export type { RangeReaderOptions } from './range-reader.js';
export { writeTarLayer } from './tar-writer.js';
export { writeZip, type ZipWriteEntry, type ZipWriteOptions } from './writer.js';
export { type ZipInput, ZipLayer, type ZipLayerOptions } from './zip-layer.js';
