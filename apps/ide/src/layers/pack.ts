/**
 * The IDE's layer pack: a JSON manifest (entries, sizes, offsets) plus one binary blob holding every
 * file's bytes back to back. Two requests per layer, and the manifest says how big the blob is, so the
 * loader can show real progress. Shared by the build plugin (encode) and the page (decode); no DOM or
 * Node APIs here.
 */
import type { MemoryEntry } from '@vellum/core';

export type PackEntry =
  | { path: string; kind: 'file'; offset: number; size: number; mode?: number }
  | { path: string; kind: 'dir'; opaque?: boolean; mode?: number }
  | { path: string; kind: 'symlink'; target: string }
  | { path: string; kind: 'whiteout' };

export interface PackManifest {
  version: 1;
  /** Layer identity: a digest of the content, so an upper built on another version notices. */
  id: string;
  /** Shown in the UI ("base", "lesson"). */
  name: string;
  /** Times for every entry: a pack is a release, not a working copy. */
  mtimeMs: number;
  /** Length of the blob; also what the progress bar counts to. */
  blobBytes: number;
  entries: PackEntry[];
}

/** What the generators produce: a file's text or bytes, or a non-file entry. */
export type SourceEntry =
  | { path: string; kind: 'file'; data: string | Uint8Array; mode?: number }
  | { path: string; kind: 'dir'; opaque?: boolean }
  | { path: string; kind: 'symlink'; target: string }
  | { path: string; kind: 'whiteout' };

const encoder = new TextEncoder();

export function encodePack(
  name: string,
  mtimeMs: number,
  sources: readonly SourceEntry[],
): { manifest: PackManifest; blob: Uint8Array } {
  const chunks: Uint8Array[] = [];
  const entries: PackEntry[] = [];
  let offset = 0;
  for (const s of sources) {
    if (s.kind !== 'file') {
      entries.push(s);
      continue;
    }
    const bytes = typeof s.data === 'string' ? encoder.encode(s.data) : s.data;
    chunks.push(bytes);
    const entry: PackEntry = { path: s.path, kind: 'file', offset, size: bytes.length };
    if (s.mode !== undefined) entry.mode = s.mode;
    entries.push(entry);
    offset += bytes.length;
  }
  const blob = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    blob.set(c, at);
    at += c.length;
  }
  const id = `pack:${name}:${digest(JSON.stringify(entries), blob)}`;
  return { manifest: { version: 1, id, name, mtimeMs, blobBytes: blob.length, entries }, blob };
}

/** The manifest and blob as MemoryLayer entries; file data are views into the blob, not copies. */
export function decodePack(manifest: PackManifest, blob: Uint8Array): MemoryEntry[] {
  if (manifest.version !== 1)
    throw new Error(`layer pack ${manifest.name}: unknown version ${manifest.version}`);
  if (blob.length !== manifest.blobBytes)
    throw new Error(
      `layer pack ${manifest.name}: blob is ${blob.length} bytes, manifest says ${manifest.blobBytes}`,
    );
  return manifest.entries.map((e) => toMemoryEntry(e, blob, manifest.mtimeMs));
}

function toMemoryEntry(e: PackEntry, blob: Uint8Array, mtimeMs: number): MemoryEntry {
  switch (e.kind) {
    case 'file':
      return {
        path: e.path,
        kind: 'file',
        data: blob.subarray(e.offset, e.offset + e.size),
        mtimeMs,
        ...(e.mode !== undefined ? { mode: e.mode } : {}),
      };
    case 'dir':
      return { path: e.path, kind: 'dir', opaque: e.opaque === true, mtimeMs };
    case 'symlink':
      return { path: e.path, kind: 'symlink', target: e.target, mtimeMs };
    case 'whiteout':
      return { path: e.path, kind: 'whiteout' };
  }
}

// FNV-1a, two lanes: an identity for caching and upper/lower matching, not a security digest.
function digest(text: string, bytes: Uint8Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const mix = (b: number): void => {
    h1 = Math.imul(h1 ^ b, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ b, 0x5bd1e995) >>> 0;
  };
  for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i) & 0xff);
  for (let i = 0; i < bytes.length; i++) mix(bytes[i] as number);
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}
