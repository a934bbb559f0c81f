/**
 * Loads the lower layers over HTTP: each lower is a zip read lazily with Range requests (the listing
 * first, then each file on its first read), so the page can show the tree before the archive has
 * arrived. The page only sees `LowerLayer`s and progress events.
 */
import type { LowerLayer } from '@vellum/core';
import { ZipLayer } from '@vellum/core/zip';

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

/**
 * One lower from `<baseUrl><name>.zip`. Its id is the zip's (a digest of the central directory, which
 * holds every entry's CRC), so a persistent workspace notices a new release of the layer.
 */
export async function loadZip(
  baseUrl: string,
  name: string,
  onProgress: (p: LoadProgress) => void,
): Promise<LoadedLower> {
  const layer = await ZipLayer.open(`${baseUrl}${name}.zip`, {
    // The lesson deletes base files with OCI whiteouts (`.wh.<name>`), as the plugin writes them.
    whiteouts: 'oci',
    // `expected` grows with each request (the layer only knows what it asked for so far), so the bar
    // shows the bytes of the requests made, not of the whole archive: that is what "lazy" means here.
    onProgress: (e) => onProgress({ layer: name, loaded: e.loaded, total: e.expected }),
    onWarning: (w) => console.warn(`layer ${name}: ${w.message}`),
  });
  return { name, layer };
}

/** Every lower of the stack, topmost first, opened in parallel. */
export async function loadStack(
  baseUrl: string,
  onProgress: (p: LoadProgress) => void,
): Promise<LoadedLower[]> {
  const stack = (await (await fetchOk(`${baseUrl}stack.json`)).json()) as { lowers: string[] };
  return Promise.all(stack.lowers.map((name) => loadZip(baseUrl, name, onProgress)));
}
