/** The snapshot suite under Node: memory and fake-indexeddb uppers. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { expect, test } from 'vitest';
import { nextId } from '../src/idb/snapshots.js';
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

test('IndexedDB snapshot ids sort in the order taken, within one millisecond and if the clock steps back', () => {
  const ids: string[] = [];
  const keys = (): IDBValidKey[] => ids.map((id) => ['S', id]);
  for (const now of [1_000, 1_000, 1_000, 999, 5_000, 5_000]) ids.push(nextId(keys(), now));
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
});
