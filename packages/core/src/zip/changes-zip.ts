/**
 * An overlay's changes as a layer of their own: the entries a zip (or an OCI layer tar) needs so
 * that, stacked on the same lowers, it shows exactly the overlay's merged view. One entry per
 * `changes()` row, read from the overlay; a moved directory is written whole and opaque, since a
 * layer has no redirect: its lower contents must travel with it.
 */
import type { Overlay } from '../overlay.js';
import { writeTarLayer } from './tar-writer.js';
import { writeZip, type ZipWriteEntry, type ZipWriteOptions } from './writer.js';

/** The mode a directory a layer does not list gets (the engine's default for one). */
const IMPLICIT_DIR_MODE = 0o755;

/**
 * The entries of `ov`'s changes, in path order (`vellum export` and the tests' diff check).
 * Modes and whole-second mtimes are kept; owners and hard links are not (a zip has neither).
 *
 * @example
 * ```ts
 * const layer = await ZipLayer.open(writeZip(await changeEntries(ov)), { whiteouts: 'oci' });
 * const same = await Overlay.create({ lowers: [layer, base], upper: new MemoryUpper() });
 * ```
 */
export async function changeEntries(ov: Overlay): Promise<ZipWriteEntry[]> {
  const entries: ZipWriteEntry[] = [];
  /** Moved directories written whole: changes below them are already in. */
  const whole: string[] = [];
  const entryOf = async (path: string, type: 'file' | 'dir' | 'symlink', opaque: boolean) => {
    const st = await ov.lstat(path);
    const rel = path.replace(/^\/+/, '');
    const mtimeMs = Math.floor(st.mtimeMs / 1000) * 1000;
    const mode = st.mode & 0o7777;
    if (type === 'dir') return { path: rel, kind: 'dir', mode, mtimeMs, opaque } as const;
    if (type === 'symlink')
      return { path: rel, kind: 'symlink', target: await ov.readlink(path), mtimeMs } as const;
    return { path: rel, kind: 'file', data: await ov.readFile(path), mode, mtimeMs } as const;
  };
  /**
   * Directories written or looked at so far. A parent the layer does not list is implicit, and an
   * implicit directory shows mode 0o755 over the lowers' own: a parent with another mode is
   * written (with it) so that the stack keeps the view's.
   */
  const written = new Set<string>(['/']);
  const parents = async (path: string): Promise<void> => {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    if (written.has(parent)) return;
    await parents(parent);
    written.add(parent);
    if (((await ov.lstat(parent)).mode & 0o7777) !== IMPLICIT_DIR_MODE)
      entries.push(await entryOf(parent, 'dir', false));
  };
  for (const c of await ov.changes()) {
    if (whole.some((w) => c.path.startsWith(`${w}/`))) continue;
    await parents(c.path);
    if (c.type === 'dir') written.add(c.path);
    if (c.change === 'deleted' || c.type === null) {
      entries.push({ path: c.path.replace(/^\/+/, ''), kind: 'whiteout' });
      continue;
    }
    if (c.type === 'dir' && c.change === 'renamed') {
      whole.push(c.path);
      entries.push(await entryOf(c.path, 'dir', true));
      for (const { path, stats } of await ov.walk(c.path)) {
        const type = stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'symlink' : 'file';
        entries.push(await entryOf(path, type, false));
      }
      continue;
    }
    entries.push(await entryOf(c.path, c.type, c.change === 'opaque'));
  }
  return entries;
}

/**
 * `changeEntries` written as a zip (OCI whiteouts and opaque marks): an export of the workspace
 * that, stacked on the same lowers (here one, `base`), gives the same view.
 *
 * @example
 * ```ts
 * const zip = await changesZip(ov);
 * const layer = await ZipLayer.open(zip, { whiteouts: 'oci' });
 * const again = await Overlay.create({ lowers: [layer, base], upper: new MemoryUpper() });
 * ```
 */
export async function changesZip(ov: Overlay, options?: ZipWriteOptions): Promise<Uint8Array> {
  return writeZip(await changeEntries(ov), options);
}

/**
 * `changeEntries` written as an OCI image layer tar (`.wh.` whiteouts and opaque marks): the
 * workspace as a container layer over the same lowers.
 *
 * @example
 * ```ts
 * const tar = await changesTar(ov); // e.g. `tar -tf` lists it; an OCI image can stack it
 * ```
 */
export async function changesTar(ov: Overlay): Promise<Uint8Array> {
  return writeTarLayer(await changeEntries(ov));
}
