/**
 * A command-line argument as a lower layer: a zip (file or URL), a directory with a vellum.json
 * (on disk or a URL), or a plain directory (read into memory).
 */
import { existsSync, openAsBlob, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type LowerLayer, type MemoryEntry, MemoryLayer } from '@vellum/core';
import { HttpLayer } from '@vellum/core/http';
import { type LayerWarning, ZipLayer } from '@vellum/core/zip';
import { readEntry, walkDir } from './walk.js';

export interface OpenOptions {
  ociWhiteouts?: boolean;
  /** Layer warnings, and (a plain directory, with `ociWhiteouts`) a getfattr that is missing: only `message` for those. */
  onWarning?: (w: Pick<LayerWarning, 'message'>) => void;
}

/** Opens `spec` as a layer; throws with a message naming it if it is none of the above. */
export async function openLayer(spec: string, options: OpenOptions = {}): Promise<LowerLayer> {
  const whiteouts = options.ociWhiteouts ? 'oci' : 'none';
  if (/^https?:\/\//.test(spec)) {
    if (/\.zip($|[?#])/.test(spec)) return ZipLayer.open(spec, { whiteouts, onWarning: options.onWarning });
    return HttpLayer.open(spec);
  }
  const st = statSync(spec);
  if (st.isFile()) return ZipLayer.open(await openAsBlob(spec), { whiteouts, onWarning: options.onWarning });
  if (existsSync(join(spec, 'vellum.json'))) {
    return HttpLayer.open(pathToFileURL(`${spec}/`), { fetch: fileFetch });
  }
  return memoryLayerOf(spec, options);
}

/** A plain directory, read into memory. */
async function memoryLayerOf(dir: string, options: OpenOptions): Promise<MemoryLayer> {
  const entries: MemoryEntry[] = [];
  const warn = options.onWarning;
  const onWarning = warn && ((message: string) => warn({ message }));
  for (const e of await walkDir(dir, { ociWhiteouts: options.ociWhiteouts, onWarning })) {
    const path = `/${e.path}`;
    if (e.kind === 'file')
      entries.push({ path, kind: 'file', mode: e.mode, mtimeMs: e.mtimeMs, data: await readEntry(e) });
    else if (e.kind === 'dir')
      entries.push({ path, kind: 'dir', mode: e.mode, mtimeMs: e.mtimeMs, opaque: e.opaque === true });
    else if (e.kind === 'symlink')
      entries.push({ path, kind: 'symlink', target: e.target, mtimeMs: e.mtimeMs });
    else entries.push({ path, kind: 'whiteout' });
  }
  return MemoryLayer.fromEntries(entries);
}

/** `fetch` for file: URLs, so a manifest directory on disk opens like one on a server. */
async function fileFetch(input: RequestInfo | URL): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  try {
    return new Response(await readFile(fileURLToPath(url)), { status: 200 });
  } catch {
    return new Response('not found', { status: 404, statusText: 'Not Found' });
  }
}
