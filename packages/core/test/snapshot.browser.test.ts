/** The snapshot suite in Chromium, over its real IndexedDB (each upper a database of its own, deleted after). */
import { afterAll } from 'vitest';
import { IndexedDBUpper } from '../src/idb/index.js';
import { snapshotSuite } from './snapshot.suite.js';
import type { UpperKind } from './upper-kinds.js';

const names: string[] = [];
const chromiumIdb: UpperKind = () => {
  const name = `snapshot-${Date.now()}-${names.length}`;
  names.push(name);
  return { upper: new IndexedDBUpper({ name }), reopen: () => new IndexedDBUpper({ name }) };
};

afterAll(async () => {
  for (const name of names) await IndexedDBUpper.delete(name);
});

snapshotSuite({ kinds: [['idb (Chromium)', chromiumIdb]], factory: () => indexedDB, runs: () => 15 });
