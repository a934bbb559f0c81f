/**
 * A command-line argument as a lower layer: a zip (file or URL), a directory with a vellum.json
 * (on disk or a URL), or a plain directory (read into memory).
 */
import { existsSync, openAsBlob, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type LowerDescriptor, type LowerLayer, type MemoryEntry, openLower } from '@vellum/core';
import type { LayerWarning } from '@vellum/core/zip';
import { readEntry, walkDir } from './walk.js';

export interface OpenOptions {
  ociWhiteouts?: boolean;
  /** Layer warnings, and (a plain directory, with `ociWhiteouts`) a getfattr that is missing: only `message` for those. */
  onWarning?: (w: Pick<LayerWarning, 'message'>) => void;
}

/** Opens `spec` as a layer; throws with a message naming it if it is none of the above. */
export async function openLayer(spec: string, options: OpenOptions = {}): Promise<LowerLayer> {
  const { onWarning } = options;
  return openLower(await descriptorOf(spec, options), { fetch: fileFetch, ...(onWarning && { onWarning }) });
}

/** The layer descriptor (`@vellum/core`'s, as an app would write it) that `spec` stands for. */
export async function descriptorOf(spec: string, options: OpenOptions = {}): Promise<LowerDescriptor> {
  const whiteouts = options.ociWhiteouts ? 'oci' : 'none';
  if (/^https?:\/\//.test(spec)) {
    return /\.zip($|[?#])/.test(spec) ? { type: 'zip', url: spec, whiteouts } : { type: 'http', url: spec };
  }
  const st = statSync(spec);
  if (st.isFile()) return { type: 'zip', data: await openAsBlob(spec), whiteouts };
  if (existsSync(join(spec, 'vellum.json'))) return { type: 'http', url: pathToFileURL(`${spec}/`) };
  return { type: 'memory', entries: await memoryEntriesOf(spec, options) };
}

/** A plain directory's entries, read into memory. */
async function memoryEntriesOf(dir: string, options: OpenOptions): Promise<MemoryEntry[]> {
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
  return entries;
}

/** `fetch` that reads file: URLs from disk (a manifest directory opens like one on a server) and passes others on. */
async function fileFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  if (!url.startsWith('file:')) return fetch(input, init);
  try {
    return new Response(await readFile(fileURLToPath(url)), { status: 200 });
  } catch {
    return new Response('not found', { status: 404, statusText: 'Not Found' });
  }
}
