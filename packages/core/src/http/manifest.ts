/**
 * `vellum.json`: the manifest of a directory served over HTTP. It lists every entry with its type,
 * mode, size, mtime and symlink target, a SHA-256 per file, and a digest of the listing itself
 * (SHA-256 of its canonical JSON) that is the layer's identity.
 *
 * ```json
 * { "version": 1, "digest": "sha256-…", "entries": [
 *   { "path": "src", "type": "dir", "mode": 493, "mtime": 1717243200000 },
 *   { "path": "src/main.ts", "type": "file", "mode": 420, "size": 9, "mtime": 1717243200000, "sha256": "…" },
 *   { "path": "latest", "type": "symlink", "mode": 511, "mtime": 1717243200000, "target": "src/main.ts" } ] }
 * ```
 */
import { sha256Hex } from './sha256.js';

/** The manifest format's version, `version` of every manifest this package writes. */
export const MANIFEST_VERSION = 1;

/** One entry; `path` is relative, '/'-separated, without '.' or '..' components. */
export interface ManifestEntry {
  /** The entry's path under the base URL (`src/main.ts`), which is also where the file is fetched from. */
  path: string;
  /** What the entry is (a whiteout hides the name in the layers below). */
  type: 'file' | 'dir' | 'symlink' | 'whiteout';
  /** Permission bits. */
  mode?: number;
  /** Files: bytes. */
  size?: number;
  /** Milliseconds since the epoch. */
  mtime?: number;
  /** Symlinks. */
  target?: string;
  /** Files: SHA-256 of the content, hex. */
  sha256?: string;
  /** Directories: hide what the layers below hold here. */
  opaque?: boolean;
}

/**
 * A `vellum.json`: what `HttpLayer` reads first, what {@link buildManifest} and
 * `vellum manifest <dir>` write.
 *
 * @example
 * ```ts
 * const layer = await HttpLayer.open('https://cdn.example/lesson/');
 * console.log(layer.manifest.digest, layer.manifest.entries.length);
 * ```
 */
export interface Manifest {
  /** The format's version ({@link MANIFEST_VERSION}). */
  version: number;
  /** `sha256-<hex>` of the canonical JSON of `{ version, entries }`. */
  digest: string;
  /** Every entry, sorted by path. */
  entries: ManifestEntry[];
}

const TYPES = new Set(['file', 'dir', 'symlink', 'whiteout']);

/** The entry with its keys in one order and nothing undefined: the form the digest covers. */
function canonical(e: ManifestEntry): ManifestEntry {
  const out: ManifestEntry = { path: e.path, type: e.type };
  if (e.mode !== undefined) out.mode = e.mode;
  if (e.size !== undefined) out.size = e.size;
  if (e.mtime !== undefined) out.mtime = e.mtime;
  if (e.target !== undefined) out.target = e.target;
  if (e.sha256 !== undefined) out.sha256 = e.sha256;
  if (e.opaque) out.opaque = true;
  return out;
}

/** The digest of a listing: what identifies the layer (same entries, same digest). */
export async function manifestDigest(entries: readonly ManifestEntry[]): Promise<string> {
  const json = JSON.stringify({ version: MANIFEST_VERSION, entries: entries.map(canonical) });
  return `sha256-${await sha256Hex(new TextEncoder().encode(json))}`;
}

/**
 * A manifest for `entries` (sorted by path, so the same tree gives the same manifest).
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { buildManifest } from '@vellum/core/http';
 * const m = await buildManifest([{ path: 'a.txt', type: 'file', size: 1, sha256: '…', mode: 0o644, mtime: 0 }]);

 * await writeFile('site/vellum.json', JSON.stringify(m, null, 1));
 * ```
 */
export async function buildManifest(entries: Iterable<ManifestEntry>): Promise<Manifest> {
  const sorted = [...entries].map(canonical).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { version: MANIFEST_VERSION, digest: await manifestDigest(sorted), entries: sorted };
}

/**
 * Checks what a server sent: the shape of every entry, safe paths, and the digest. Throws an
 * Error saying what is wrong.
 */
export async function parseManifest(value: unknown): Promise<Manifest> {
  if (typeof value !== 'object' || value === null) throw new Error('the manifest is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.version !== MANIFEST_VERSION) throw new Error(`unsupported manifest version ${String(m.version)}`);
  if (typeof m.digest !== 'string') throw new Error('the manifest has no digest');
  if (!Array.isArray(m.entries)) throw new Error('the manifest has no entries list');
  const entries: ManifestEntry[] = [];
  for (const raw of m.entries as unknown[]) {
    const e = raw as Record<string, unknown>;
    const where = `manifest entry ${JSON.stringify(e?.path)}`;
    if (typeof e !== 'object' || e === null || typeof e.path !== 'string')
      throw new Error('a manifest entry has no path');
    if (typeof e.type !== 'string' || !TYPES.has(e.type))
      throw new Error(`${where}: unknown type ${String(e.type)}`);
    if (!safePath(e.path)) throw new Error(`${where}: not a safe relative path`);
    for (const key of ['mode', 'size', 'mtime'] as const) {
      const v = e[key];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
        throw new Error(`${where}: ${key} is not a non-negative number`);
      }
    }
    if (e.type === 'file' && typeof e.size !== 'number') throw new Error(`${where}: a file needs a size`);
    if (e.type === 'symlink' && typeof e.target !== 'string')
      throw new Error(`${where}: a symlink needs a target`);
    if (e.sha256 !== undefined && !(typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256))) {
      throw new Error(`${where}: sha256 is not 64 hex digits`);
    }
    entries.push(canonical(e as unknown as ManifestEntry));
  }
  const digest = await manifestDigest(entries);
  if (digest !== m.digest)
    throw new Error(`the manifest's digest is ${String(m.digest)} but its entries hash to ${digest}`);
  return { version: MANIFEST_VERSION, digest, entries };
}

/** Relative, no empty, '.' or '..' components, no backslash or NUL: it cannot leave the layer's root. */
function safePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((c) => c !== '' && c !== '.' && c !== '..');
}
