/**
 * One measurement of the zip-open suite, in a fresh process so that heap and wasm memory say what
 * one archive costs (wasm memory never shrinks, and a shared instance would carry the previous
 * run's pages): `tsx --expose-gc lib/open-zip-child.ts <vellum|zenfs> <entries>` prints one JSON
 * line. The archive is written before the clock starts and kept alive to the end, so neither
 * side's figures include it.
 */
import { MemoryUpper, Overlay } from '@vellum/core';
import { ZipLayer } from '@vellum/core/zip';
import { Zip } from '@zenfs/archives';
import { holdSharedIndex } from '../../packages/core/src/entry-store.js';
import { makeZip, zipEntryPath } from '../../packages/wasm/test/helpers/peers.js';

export interface OpenZipResult {
  openMs: number;
  createMs: number;
  heapBytes: number;
  wasmBytes: number;
  statMs: number;
  readdirMs: number;
  readFileMs: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const [side, count] = [process.argv[2], Number(process.argv[3])];
const zip = makeZip(count);
// A file and its directory in the middle of the archive: nothing there is cached by the open.
const file = `/${zipEntryPath(Math.floor(count / 2))}`;
const dir = file.slice(0, file.lastIndexOf('/'));

async function wasmMemory(): Promise<number> {
  const hold = await holdSharedIndex();
  const bytes = hold.index.memoryBytes;
  hold.release();
  return bytes;
}

async function main(): Promise<OpenZipResult> {
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  if (side === 'vellum') {
    // The realm's shared instance exists before the clock starts (an empty index): its growth is
    // what the archive costs.
    const hold = await holdSharedIndex();
    const wasm0 = hold.index.memoryBytes;
    let t = performance.now();
    const layer = await ZipLayer.open(zip);
    const openMs = performance.now() - t;
    t = performance.now();
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    const createMs = performance.now() - t;
    gc?.();
    const heapBytes = process.memoryUsage().heapUsed - heap0;
    const wasmBytes = (await wasmMemory()) - wasm0;
    t = performance.now();
    await ov.stat(file);
    const statMs = performance.now() - t;
    t = performance.now();
    await ov.readdir(dir);
    const readdirMs = performance.now() - t;
    t = performance.now();
    await ov.readFile(file);
    const readFileMs = performance.now() - t;
    await ov.close();
    hold.release();
    return { openMs, createMs, heapBytes, wasmBytes, statMs, readdirMs, readFileMs };
  }
  let t = performance.now();
  const fs = await Zip.create({ data: zip, name: 'bench.zip', lazy: true });
  await fs.ready();
  const openMs = performance.now() - t;
  gc?.();
  const heapBytes = process.memoryUsage().heapUsed - heap0;
  t = performance.now();
  const st = await fs.stat(file);
  const statMs = performance.now() - t;
  t = performance.now();
  await fs.readdir(dir);
  const readdirMs = performance.now() - t;
  t = performance.now();
  await fs.read(file, new Uint8Array(st.size), 0, st.size);
  const readFileMs = performance.now() - t;
  return { openMs, createMs: 0, heapBytes, wasmBytes: 0, statMs, readdirMs, readFileMs };
}

const result = await main();
if (zip.length === 0) throw new Error('unreachable: keeps the archive alive to the end');
console.log(JSON.stringify(result));
