// Type-checked by e2e/consumer.test.ts with `tsc --noEmit --strict` (library .d.ts checked too), once
// with moduleResolution "bundler" and once with "node16": every entry point but @vellum/zenfs's
// (consumer-zenfs.ts).

import { main } from '@vellum/cli';
import { type Change, MemoryLayer, MemoryUpper, type Origin, Overlay, openLower } from '@vellum/core';
import { HttpLayer } from '@vellum/core/http';
import { IndexedDBUpper } from '@vellum/core/idb';
import { writeZip, ZipLayer } from '@vellum/core/zip';
import { DirLayer, type DirLowerDescriptor, registerNodeLayerTypes } from '@vellum/node';
import { loadModule, setWasmSource } from '@vellum/wasm';
import { createOverlayWorker, type OverlayClient } from '@vellum/worker';

export async function check(url: string): Promise<void> {
  setWasmSource(new URL('./vellum.wasm', url));
  const module: WebAssembly.Module = await loadModule();
  void module;
  const zip: ZipLayer = await ZipLayer.open(writeZip([{ path: 'a', kind: 'file', data: new Uint8Array(1) }]));
  const http: HttpLayer = await HttpLayer.open(url);
  const ov: Overlay = await Overlay.create({
    lowers: [zip, http, MemoryLayer.fromTree({ b: 'b' })],
    upper: new IndexedDBUpper({ name: 'x' }),
  });
  const text: string = await ov.readFile('/a', 'utf8');
  const origin: Origin = ov.origin('/a');
  const changes: Change[] = await ov.changes();
  void [text, origin, changes, new MemoryUpper()];
  const fs: OverlayClient = await createOverlayWorker({
    lowers: [{ type: 'zip', url }],
    upper: { type: 'idb', name: 'y' },
  });
  const bytes: Uint8Array = await fs.readFile('/a');
  void bytes;
  const code: number = await main(['ls', 'layer.zip']);
  void code;
  // @vellum/node: the `dir` kind joins core's descriptors by declaration merging.
  registerNodeLayerTypes();
  const dirDescriptor: DirLowerDescriptor = { type: 'dir', path: '/srv/repo', whiteouts: 'oci' };
  const dirLower = await openLower(dirDescriptor);
  const dirLayer: DirLayer = await DirLayer.open('/srv/repo');
  void [dirLower, dirLayer.warnings];
}
