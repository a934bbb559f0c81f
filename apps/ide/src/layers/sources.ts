/**
 * What the sample generators produce, and how it becomes a zip lower. Shared by the build plugin
 * (which serves the zips) and the e2e tests (which serve a changed release); no DOM or Node APIs here.
 */
import { writeZip, type ZipWriteEntry } from '@vellum/core/zip';

/** A file's text or bytes, or a non-file entry; paths are absolute ('/src/app.ts'). */
export type SourceEntry =
  | { path: string; kind: 'file'; data: string | Uint8Array; mode?: number }
  | { path: string; kind: 'dir'; opaque?: boolean }
  | { path: string; kind: 'symlink'; target: string }
  | { path: string; kind: 'whiteout' };

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
