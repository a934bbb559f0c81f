import type { EmscriptenFS, EmscriptenFsType, EmscriptenMemory } from './emscripten-types.js';
import type { SyncFs } from './sync-fs.js';
import { createVellumFS, type VellumMountOptions } from './vellum-fs.js';

/** One filesystem type per Emscripten instance: its ops close over that instance's `FS`. */
const types = new WeakMap<EmscriptenFS, EmscriptenFsType>();

/**
 * The filesystem type for this `FS`, made once.
 *
 * @example
 * ```ts
 * pyodide.FS.mount(VellumFS(pyodide.FS), { fs: ov }, '/home/pyodide/work');
 * ```
 */
export function VellumFS(FS: EmscriptenFS): EmscriptenFsType {
  let type = types.get(FS);
  if (!type) {
    type = createVellumFS(FS);
    types.set(FS, type);
  }
  return type;
}

/** Options of {@link mountOverlay}. */
export interface MountOverlayOptions {
  /** The overlay directory shown at the mount point; `'/'` by default. */
  root?: string;
  /** The program's module, for `mmap` (Pyodide: `pyodide._module`). */
  memory?: EmscriptenMemory;
}

/**
 * A mounted overlay, as {@link mountOverlay} returns it.
 *
 * @example
 * ```ts
 * const mounted = mountOverlay(pyodide.FS, ov, '/home/pyodide/work');
 * await ov.reset();
 * mounted.refresh(); // drop Emscripten's cached names: the program sees the fresh tree
 * mounted.unmount();
 * ```
 */
export interface MountedOverlay {
  /** Where the overlay is mounted in Emscripten's tree. */
  readonly mountpoint: string;
  /**
   * Forgets the names Emscripten has cached under the mount point (unmount and mount again).
   * Needed after the tree changed other than through this mount (`reset()`, `revert()`, another
   * client), so that a name removed there is not found from the cache. Open files stay open.
   */
  refresh(): void;
  /** Unmounts the overlay; the overlay itself stays open. */
  unmount(): void;
}

/**
 * Mounts an overlay into an Emscripten program's filesystem at `mountpoint` (made if missing).
 * Every call the program makes there goes to `fs`'s synchronous API:
 * - way (a), `fs` is the `Overlay` in the same thread: its layers must answer synchronously
 *   (memory layers, a memory upper, a zip's entries once read — `await ov.readFile(path)`
 *   preloads one); a call that would have to wait fails with EIO (the overlay's EAGAIN, kept as
 *   the `cause` of Emscripten's error);
 * - way (b), `fs` is `connectSync(port)` of `@vellum/worker`: the engine runs in its own worker,
 *   which may await IndexedDB and lazy lowers while this thread blocks. It needs
 *   SharedArrayBuffer, so in a browser a cross-origin isolated page; `connectSync` throws at
 *   once where there is none, and only way (a) is possible.
 *
 * @param FS - the program's Emscripten `FS` (Pyodide: `pyodide.FS`)
 * @param fs - the overlay (`Overlay` from `@vellum/core`), `connectSync`'s `SyncOverlay`, or another {@link SyncFs}
 * @param mountpoint - an absolute path in the program's tree
 *
 * @example
 * ```ts
 * import { loadPyodide } from 'pyodide';
 * import { MemoryLayer, MemoryUpper, Overlay } from '@vellum/core';
 * import { mountOverlay } from '@vellum/emscripten';
 * const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree({ 'data.txt': '3\n4\n' })], upper: new MemoryUpper() });
 * const pyodide = await loadPyodide();
 * mountOverlay(pyodide.FS, ov, '/home/pyodide/work');
 * pyodide.runPython(`
 * with open('/home/pyodide/work/data.txt') as f: total = sum(int(line) for line in f)
 * with open('/home/pyodide/work/sum.txt', 'w') as f: f.write(str(total))
 * `);
 * await ov.readFile('/sum.txt', 'utf8'); // '7'
 * ```
 */
export function mountOverlay(
  FS: EmscriptenFS,
  fs: SyncFs,
  mountpoint: string,
  options: MountOverlayOptions = {},
): MountedOverlay {
  if (!mountpoint.startsWith('/')) {
    const error = new TypeError(
      `mountOverlay: the mount point must be an absolute path, got '${mountpoint}'`,
    ) as TypeError & {
      code: string;
    };
    error.code = 'ERR_INVALID_ARG_VALUE';
    throw error;
  }
  const opts: VellumMountOptions = { fs, root: options.root ?? '/' };
  if (options.memory) opts.memory = options.memory;
  const type = VellumFS(FS);
  if (!FS.analyzePath(mountpoint).exists) FS.mkdirTree(mountpoint);
  FS.mount(type, { ...opts }, mountpoint);
  return {
    mountpoint,
    refresh() {
      FS.unmount(mountpoint);
      FS.mount(type, { ...opts }, mountpoint);
    },
    unmount() {
      FS.unmount(mountpoint);
    },
  };
}
