/**
 * A directory on disk as a sorted list of entries: what `pack`, `manifest` and `export` read.
 * With `ociWhiteouts`, a kernel overlay upper directory's whiteouts (character devices 0/0) become
 * whiteout entries. Paths are relative, '/'-separated; the list is sorted so output is deterministic.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export type DiskEntry =
  | { path: string; kind: 'file'; mode: number; mtimeMs: number; size: number; abs: string }
  | { path: string; kind: 'dir'; mode: number; mtimeMs: number }
  | { path: string; kind: 'symlink'; mode: number; mtimeMs: number; target: string }
  | { path: string; kind: 'whiteout'; mtimeMs: number };

export interface WalkOptions {
  /** Character devices 0/0 are overlayfs whiteouts. */
  ociWhiteouts?: boolean;
  /** Relative paths to leave out (e.g. the manifest being written). */
  skip?: ReadonlySet<string>;
}

/** Every entry under `root` (not `root` itself), sorted by path. */
export async function walkDir(root: string, options: WalkOptions = {}): Promise<DiskEntry[]> {
  const out: DiskEntry[] = [];
  const visit = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (options.skip?.has(path)) continue;
      const abs = join(root, path);
      const st = await lstat(abs);
      // Whole seconds: what a zip keeps, so a packed tree and its source compare equal.
      const mtimeMs = Math.floor(st.mtimeMs / 1000) * 1000;
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        out.push({ path, kind: 'dir', mode, mtimeMs });
        await visit(path);
      } else if (st.isFile()) {
        out.push({ path, kind: 'file', mode, mtimeMs, size: st.size, abs });
      } else if (st.isSymbolicLink()) {
        out.push({ path, kind: 'symlink', mode: 0o777, mtimeMs, target: await readlink(abs) });
      } else if (options.ociWhiteouts && st.isCharacterDevice() && st.rdev === 0) {
        out.push({ path, kind: 'whiteout', mtimeMs });
      } else {
        throw new Error(`${abs}: sockets, FIFOs and devices cannot go in a layer`);
      }
    }
  };
  await visit('');
  return out;
}

/** A file entry's bytes. */
export function readEntry(e: DiskEntry & { kind: 'file' }): Promise<Uint8Array> {
  return readFile(e.abs);
}
