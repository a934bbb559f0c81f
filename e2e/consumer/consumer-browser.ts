// A browser app's code, type-checked by e2e/consumer.test.ts with `tsc --strict` and no Node types at
// all (`types: []`, library .d.ts checked too): the page-side client, the layers a page opens, and a
// worker script of its own must not need `@types/node`.

import { type Change, MemoryLayer, Overlay } from '@vellum/core';
import { HttpLayer } from '@vellum/core/http';
import { IndexedDBUpper } from '@vellum/core/idb';
import { changesZip, ZipLayer } from '@vellum/core/zip';
import { createOverlayWorker, type OverlayClient } from '@vellum/worker';
import { exposeOverlay } from '@vellum/worker/server';

export async function page(): Promise<Change[]> {
  const fs: OverlayClient = await createOverlayWorker({
    lowers: [{ type: 'zip', url: '/base.zip' }],
    upper: { type: 'idb', name: 'workspace' },
  });
  const lesson = await HttpLayer.open('/lesson/');
  const ov = await Overlay.create({ lowers: [lesson], upper: new IndexedDBUpper({ name: 'lesson' }) });
  const layer = await ZipLayer.open(await changesZip(ov), { whiteouts: 'oci' });
  const stacked = await Overlay.create({
    lowers: [layer, MemoryLayer.fromTree({ a: 'a' })],
    upper: new IndexedDBUpper({ name: 'stacked' }),
  });
  await stacked.close();
  return fs.changes();
}

/** A worker script of the app's own (`self` as the DOM lib types it). */
export function worker(): void {
  exposeOverlay(self);
}
