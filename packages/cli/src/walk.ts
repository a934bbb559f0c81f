/**
 * A directory on disk as a sorted list of entries: what `pack`, `manifest` and `export` read.
 * With `ociWhiteouts`, a kernel overlay upper directory's whiteouts (character devices 0/0) become
 * whiteout entries and its opaque directories (xattr `trusted.overlay.opaque` = `y`) opaque
 * directories. Paths are relative, '/'-separated; the list is sorted so output is deterministic.
 */
import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export type DiskEntry =
  | { path: string; kind: 'file'; mode: number; mtimeMs: number; size: number; abs: string }
  | { path: string; kind: 'dir'; mode: number; mtimeMs: number; opaque?: boolean }
  | { path: string; kind: 'symlink'; mode: number; mtimeMs: number; target: string }
  | { path: string; kind: 'whiteout'; mtimeMs: number };

export interface WalkOptions {
  /** Character devices 0/0 are overlayfs whiteouts, `trusted.overlay.opaque=y` marks opaque dirs. */
  ociWhiteouts?: boolean;
  /** Told when something of the tree cannot be read as asked (e.g. getfattr is missing). */
  onWarning?: (message: string) => void;
  /** Relative paths to leave out (e.g. the manifest being written). */
  skip?: ReadonlySet<string>;
}

/** Every entry under `root` (not `root` itself), sorted by path. */
export async function walkDir(root: string, options: WalkOptions = {}): Promise<DiskEntry[]> {
  const out: DiskEntry[] = [];
  const opaqueOf = options.ociWhiteouts ? opaqueReader(options.onWarning ?? (() => {})) : undefined;
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
        const entry: DiskEntry = { path, kind: 'dir', mode, mtimeMs };
        if (opaqueOf && (await opaqueOf(abs))) entry.opaque = true;
        out.push(entry);
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

/** Where the kernel's overlayfs marks a directory of the upper opaque (hiding the lowers' one). */
const OPAQUE_XATTR = 'trusted.overlay.opaque';

/**
 * Reads OPAQUE_XATTR of directories. Node has no xattr API, so this runs getfattr (Debian package
 * `attr`) once per directory. Without getfattr it warns once and reads every directory as not
 * opaque: the pack still works, but a directory that hid a lower one would let it show through.
 */
function opaqueReader(warn: (message: string) => void): (dir: string) => Promise<boolean> {
  let missing = false;
  // The kernel shows trusted.* xattrs to CAP_SYS_ADMIN only: as another user getfattr answers
  // "No such attribute" for every directory, which would silently drop every opaque mark.
  let unprivileged = process.getuid !== undefined && process.getuid() !== 0;
  return (dir) =>
    new Promise((resolve) => {
      if (missing) return resolve(false);
      execFile(
        'getfattr',
        ['--absolute-names', '--only-values', '-n', OPAQUE_XATTR, '--', dir],
        { encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error === null) return resolve(stdout.trim() === 'y');
          if (unprivileged && (error as NodeJS.ErrnoException).code !== 'ENOENT') {
            warn(
              `not root: ${OPAQUE_XATTR} is invisible to other users, so opaque directories may be packed as plain ones`,
            );
            unprivileged = false;
          }
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            if (!missing)
              warn(
                `getfattr not found (install the 'attr' package): ${OPAQUE_XATTR} cannot be read, so ` +
                  'opaque directories are packed as plain ones and the lower directories they hid will show through',
              );
            missing = true;
            return resolve(false);
          }
          // Exit status 1 with "No such attribute" is the common case (a plain directory); a file
          // system without xattrs ("Operation not supported") has no opaque directories either.
          if (!/No such attribute|Operation not supported/.test(stderr))
            warn(`getfattr ${OPAQUE_XATTR} ${dir}: ${stderr.trim() || error.message}`);
          resolve(false);
        },
      );
    });
}

/** A file entry's bytes. */
export function readEntry(e: DiskEntry & { kind: 'file' }): Promise<Uint8Array> {
  return readFile(e.abs);
}
