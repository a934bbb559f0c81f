/**
 * `@vellum/core` — the overlay engine: read-only lowers under one writable upper,
 * merged with Linux overlayfs semantics, behind the `node:fs/promises` API.
 *
 * @module
 */

export type { WriteData } from './bytes.js';
export type { Change, Origin } from './changes.js';
export {
  type HttpLowerDescriptor,
  type IdbUpperDescriptor,
  isLayerDescriptor,
  type LayerDescriptor,
  type LayerOpenContext,
  type LowerDescriptor,
  type LowerDescriptors,
  type LowerOpener,
  type MemoryLowerDescriptor,
  type MemoryUpperDescriptor,
  openLower,
  openUpper,
  registerLayerType,
  type UpperDescriptor,
  type UpperDescriptors,
  type UpperOpener,
  type ZipData,
  type ZipLowerDescriptor,
} from './descriptors.js';
export { type ErrorCode, FsError } from './errors.js';
// A type only: handles come from `open()`; the constructor takes the engine's internals.
export type { FileHandle, ReadOptions, ReadResult, WriteResult } from './file-handle.js';
export type { FsckReport } from './fsck.js';
export type {
  EntryMeta,
  LowerEntry,
  LowerLayer,
  SnapshotInfo,
  UpperChange,
  UpperDirent,
  UpperInode,
  UpperLayer,
  UpperMeta,
  UpperProblem,
  UpperSnapshot,
  UpperUsage,
} from './layer.js';
export { type MemoryEntry, MemoryLayer, type MemoryLayerOptions, treeToEntries } from './memory-layer.js';
export { MemoryUpper } from './memory-upper.js';
export type { ConflictHunk } from './merge3.js';
export { Overlay, type OverlayOptions, type WalkEntry } from './overlay.js';
export type { PathLike } from './path.js';
export type { RebaseConflict, RebaseConflictKind, RebaseOptions, RebaseResult } from './rebase.js';
export type { RemountOptions, RemountResult } from './remount.js';
export type { RenameFlags } from './rename.js';
export type { BaseChange } from './replay.js';
export { Dirent, Stats } from './stats.js';
export type {
  Tree,
  TreeDir,
  TreeFile,
  TreeHardlink,
  TreeMeta,
  TreeNode,
  TreeSymlink,
  TreeWhiteout,
} from './tree.js';
export { dir, file, hardlink, symlink, whiteout } from './tree.js';
