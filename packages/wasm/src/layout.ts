/**
 * Numbers shared with the AssemblyScript side (assembly/layout.ts): node kinds and flags,
 * record strides and field offsets of the zip entry table.
 */

/** The root directory's node id. */
export const ROOT = 1;
/** Entry reference meaning "no entry of the layer" (an implicit directory). */
export const NO_REF = 0xffffffff;
/** The layer of a name whose ref is the container of its directory's names (see `walkNodes`). */
export const CONTAINER_LINK = 0xfffffffe;
/**
 * The layer of a container name standing for a lower non-directory whose object is not made yet (its
 * ref is the lower node); see `copyChildren`.
 */
export const LOWER_LINK = 0xfffffffd;
/** The layer number of nodes born in the upper. */
export const UPPER = 0xffffffff;

/** Node kinds. A whiteout is a node of its own kind: a name that hides what is below. */
export const Kind = { File: 1, Dir: 2, Symlink: 3, Whiteout: 4 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Node flags (a bit set). */
export const Flag = {
  Opaque: 1,
  Redirect: 2,
  CopiedUp: 4,
  Metacopy: 8,
  /** A directory that exists only because entries below it do. */
  Implicit: 16,
  /** An object kept alive by hard links after its first name went away. */
  Detached: 32,
  /** A bulk-built directory laid over the same directory of a layer below (not opaque there). */
  Merged: 64,
  /**
   * A file its layer lists with a link count above 1 (`IndexEntry.nlink`): the same bit as
   * `Merged`, which only directories carry.
   */
  Linked: 64,
  /** A container merging a lower directory: lookups that miss it fall through (see `setBelow`). */
  Below: 128,
} as const;

/** Set in a `walkNodes` result when the value is an untagged node's id rather than a tag. */
export const UNTAGGED = 0x80000000;

/**
 * Zip entry records (assembly/layout.ts): 44 bytes, the node header (name address at 4, name
 * length at 8) and the entry's values. Sizes, offset and mtime (seconds) are u32; `mode` holds
 * the permission bits, the kind << 12, `Z_WIDE` and `Z_ENCRYPTED`; `method` the method (12 bits)
 * and the status << 12. An entry whose values do not fit sets `Z_WIDE` and has a record in the
 * wide list (40 bytes: u32 index, u32 method, then f64 size, compressed size, offset, mtime in ms).
 */
export const Z_STRIDE = 44;
export const Z = {
  crc: 20,
  csize: 24,
  size: 28,
  offset: 32,
  mtime: 36,
  mode: 40,
  method: 42,
} as const;
export const Z_MODE_MASK = 0xfff;
export const Z_KIND_SHIFT = 12;
export const Z_WIDE = 0x4000;
export const Z_ENCRYPTED = 0x8000;
export const Z_METHOD_MASK = 0xfff;
export const Z_METHOD_WIDE = 0xfff;
export const Z_STATUS_SHIFT = 12;
/** The status of an entry left out by `ZipDirectory.reject` (the parser's own codes are 1–12). */
export const Z_REJECTED_BY_CALLER = 15;
export const W_STRIDE = 40;
export const W = { index: 0, method: 4, size: 8, csize: 16, offset: 24, mtime: 32 } as const;

/** Index operation errors, as returned (negated) by the wasm side. */
export const E = { EEXIST: 1, ENOENT: 2, ENOTDIR: 3, EINVAL: 4, EISDIR: 5, ENOTEMPTY: 6 } as const;

/**
 * What {@link NamespaceIndex.resolveNodes} answers (assembly/resolve.ts): the node found, the
 * last component missing, an error, or `NonDir` — a non-directory where it matters whether it is
 * a symlink, and the index has no target for it (the caller looks, sets one, and asks again).
 */
export const Resolve = {
  Found: 0,
  MissingLast: 1,
  NoEnt: 2,
  NotDir: 3,
  Loop: 4,
  NameTooLong: 5,
  NonDir: 6,
} as const;
export type ResolveStatus = (typeof Resolve)[keyof typeof Resolve];

/** Flags of {@link NamespaceIndex.resolveNodes}. */
export const ResolveFlag = {
  /** Follow a symlink in the last component. */
  Follow: 1,
  /** Write the canonical path (read it with `resolvedPath`). */
  Path: 2,
} as const;

/** Walk results (see assembly/walk.ts). */
export const Walk = { Ok: 0, MissingLast: 1, Missing: 2, NotDir: 3, Symlink: 4, NameTooLong: 5 } as const;
export type WalkStatus = (typeof Walk)[keyof typeof Walk];
