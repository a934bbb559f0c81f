/**
 * SETUP for ZenFS's suite: ZenFS's test data in a zip lower (deflated, from bytes, through a
 * `{ type: 'zip', data }` descriptor) under a `MemoryUpper`. A zip entry is inflated on its first
 * async read, so the setup preloads everything: ZenFS's sync tests then read the lower at once.
 */
import { MemoryUpper } from '@vellum/core';
import { writeZip } from '@vellum/core/zip';
import { mount, resolveMountConfig, umount } from '@zenfs/core';
import { Vellum } from '../../src/index.js';
import { dataFiles } from './data-layer.js';

const zip = writeZip(dataFiles().map(({ name, data }) => ({ path: name, kind: 'file', data, mode: 0o644 })));
const backend = await resolveMountConfig({
  backend: Vellum,
  lowers: [{ type: 'zip', data: zip }],
  upper: new MemoryUpper(),
});
await backend.preload('/');
umount('/');
mount('/', backend);

/** What the suite must not expect of this setup (see ../../README.md). */
export const flags = {
  // Vellum's upper records carry no extended attributes.
  xattr: false,
};
