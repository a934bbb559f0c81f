/**
 * `@vellum/emscripten` — a Vellum overlay mounted into Emscripten's `FS`, so Pyodide, sql.js and
 * other WebAssembly programs read and write the workspace itself: no copy in MEMFS, every change
 * an ordinary overlay change (`changes()`, `reset()`).
 *
 * @example
 * ```ts
 * import { loadPyodide } from 'pyodide';
 * import { MemoryLayer, MemoryUpper, Overlay } from '@vellum/core';
 * import { mountOverlay } from '@vellum/emscripten';
 * const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree({ 'main.py': 'print(1)' })], upper: new MemoryUpper() });
 * const pyodide = await loadPyodide();
 * mountOverlay(pyodide.FS, ov, '/home/pyodide/work');
 * pyodide.runPython("import os; os.remove('/home/pyodide/work/main.py')");
 * await ov.changes(); // [{ path: '/main.py', type: 'file', change: 'deleted' }]
 * ```
 *
 * @module
 */
export type {
  EmscriptenAttr,
  EmscriptenFS,
  EmscriptenFsType,
  EmscriptenMemory,
  EmscriptenMount,
  EmscriptenNode,
  EmscriptenStat,
  EmscriptenStream,
  ErrnoErrorConstructor,
  MmapResult,
  NodeOps,
  StreamOps,
} from './emscripten-types.js';
export { type MountedOverlay, type MountOverlayOptions, mountOverlay, VellumFS } from './mount.js';
export type { SyncFs, SyncStats } from './sync-fs.js';
export { createVellumFS, type VellumMountOptions } from './vellum-fs.js';
