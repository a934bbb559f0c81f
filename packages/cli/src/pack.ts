/** `vellum pack` and `vellum manifest`: a directory as a zip layer, or as a manifest directory. */
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { buildManifest, type Manifest, type ManifestEntry, sha256Hex } from '@vellum/core/http';
import { writeZip, type ZipWriteEntry } from '@vellum/core/zip';
import { type DiskEntry, readEntry, walkDir } from './walk.js';

export interface PackOptions {
  /**
   * Turn overlayfs whiteouts (character devices 0/0) into `.wh.` entries and opaque directories
   * (xattr `trusted.overlay.opaque=y`, read with getfattr) into `.wh..wh..opq` entries.
   */
  ociWhiteouts?: boolean;
  /** Told when part of the tree cannot be read as asked (getfattr missing, say). */
  onWarning?: (message: string) => void;
  /** Deflate level (default 6). */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** Told after each file is read: how many files and bytes of the tree's are done. */
  onProgress?: (progress: PackProgress) => void;
}

/** How far a pack is: files read of those found, and their bytes. */
export interface PackProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
}

/** Counts files as they are read, against the walk's totals, for `onProgress`. */
function progressOf(
  walked: readonly DiskEntry[],
  onProgress: PackOptions['onProgress'],
): (size: number) => void {
  if (onProgress === undefined) return () => {};
  const files = walked.filter((e) => e.kind === 'file');
  const done: PackProgress = {
    files: 0,
    totalFiles: files.length,
    bytes: 0,
    totalBytes: files.reduce((n, e) => n + e.size, 0),
  };
  return (size) => {
    done.files++;
    done.bytes += size;
    onProgress({ ...done });
  };
}

/**
 * The zip of a directory: deterministic (sorted, same tree → same bytes), with Unix modes,
 * symlinks and mtimes (whole seconds).
 *
 * @example
 * ```ts
 * await writeFile('base.zip', await packZip('./base'));
 * ```
 */
export async function packZip(dir: string, options: PackOptions = {}): Promise<Uint8Array> {
  const entries: ZipWriteEntry[] = [];
  const walkOptions = { ociWhiteouts: options.ociWhiteouts, onWarning: options.onWarning };
  const walked = await walkDir(dir, walkOptions);
  const read = progressOf(walked, options.onProgress);
  for (const e of walked) {
    switch (e.kind) {
      case 'file': {
        const data = await readEntry(e);
        read(data.length);
        entries.push({ path: e.path, kind: 'file', data, mode: e.mode, mtimeMs: e.mtimeMs });
        break;
      }
      case 'dir':
        // writeZip adds the `.wh..wh..opq` entry inside an opaque directory.
        entries.push({
          path: e.path,
          kind: 'dir',
          mode: e.mode,
          mtimeMs: e.mtimeMs,
          opaque: e.opaque === true,
        });
        break;
      case 'symlink':
        entries.push({ path: e.path, kind: 'symlink', target: e.target, mtimeMs: e.mtimeMs });
        break;
      case 'whiteout':
        entries.push({ path: e.path, kind: 'whiteout', mtimeMs: e.mtimeMs });
        break;
    }
  }
  return writeZip(entries, { level: options.level ?? 6 });
}

/**
 * The manifest of a directory (its `vellum.json` is left out of the listing). With `outDir`, the
 * files are copied there too, so `outDir` is ready to upload; otherwise the manifest is written
 * into `dir` itself.
 */
export async function packManifest(
  dir: string,
  outDir?: string,
  options: PackOptions = {},
): Promise<Manifest> {
  const walked = await walkDir(dir, {
    ociWhiteouts: options.ociWhiteouts,
    onWarning: options.onWarning,
    skip: new Set(['vellum.json']),
  });
  const entries: ManifestEntry[] = [];
  const read = progressOf(walked, options.onProgress);
  for (const e of walked) {
    if (e.kind === 'file') {
      const bytes = await readEntry(e);
      read(bytes.length);
      entries.push({
        path: e.path,
        type: 'file',
        mode: e.mode,
        size: e.size,
        mtime: e.mtimeMs,
        sha256: await sha256Hex(bytes),
      });
    } else if (e.kind === 'dir')
      entries.push({
        path: e.path,
        type: 'dir',
        mode: e.mode,
        mtime: e.mtimeMs,
        ...(e.opaque ? { opaque: true } : {}),
      });
    else if (e.kind === 'symlink')
      entries.push({ path: e.path, type: 'symlink', mode: 0o777, mtime: e.mtimeMs, target: e.target });
    else entries.push({ path: e.path, type: 'whiteout' });
  }
  const manifest = await buildManifest(entries);
  const target = outDir ?? dir;
  if (outDir !== undefined && resolve(outDir) !== resolve(dir)) {
    await mkdir(outDir, { recursive: true });
    for (const e of walked) {
      const to = join(outDir, e.path);
      if (e.kind === 'dir') await mkdir(to, { recursive: true });
      else if (e.kind === 'file') {
        await mkdir(dirname(to), { recursive: true });
        await copyFile(e.abs, to);
      } else if (e.kind === 'symlink') await symlink(e.target, to).catch(() => {});
    }
  }
  await writeFile(join(target, 'vellum.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}
