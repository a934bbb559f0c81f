/**
 * Loads the lower layers over HTTP. Today each lower is a pack (manifest + blob) read whole into a
 * MemoryLayer; a lazy zip over HTTP will replace `loadPack` and nothing else (the page only sees
 * `LowerLayer`s and progress events).
 */
import { type LowerLayer, MemoryLayer } from '@vellum/core';
import { decodePack, type PackManifest } from './pack.js';

export interface LoadProgress {
  layer: string;
  loaded: number;
  total: number;
}

export interface LoadedLower {
  name: string;
  layer: LowerLayer;
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`);
  return res;
}

/** The body of `res`, reporting bytes as they arrive (the total comes from the manifest). */
async function readWithProgress(
  res: Response,
  total: number,
  onBytes: (n: number) => void,
): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const out = new Uint8Array(total);
  const reader = res.body.getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > out.length)
      throw new Error(`layer blob is longer than its manifest says (${total} bytes)`);
    out.set(value, at);
    at += value.length;
    onBytes(at);
  }
  return at === total ? out : out.subarray(0, at);
}

export async function loadPack(
  baseUrl: string,
  name: string,
  onProgress: (p: LoadProgress) => void,
): Promise<LoadedLower> {
  const manifest = (await (await fetchOk(`${baseUrl}${name}.json`)).json()) as PackManifest;
  onProgress({ layer: name, loaded: 0, total: manifest.blobBytes });
  const res = await fetchOk(`${baseUrl}${name}.bin`);
  const blob = await readWithProgress(res, manifest.blobBytes, (loaded) =>
    onProgress({ layer: name, loaded, total: manifest.blobBytes }),
  );
  return { name, layer: MemoryLayer.fromEntries(decodePack(manifest, blob), { id: manifest.id }) };
}

/** Every lower of the stack, topmost first, loaded in parallel. */
export async function loadStack(
  baseUrl: string,
  onProgress: (p: LoadProgress) => void,
): Promise<LoadedLower[]> {
  const stack = (await (await fetchOk(`${baseUrl}stack.json`)).json()) as { lowers: string[] };
  return Promise.all(stack.lowers.map((name) => loadPack(baseUrl, name, onProgress)));
}
