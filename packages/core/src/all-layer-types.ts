/**
 * `@vellum/core/all-layer-types`: every built-in layer kind in the bundle that imports it. The
 * zip, http, idb and opfs openers are imported statically and put in the one descriptor registry in
 * place of their on-first-use loaders. For a worker that holds the engine: it should be one
 * chunk holding every kind (a worker bundled in a classic format, Vite's default, cannot load
 * split chunks). `@vellum/worker/server` calls it.
 *
 * @example
 * ```ts
 * import { includeAllLayerTypes } from '@vellum/core/all-layer-types';
 * includeAllLayerTypes();
 * ```
 */
import { linkBuiltinOpeners } from './descriptors.js';
import { openHttpLower } from './http/open.js';
import { openIdbUpper } from './idb/open.js';
import { openOpfsUpper } from './opfs/open.js';
import { openZipLower } from './zip/open.js';

/**
 * Makes `openLower`/`openUpper` open zip, http and idb descriptors with openers bundled
 * statically beside the caller, instead of loading them by dynamic `import()`. A kind
 * registered with `registerLayerType` stays as registered. Idempotent.
 *
 * @example
 * ```ts
 * import { includeAllLayerTypes } from '@vellum/core/all-layer-types';
 * includeAllLayerTypes(); // this worker's bundle now holds every layer kind, in one chunk
 * ```
 */
export function includeAllLayerTypes(): void {
  linkBuiltinOpeners({ zip: openZipLower, http: openHttpLower, idb: openIdbUpper, opfs: openOpfsUpper });
}
