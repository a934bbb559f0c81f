/**
 * `vellum freeze`: a lower stack and an upper (a kernel overlayfs upperdir, an OCI layer directory
 * with `.wh.` names, or an exported workspace zip) frozen into one zip layer that, stacked on the
 * same lowers, shows their merged tree. The upper is laid over the lowers as a layer (read only:
 * nothing is written to either directory), the merged tree is made the view of an overlay on the
 * lowers alone, and that overlay's `freeze()` writes the zip — the engine's own diff, so the zip
 * holds only what differs from the lowers (a copy-up that changed nothing, or a whiteout of a
 * name no lower has, is left out).
 */
import { statSync } from 'node:fs';
import { type LowerLayer, MemoryUpper, Overlay } from '@vellum/core';
import type { FreezeOptions, FrozenLayer } from '@vellum/core/zip';
import { type SourceEntry, syncEntries } from './export.js';
import { openLayer } from './layers.js';

/**
 * The upper as a layer: a file is a zip with OCI whiteouts; a directory is read by
 * `@vellum/node`'s DirLayer with both whiteout forms (character devices 0/0 and `.wh.` names)
 * and overlay opaque marks. A kernel upperdir's redirected directory or metacopy file cannot be
 * read without its mount's lowers' naming (DirLayer refuses them with EINVAL naming the path).
 */
export async function openUpper(spec: string): Promise<LowerLayer> {
  if (statSync(spec).isFile()) return openLayer(spec, { ociWhiteouts: true });
  // Loaded on use: @vellum/node is Linux-only (an optional dependency of this package).
  const node = await import('@vellum/node').catch((error: unknown) => {
    throw new Error('reading an upper directory needs @vellum/node (Linux), which is not installed', {
      cause: error,
    });
  });
  return node.DirLayer.open(spec, { whiteouts: 'oci' });
}

/** The merged tree of `ov`, parents first, as `syncEntries` takes it. */
async function treeOf(ov: Overlay): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  for (const { path, stats } of await ov.walk('/')) {
    const mode = stats.mode & 0o7777;
    if (stats.isDirectory()) out.push({ path, kind: 'dir', mode });
    else if (stats.isSymbolicLink()) out.push({ path, kind: 'symlink', target: await ov.readlink(path) });
    else out.push({ path, kind: 'file', mode, mtimeMs: stats.mtimeMs, read: () => ov.readFile(path) });
  }
  return out;
}

/**
 * Freezes `upper` over `lowers` (top first) into a zip layer: stacked as `[zip, ...lowers]` it
 * shows what `[upper, ...lowers]` shows.
 *
 * @example
 * ```ts
 * const base = await openLayer('lesson-1/base');
 * const { data } = await freezePair([base], await openUpper('lesson-1/upper'));
 * ```
 */
export async function freezePair(
  lowers: LowerLayer[],
  upper: LowerLayer,
  options: FreezeOptions = {},
): Promise<FrozenLayer> {
  const merged = await Overlay.create({ lowers: [upper, ...lowers], upper: new MemoryUpper() });
  const target = await Overlay.create({ lowers, upper: new MemoryUpper() });
  try {
    await syncEntries(target, await treeOf(merged));
    return await target.freeze(options);
  } finally {
    await Promise.all([merged.close(), target.close()]);
  }
}
