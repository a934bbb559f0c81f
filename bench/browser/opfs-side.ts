/**
 * Dedicated worker of the `idb-chromium` suite: the small-file round on Vellum's OPFS upper
 * and on its mirrored upper (IndexedDB primary, OPFS mirror), which need
 * `FileSystemSyncAccessHandle`. The same steps as idb.ts's `smallFiles`; requests to
 * IndexedDB are not counted here (0).
 */
import { MemoryLayer, MirroredUpper, Overlay, type UpperLayer } from '@vellum/core';
import { IndexedDBUpper } from '@vellum/core/idb';
import { OpfsUpper } from '@vellum/core/opfs';
import type { SmallFilesResult } from './idb.js';
import { checkRead, fileData } from './small-files-data.js';

/** One round asked of the worker. */
export interface OpfsSideRequest {
  side: 'vellum-opfs' | 'vellum-mirrored';
  n: number;
  size: number;
}

const lowers = () => [MemoryLayer.fromTree({ d: {} }, { id: 'bench-lower', mtimeMs: 1 })];

function upperOf(side: OpfsSideRequest['side'], name: string): UpperLayer {
  return side === 'vellum-opfs'
    ? new OpfsUpper({ name })
    : new MirroredUpper(new IndexedDBUpper({ name }), new OpfsUpper({ name: `mirror-${name}` }));
}

async function drop(side: OpfsSideRequest['side'], name: string): Promise<void> {
  if (side === 'vellum-opfs') await OpfsUpper.delete(name);
  else {
    await IndexedDBUpper.delete(name);
    await OpfsUpper.delete(`mirror-${name}`);
  }
}

async function round({ side, n, size }: OpfsSideRequest): Promise<SmallFilesResult> {
  const name = `bench-${side}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const data = Array.from({ length: n }, (_, i) => fileData(i, size));
  const path = (i: number) => `/d/f${i}.bin`;
  const ov = await Overlay.create({ lowers: lowers(), upper: upperOf(side, name) });
  let again: Overlay | undefined;
  try {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await ov.writeFile(path(i), data[i] as Uint8Array);
    await ov.sync();
    const t1 = performance.now();
    for (let i = 0; i < n; i++) checkRead(side, i, new Uint8Array(await ov.readFile(path(i))), size);
    const t2 = performance.now();
    await ov.close();
    const t3 = performance.now();
    again = await Overlay.create({ lowers: lowers(), upper: upperOf(side, name) });
    for (let i = 0; i < n; i++)
      checkRead(`${side} reopened`, i, new Uint8Array(await again.readFile(path(i))), size);
    const t4 = performance.now();
    return {
      side,
      writeMs: t1 - t0,
      readMs: t2 - t1,
      closeMs: t3 - t2,
      reopenReadMs: t4 - t3,
      puts: 0,
      transactions: 0,
      bytesPut: 0,
    };
  } finally {
    await again?.close();
    await drop(side, name);
  }
}

self.onmessage = async (event: MessageEvent<OpfsSideRequest>) => {
  try {
    self.postMessage(await round(event.data));
  } catch (error) {
    self.postMessage({ error: String(error instanceof Error ? error.message : error) });
  }
};
