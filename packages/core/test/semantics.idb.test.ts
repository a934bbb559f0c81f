/** overlay-semantics.md, rule by rule, on IndexedDBUpper (fake-indexeddb), strict and write-back. */
import 'fake-indexeddb/auto';
import { idbEnv } from './idb-env.js';
import { semanticsSuite } from './semantics.suite.js';

semanticsSuite(idbEnv('IndexedDBUpper'));
semanticsSuite(idbEnv('IndexedDBUpper, write-back', { writeBack: { delayMs: 1 } }));
