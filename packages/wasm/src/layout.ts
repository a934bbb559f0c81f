/**
 * Numbers shared with the AssemblyScript side (assembly/layout.ts): node kinds and flags,
 * record strides and field offsets of the zip entry table.
 */

/** The root directory's node id. */
export const ROOT = 1;
/** Entry reference meaning "no entry of the layer" (an implicit directory). */
export const NO_REF = 0xffffffff;
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
} as const;

/** Zip entry table: 64-byte records; f64 fields are read through a Float64Array. */
export const Z_STRIDE = 64;
export const Z = {
  name: 0,
  nameLen: 4,
  kind: 8,
  status: 9,
  method: 10,
  gpFlags: 12,
  mode: 14,
  crc: 16,
  extAttr: 20,
  mtime: 24,
  csize: 32,
  size: 40,
  offset: 48,
  madeBy: 56,
  index: 60,
} as const;

/** Index operation errors, as returned (negated) by the wasm side. */
export const E = { EEXIST: 1, ENOENT: 2, ENOTDIR: 3, EINVAL: 4, EISDIR: 5, ENOTEMPTY: 6 } as const;

/** Walk results (see assembly/walk.ts). */
export const Walk = { Ok: 0, MissingLast: 1, Missing: 2, NotDir: 3, Symlink: 4, NameTooLong: 5 } as const;
export type WalkStatus = (typeof Walk)[keyof typeof Walk];
