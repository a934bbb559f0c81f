/**
 * @vellum/wasm: the merged namespace index and the zip central-directory parser, compiled from
 * AssemblyScript (see ../assembly). Load happens on first use: `NamespaceIndex.create()` and
 * `ZipDirectory.open()` are async for that reason only.
 */
export type { IndexEntry } from './batch.js';
export { type WasmErrorCode, WasmFsError } from './errors.js';
export {
  CONTAINER_LINK,
  Flag,
  Kind,
  LOWER_LINK,
  NO_REF,
  Resolve,
  ResolveFlag,
  type ResolveStatus,
  ROOT,
  UNTAGGED,
  UPPER,
  Walk,
  type WalkStatus,
} from './layout.js';
export { loadModule, setWasmSource, WASM_URL } from './load.js';
export {
  type IndexWarning,
  NamespaceIndex,
  type NodeInit,
  type Resolved,
  type ResolveOptions,
  type WalkResult,
} from './namespace-index.js';
export { ZipDirectory, type ZipEntry, type ZipSource, type ZipWarning } from './zip-directory.js';
