/**
 * A real directory as a lower layer, in the formats overlayfs and container tools write:
 * whiteouts as character devices 0/0, opaque directories by the `overlay.opaque` xattr, and,
 * when asked, OCI's `.wh.<name>` and `.wh..wh..opq` names.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { promisify } from 'node:util';
import { type EntryMeta, FsError, type LowerEntry, type LowerLayer } from '@vellum/core';
import { fsErrorWithReason } from './errors.js';
import { FdCache } from './fd-cache.js';
import { readOverlayXattrs, type XattrMap, type XattrNamespace } from './xattr.js';

const readAt = promisify(fs.read);

/**
 * How {@link DirLayer.open} reads a directory.
 *
 * @example
 * ```ts
 * const options: DirLayerOptions = { whiteouts: 'oci', xattrs: 'user' };
 * ```
 */
export interface DirLayerOptions {
  /** The layer's identity; by default `dir:` and a digest of the listing (paths, kinds, sizes, times, modes, owners). */
  id?: string;
  /**
   * `'kernel'` (default): whiteouts are character devices 0/0 and opaque directories carry
   * `overlay.opaque=y`, as overlayfs writes its upperdir. `'oci'`: also OCI image layer names,
   * `.wh.<name>` hides `<name>` and `.wh..wh..opq` makes its directory opaque.
   */
  whiteouts?: 'kernel' | 'oci';
  /**
   * Where overlay xattrs are read: `'trusted'` (default, what the kernel uses; reading them
   * needs root), `'user'` (the kernel's `userxattr` mount option, for unprivileged overlays), or
   * `'none'` (no xattrs are read, so no `getfattr` is needed; opaque marks are then not seen).
   */
  xattrs?: XattrNamespace | 'none';
}

/** What a file entry's `ref` holds: where the bytes are and how many the listing saw. */
interface FileRef {
  readonly path: string;
  readonly size: number;
}

/** Something in the directory that a layer cannot hold, left out of the listing. */
export interface DirLayerWarning {
  /** The entry's path in the layer, `/`-separated. */
  path: string;
  /** Why it was left out. */
  message: string;
}

const decoder = new TextDecoder();
const isYes = (value: Uint8Array | undefined): boolean => value?.length === 1 && value[0] === 0x79; // 'y'

function metaOf(st: fs.Stats): EntryMeta {
  return {
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    atimeMs: st.atimeMs,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    birthtimeMs: st.birthtimeMs,
  };
}

/**
 * A directory on disk as a read-only lower: listed once, in bulk, when opened (modes, owners,
 * times, symlink targets, hard links by inode, the overlay marks), then read by range through
 * file descriptors kept open for the next range. The directory must not change while an
 * overlay uses it (as with the kernel's lowerdir); a file that shrank reads EIO.
 *
 * Overlay marks understood: whiteouts (character device 0/0), opaque directories
 * (`trusted.overlay.opaque=y`, or `user.` with `xattrs: 'user'`), OCI names with
 * `whiteouts: 'oci'`. A directory with `overlay.redirect` or a file with `overlay.metacopy`
 * (a kernel upperdir's moved directory, or metadata-only copy-up) points into the layers below,
 * which a layer cannot express on its own: opening such a directory fails with EINVAL naming
 * the path. Fifos, sockets and devices other than whiteouts are left out, listed in `warnings`.
 *
 * @example
 * ```ts
 * import { MemoryUpper, Overlay } from '@vellum/core';
 * import { DirLayer } from '@vellum/node';
 *
 * const repo = await DirLayer.open('/srv/repo');
 * const ov = await Overlay.create({ lowers: [repo], upper: new MemoryUpper() });
 * await ov.writeFile('/README.md', 'changed in the overlay only');
 * ```
 */
export class DirLayer implements LowerLayer {
  /** The layer's identity (see {@link DirLayerOptions.id}). */
  readonly id: string;
  /** The directory, as an absolute path. */
  readonly root: string;
  /** Entries left out of the listing, and why. */
  readonly warnings: readonly DirLayerWarning[];
  readonly #entries: readonly LowerEntry[];
  readonly #byDiskIno: ReadonlyMap<number, string[]>;
  readonly #fds = new FdCache();

  private constructor(root: string, id: string, listing: Listing) {
    this.root = root;
    this.id = id;
    this.#entries = listing.entries;
    this.#byDiskIno = listing.byDiskIno;
    this.warnings = listing.warnings;
  }

