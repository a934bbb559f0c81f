/**
 * The lower layers as descriptors for the engine's worker: the page never opens a layer itself. Each
 * served lower is a zip that the worker reads lazily with HTTP Range requests (its listing first,
 * then each file on its first read); an imported zip is the `File` itself, read in slices.
 */
import type { LowerDescriptor } from '@vellum/worker';

/** One lower of the stack: the name the tree shows and what the worker builds it from. */
export interface LowerSpec {
  name: string;
  descriptor: LowerDescriptor;
}

/** A download's progress, per lower, as the boot screen draws it. */
export interface LoadProgress {
  layer: string;
  loaded: number;
  total: number;
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`);
  return res;
}

/**
 * The served stack, topmost first, from `<baseUrl>stack.json`: `<baseUrl><name>.zip` for each name.
 * The lesson deletes base files with OCI whiteouts (`.wh.<name>`), so every lower honours them.
 */
export async function servedStack(baseUrl: string): Promise<LowerSpec[]> {
  const stack = (await (await fetchOk(`${baseUrl}stack.json`)).json()) as { lowers: string[] };
  return stack.lowers.map((name) => ({
    name,
    descriptor: { type: 'zip', url: new URL(`${name}.zip`, baseUrl).href, whiteouts: 'oci' },
  }));
}

/** A zip the user picked, as a lower named after the file; the worker reads the `File` lazily too. */
export function importedZip(file: File): LowerSpec {
  return {
    name: file.name.replace(/\.zip$/i, ''),
    descriptor: { type: 'zip', data: file, whiteouts: 'oci' },
  };
}

/**
 * Maps the worker's progress events (which name a lower by its URL) to the lower's name. The worker
 * reports the bytes of the requests made so far (`expected` grows with each one), so the bar shows
 * what the listing and the files opened cost, not the whole archive: that is what "lazy" means here.
 */
export function progressByName(
  lowers: readonly LowerSpec[],
  onProgress: (p: LoadProgress) => void,
): (event: { source: string; loaded: number; expected: number }) => void {
  const names = new Map<string, string>();
  for (const l of lowers)
    if (l.descriptor.type === 'zip' && l.descriptor.url !== undefined)
      names.set(String(l.descriptor.url), l.name);
  return (e) => onProgress({ layer: names.get(e.source) ?? e.source, loaded: e.loaded, total: e.expected });
}
