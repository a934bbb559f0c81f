/**
 * `@vellum/core/idb` — the persistent upper layer on IndexedDB.
 *
 * @example
 * ```ts
 * import { IndexedDBUpper } from '@vellum/core/idb';
 * const upper = new IndexedDBUpper({ name: 'workspace', writeBack: { delayMs: 50 } });
 * ```
 *
 * @module
 */
export type { DatabaseOptions } from './database.js';
export { WriteBackFailedError, type WriteBackOptions } from './group-commit.js';
export { IndexedDBUpper, type IndexedDBUpperOptions } from './indexeddb-upper.js';
export type { RemoteChange, WhenLocked } from './tabs.js';