  /**
   * The layer's paths of the object with this inode number on disk (its hard links), as
   * listed: how an upper the kernel wrote, whose copies name their lower objects by file
   * handle, finds them again.
   *
   * @example
   * ```ts
   * layer.pathsOfDiskInode((await stat('/srv/base/a.txt')).ino); // ['/a.txt']
   * ```
   */
  pathsOfDiskInode(ino: number): readonly string[] {
    return this.#byDiskIno.get(ino) ?? [];
  }

  /**
   * Lists `path` (one walk, one `getfattr` process for the xattrs) and returns the layer.
   * ENOENT when it does not exist, ENOTDIR when it is not a directory.
   */
  static async open(path: string, options: DirLayerOptions = {}): Promise<DirLayer> {
    const root = nodePath.resolve(path);
    let st: fs.Stats;
    try {
      st = await fsp.stat(root);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT' : 'EIO';
      throw fsErrorWithReason(code, 'scandir', root, 'the lower directory cannot be read', err);
    }
    if (!st.isDirectory()) {
      throw fsErrorWithReason('ENOTDIR', 'scandir', root, 'a directory layer needs a directory');
    }
    const ns = options.xattrs ?? 'trusted';
    const xattrs = ns === 'none' ? new Map<string, XattrMap>() : await readOverlayXattrs(root, ns);
    const listing = await listDirectory(
      root,
      ns === 'none' ? 'trusted' : ns,
      xattrs,
      options.whiteouts === 'oci',
    );
    return new DirLayer(root, options.id ?? `dir:${digest(listing.entries)}`, listing);
  }

  /** Every entry, as listed when the layer was opened. */
  entries(): Iterable<LowerEntry> {
    return this.#entries;
  }

