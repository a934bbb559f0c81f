/**
 * SETUP for ZenFS's suite: Vellum with ZenFS's test data in a memory lower under an
 * IndexedDB upper (fake-indexeddb), mounted through `Vellum` with an `idb` descriptor.
 * IndexedDB commits only asynchronously, so ZenFS's sync tests are skipped (see ../../README.md).
 */
import 'fake-indexeddb/auto';
import { configureSingle } from '@zenfs/core';
import { Vellum } from '../../src/index.js';
import { dataLayer } from './data-layer.js';

await configureSingle({
  backend: Vellum,
  lowers: [dataLayer()],
  upper: { type: 'idb', name: `zenfs-suite-${process.pid}` },
});

/** What the suite must not expect of this setup (see ../../README.md). */
export const flags = {
  // Vellum's upper records carry no extended attributes.
  xattr: false,
  // IndexedDBUpper has no commitSync: a sync write would have to return before its transaction commits.
  sync: false,
};
