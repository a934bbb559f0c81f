/**
 * The list of suites, in run order. Adding a suite = writing `suites/<name>.ts` that
 * exports a `Suite<State>` and registering it here.
 */
import { registerSuite } from '../lib/harness.js';
import { bundleSuite } from './bundle.js';
import { copyUpSuite } from './copy-up.js';
import { coursesSuite } from './courses.js';
import { dirCopyUpSuite } from './dir-copy-up.js';
import { dirUpperSuite } from './dir-upper.js';
import { emscriptenSuite } from './emscripten.js';
import { idbChromiumSuite } from './idb-chromium.js';
import { lookupSuite } from './lookup.js';
import { previewChromiumSuite } from './preview-chromium.js';
import { readdirTypesSuite } from './readdir-types.js';
import { rmTreeSuite } from './rm-tree.js';
import { symlinksSuite } from './symlinks.js';
import { transpileSuite } from './transpile.js';
import { wasmSuite } from './wasm.js';
import { workerSuite } from './worker.js';
import { workerChromiumSuite } from './worker-chromium.js';
import { zenfsBackendSuite } from './zenfs-backend.js';
import { zipHttpSuite } from './zip-http.js';
import { zipOpenSuite } from './zip-open.js';

registerSuite(lookupSuite);
registerSuite(symlinksSuite);
registerSuite(copyUpSuite);
registerSuite(dirCopyUpSuite);
registerSuite(rmTreeSuite);
registerSuite(readdirTypesSuite);
registerSuite(workerSuite);
registerSuite(workerChromiumSuite);
registerSuite(idbChromiumSuite);
registerSuite(wasmSuite);
registerSuite(zipHttpSuite);
registerSuite(zipOpenSuite);
registerSuite(zenfsBackendSuite);
registerSuite(emscriptenSuite);
registerSuite(coursesSuite);
registerSuite(bundleSuite);
registerSuite(transpileSuite);
registerSuite(previewChromiumSuite);
registerSuite(dirUpperSuite);