  /** Bytes `[offset, offset + length)` of a file, clamped to its listed size, in a buffer of the caller's. */
  async read(ref: unknown, offset: number, length: number): Promise<Uint8Array> {
    const file = ref as FileRef;
    const out = new Uint8Array(Math.max(0, Math.min(file.size, offset + length) - offset));
    if (out.length === 0) return out;
    const lease = this.#lease(file);
    let done = 0;
    try {
      while (done < out.length) {
        const { bytesRead } = await readAt(lease.fd, out, done, out.length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (err) {
      this.#fds.drop(file.path);
      throw fsErrorWithReason('EIO', 'read', file.path, 'the lower file cannot be read', err);
    } finally {
      lease.release();
    }
    return this.#whole(file, out, done);
  }

  /** The same bytes, read synchronously (a local disk answers at once). */
  readSync(ref: unknown, offset: number, length: number): Uint8Array {
    const file = ref as FileRef;
    const out = new Uint8Array(Math.max(0, Math.min(file.size, offset + length) - offset));
    if (out.length === 0) return out;
    const lease = this.#lease(file);
    let done = 0;
    try {
      while (done < out.length) {
        const n = fs.readSync(lease.fd, out, done, out.length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
    } catch (err) {
      this.#fds.drop(file.path);
      throw fsErrorWithReason('EIO', 'read', file.path, 'the lower file cannot be read', err);
    } finally {
      lease.release();
    }
    return this.#whole(file, out, done);
  }

  /** Closes the file descriptors kept for reading. The layer can still be read afterwards (they reopen). */
  close(): void {
    this.#fds.close();
  }

  #lease(file: FileRef) {
    try {
      return this.#fds.acquire(file.path);
    } catch (err) {
      throw fsErrorWithReason('EIO', 'open', file.path, 'the lower file cannot be opened', err);
    }
  }

  #whole(file: FileRef, out: Uint8Array, done: number): Uint8Array {
    if (done < out.length) {
      throw fsErrorWithReason('EIO', 'read', file.path, 'the lower file is shorter than when it was listed');
    }
    return out;
  }
}

interface Listing {
  entries: LowerEntry[];
  warnings: DirLayerWarning[];
  /** Disk inode number → the layer's paths of that object (files, directories, symlinks). */
  byDiskIno: Map<number, string[]>;
}

const OCI_OPAQUE = '.wh..wh..opq';
const OCI_WHITEOUT = '.wh.';

/**
 * Walks the directory once. Paths in entries are `/`-separated from the layer's root. A file
 * seen again by (device, inode) is a hard link of the first name seen; its count is the number
 * of names in the layer (a name outside the directory is not the layer's).
 */
async function listDirectory(
  root: string,
  ns: XattrNamespace,
  xattrs: ReadonlyMap<string, XattrMap>,
  oci: boolean,
): Promise<Listing> {
  const entries: LowerEntry[] = [];
  const warnings: DirLayerWarning[] = [];
  const firstName = new Map<string, Extract<LowerEntry, { kind: 'file' }>>();
  const ociOpaque = new Set<string>();
  const dirs = new Map<string, Extract<LowerEntry, { kind: 'dir' }>>();
  const mark = (abs: string, name: string) => xattrs.get(abs)?.get(`${ns}.overlay.${name}`);
  const byDiskIno = new Map<number, string[]>();
  const remember = (ino: number, path: string) => {
    const paths = byDiskIno.get(ino);
    if (paths === undefined) byDiskIno.set(ino, [path]);
    else paths.push(path);
  };

  const walk = async (rel: string): Promise<void> => {
    const abs = rel === '' ? root : nodePath.join(root, rel);
    const names = (await fsp.readdir(abs)).sort();
    const stats = await Promise.all(names.map((name) => fsp.lstat(nodePath.join(abs, name))));
    const subdirs: string[] = [];
    for (const [i, name] of names.entries()) {
      const st = stats[i];
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const childAbs = nodePath.join(abs, name);
      const path = `/${childRel}`;
      if (oci && name === OCI_OPAQUE) {
        ociOpaque.add(rel);
        continue;
      }
      if (oci && name.startsWith(OCI_WHITEOUT)) {
        const hidden = name.slice(OCI_WHITEOUT.length);
        entries.push({ path: `/${rel === '' ? hidden : `${rel}/${hidden}`}`, kind: 'whiteout' });
        continue;
      }
      if (!st.isCharacterDevice()) remember(st.ino, path);
      if (st.isCharacterDevice() && st.rdev === 0) {
        entries.push({ path, kind: 'whiteout' });
      } else if (st.isDirectory()) {
        if (mark(childAbs, 'redirect') !== undefined) {
          throw fsErrorWithReason(
            'EINVAL',
            'scandir',
            childAbs,
            `${ns}.overlay.redirect (to ${decoder.decode(mark(childAbs, 'redirect'))}) in a lower layer is not supported: the directory's contents live in the layers below under another name`,
          );
        }
        const entry: Extract<LowerEntry, { kind: 'dir' }> = {
          ...metaOf(st),
          path,
          kind: 'dir',
          opaque: isYes(mark(childAbs, 'opaque')),
        };
        entries.push(entry);
        dirs.set(childRel, entry);
        subdirs.push(childRel);
      } else if (st.isSymbolicLink()) {
        entries.push({ ...metaOf(st), path, kind: 'symlink', target: await fsp.readlink(childAbs) });
      } else if (st.isFile()) {
        if (mark(childAbs, 'metacopy') !== undefined) {
          throw fsErrorWithReason(
            'EINVAL',
            'scandir',
            childAbs,
            `${ns}.overlay.metacopy in a lower layer is not supported: the file's data lives in the layers below`,
          );
        }
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? firstName.get(key) : undefined;
        if (first !== undefined) {
          entries.push({ path, kind: 'hardlink', linkOf: first.path });
          first.nlink = (first.nlink ?? 1) + 1;
          continue;
        }
        const entry: Extract<LowerEntry, { kind: 'file' }> = {
          ...metaOf(st),
          path,
          kind: 'file',
          size: st.size,
          ref: { path: childAbs, size: st.size } satisfies FileRef,
          nlink: 1,
        };
        entries.push(entry);
        if (st.nlink > 1) firstName.set(key, entry);
      } else {
        warnings.push({ path, message: 'not a file, directory, symlink or whiteout: left out' });
      }
    }
    for (const sub of subdirs) await walk(sub);
  };
  try {
    await walk('');
  } catch (err) {
    if (err instanceof FsError) throw err;
    throw fsErrorWithReason('EIO', 'scandir', root, 'the lower directory could not be listed', err);
  }
  for (const rel of ociOpaque) {
    const entry = dirs.get(rel);
    if (entry !== undefined) entry.opaque = true;
  }
  return { entries, warnings, byDiskIno };
}

/** A digest of what the listing says, so a changed directory is a different layer. */
function digest(entries: readonly LowerEntry[]): string {
  const hash = createHash('sha256');
  for (const e of entries) {
    const fields: unknown[] = [e.path, e.kind];
    if (e.kind === 'file') fields.push(e.size, e.mtimeMs, e.mode, e.uid, e.gid, e.nlink);
    else if (e.kind === 'dir') fields.push(e.mtimeMs, e.mode, e.uid, e.gid, e.opaque === true);
    else if (e.kind === 'symlink') fields.push(e.target, e.mode, e.uid, e.gid);
    else if (e.kind === 'hardlink') fields.push(e.linkOf);
    hash.update(`${JSON.stringify(fields)}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}
