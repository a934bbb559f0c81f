/**
 * `@vellum/core/opfs` — the persistent upper layer on the Origin Private File System,
 * for the engine's dedicated worker (`FileSystemSyncAccessHandle`).
 *
 * @example
 * ```ts
 * import { OpfsUpper } from '@vellum/core/opfs';
 * const upper = new OpfsUpper({ name: 'workspace' });
 * ```
 *
 * @module
 */
export { OpfsUpper, type OpfsUpperOptions } from './opfs-upper.js';
export type {
  OpfsDirectoryHandle,
  OpfsFileHandle,
  OpfsRoot,
  OpfsSyncAccessHandle,
  OpfsWritable,
} from './types.js';
