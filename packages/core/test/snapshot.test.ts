/** The snapshot suite under Node: memory and fake-indexeddb uppers. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { snapshotSuite } from './snapshot.suite.js';
import { idbUpper, memoryUpper } from './upper-kinds.js';

snapshotSuite({
  kinds: [
    ['memory', memoryUpper],
    ['idb', idbUpper('snapshot')],
  ],
  factory: () => new IDBFactory(),
  runs: (kind) => (kind === memoryUpper ? 100 : 30),
});
