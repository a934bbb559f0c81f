/**
 * Generator entries as a zip lower, in memory: what the e2e tests serve as a changed release or
 * import as a zip. (The build packs the served layers with `vellum pack`; see the plugin.)
 */
import { writeZip, type ZipWriteEntry } from '@vellum/core/zip';
import type { SourceEntry } from '../sample/entries.js';

export type { SourceEntry };

const encoder = new TextEncoder();

/**
 * The layer as a zip. Every entry gets `mtimeMs` (a layer is a release, not a working copy, and a
 * fixed time keeps the bytes, hence the layer id, the same from one build to the next); modes are
 * kept where the generator sets them and otherwise get the writer's defaults (0644 / 0755).
 */
export function zipLayerBytes(sources: readonly SourceEntry[], mtimeMs: number): Uint8Array {
  const entries = sources.map((s): ZipWriteEntry => {
    const path = s.path.replace(/^\/+/, '');
    switch (s.kind) {
      case 'file': {
        const data = typeof s.data === 'string' ? encoder.encode(s.data) : s.data;
        return s.mode === undefined
          ? { path, kind: 'file', data, mtimeMs }
          : { path, kind: 'file', data, mode: s.mode, mtimeMs };
      }
      case 'dir':
        return { path, kind: 'dir', opaque: s.opaque === true, mtimeMs };
      case 'symlink':
        return { path, kind: 'symlink', target: s.target, mtimeMs };
      default:
        return { path, kind: 'whiteout', mtimeMs };
    }
  });
  return writeZip(entries, { mtimeMs });
}
