/**
 * SETUP for ZenFS's suite: Vellum mounted at `/` through the `Vellum` backend object,
 * ZenFS's test data in a memory lower, a `MemoryUpper` on top (sync reads and writes).
 */
import { MemoryUpper } from '@vellum/core';
import { configureSingle } from '@zenfs/core';
import { Vellum } from '../../src/index.js';
import { dataLayer } from './data-layer.js';

await configureSingle({ backend: Vellum, lowers: [dataLayer()], upper: new MemoryUpper() });

/** What the suite must not expect of this setup (see ../../README.md). */
export const flags = {
  // Vellum's upper records carry no extended attributes.
  xattr: false,
};
