/**
 * `vellum export`: what a directory changes relative to a stack of layers, as a layer of its own
 * (a zip with OCI whiteouts, or an OCI layer tar). The directory is laid over the stack through
 * the engine (an Overlay on a memory upper is made to look like it), and the overlay's changes()
 * are written out — the same changes the IDE exports.
 */
import { readFile } from 'node:fs/promises';
import { type LowerLayer, MemoryUpper, Overlay } from '@vellum/core';
import { changeEntries, writeTarLayer, writeZip } from '@vellum/core/zip';
import { walkDir } from './walk.js';

/** One entry of a tree an overlay is made to show: what `walkDir` lists, with its bytes on demand. */
export type SourceEntry =
  | { path: string; kind: 'dir'; mode: number }
  | { path: string; kind: 'file'; mode: number; mtimeMs: number; read: () => Promise<Uint8Array> }
  | { path: string; kind: 'symlink'; target: string };

/** Makes `ov` show exactly the tree in `dir` (content, modes, symlinks). */
export async function syncInto(ov: Overlay, dir: string): Promise<void> {
  const disk = await walkDir(dir);
  await syncEntries(
    ov,
    disk.flatMap((e): SourceEntry[] => {
      const path = `/${e.path}`;
      if (e.kind === 'dir') return [{ path, kind: 'dir', mode: e.mode }];
      if (e.kind === 'file')
        return [{ path, kind: 'file', mode: e.mode, mtimeMs: e.mtimeMs, read: () => readFile(e.abs) }];
      if (e.kind === 'symlink') return [{ path, kind: 'symlink', target: e.target }];
      return []; // walkDir without ociWhiteouts lists no whiteouts
    }),
  );
}

/**
 * Makes `ov` show exactly `source` (paths `/`-rooted, parents before children): names it does not
 * list are removed, and only what differs is written, so `ov.changes()` is the difference.
 */
export async function syncEntries(ov: Overlay, source: readonly SourceEntry[]): Promise<void> {
  const want = new Map<string, SourceEntry>(source.map((e) => [e.path, e]));
  const prune = async (d: string): Promise<void> => {
    for (const entry of await ov.readdir(d, { withFileTypes: true })) {
      const p = d === '/' ? `/${entry.name}` : `${d}/${entry.name}`;
      const kind = entry.isDirectory() ? 'dir' : entry.isSymbolicLink() ? 'symlink' : 'file';
      const w = want.get(p);
      if (w === undefined || w.kind !== kind) await ov.rm(p, { recursive: true, force: true });
      else if (kind === 'dir') await prune(p);
    }
  };
  await prune('/');
  for (const e of source) {
    const p = e.path;
    let st = await ov.lstat(p).catch(() => null);
    if (e.kind === 'dir') {
      if (!st) await ov.mkdir(p, { mode: e.mode });
      if (((await ov.lstat(p)).mode & 0o7777) !== e.mode) await ov.chmod(p, e.mode);
    } else if (e.kind === 'file') {
      const data = await e.read();
      const same = st !== null && equal(await ov.readFile(p), data);
      // A name hard-linked to others (in the lowers) shares their bytes and mode: changing it in
      // place would change them too, so it is replaced by a file of its own.
      if (st !== null && st.nlink > 1 && !(same && (st.mode & 0o7777) === e.mode)) {
        await ov.unlink(p);
        st = null;
      }
      if (!st || !same) {
        await ov.writeFile(p, data, { mode: e.mode });
        await ov.utimes(p, e.mtimeMs / 1000, e.mtimeMs / 1000);
      }
      if (((await ov.lstat(p)).mode & 0o7777) !== e.mode) await ov.chmod(p, e.mode);
    } else {
      if (st && (await ov.readlink(p)) === e.target) continue;
      if (st) await ov.unlink(p);
      await ov.symlink(e.target, p);
    }
  }
}

export interface ExportResult {
  bytes: Uint8Array;
  changes: number;
}

/**
 * The changes `dir` makes over `lowers` (top first), as a zip (OCI whiteouts) or an OCI tar.
 *
 * @example
 * ```ts
 * const { bytes } = await exportChanges([await ZipLayer.open(base)], './work', 'zip');
 * ```
 */
export async function exportChanges(
  lowers: LowerLayer[],
  dir: string,
  format: 'zip' | 'tar',
): Promise<ExportResult> {
  const ov = await Overlay.create({ lowers, upper: new MemoryUpper() });
  await syncInto(ov, dir);
  const entries = await changeEntries(ov);
  const changes = (await ov.changes()).length;
  const bytes = format === 'zip' ? writeZip(entries) : writeTarLayer(entries);
  return { bytes, changes };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
