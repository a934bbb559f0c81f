/**
 * Several tabs in Node: fake-indexeddb for the store, Node's BroadcastChannel
 * for the announcements (Node has no Web Locks, so the reader is opened with
 * `readOnly: true` instead of losing the writer lock). Chromium runs the same
 * suite with two uppers meeting over Web Locks (idb.browser.test.ts).
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe } from 'vitest';
import { IndexedDBUpper } from '../src/idb/index.js';
import { tabsSuite } from './tabs.suite.js';

let serial = 0;

describe('a read-only tab follows the writer (Node)', () => {
  tabsSuite({
    runs: Number(process.env.VELLUM_TABS_RUNS ?? 30),
    pair: () => {
      const factory = new IDBFactory();
      const name = `tabs-${serial++}`;
      return {
        writer: new IndexedDBUpper({ name, factory, whenLocked: 'read-only' }),
        reader: new IndexedDBUpper({ name, factory, readOnly: true }),
      };
    },
  });
});
