// Fixed record layouts shared by the index, the zip parser and the TypeScript wrapper
// (src/layout.ts mirrors these numbers; a test checks they agree through the exports).

/** Node ids: 0 is "no node", 1 is the root. */
export const NONE: u32 = 0;
export const ROOT: u32 = 1;
/** Entry reference meaning "no entry of the layer" (an implicit directory, the bare root). */
export const NO_REF: u32 = 0xffffffff;
/** Layer number used for nodes born in the upper. */
export const UPPER: u32 = 0xffffffff;

// Kinds.
export const KIND_FREE: u8 = 0;
export const KIND_FILE: u8 = 1;
export const KIND_DIR: u8 = 2;
export const KIND_SYMLINK: u8 = 3;
export const KIND_WHITEOUT: u8 = 4;

// Flags (one byte per node).
export const FLAG_OPAQUE: u8 = 1;
export const FLAG_REDIRECT: u8 = 2;
export const FLAG_COPIED_UP: u8 = 4;
export const FLAG_METACOPY: u8 = 8;
/** A directory that exists only because entries below it do (no entry of its own). */
export const FLAG_IMPLICIT: u8 = 16;
/** An object record kept after its first name went away because other hard links remain. */
export const FLAG_DETACHED: u8 = 32;

// Node record: 32 bytes, so a record address is a shift away from its id. Only what every node
// needs lives here; what only directories need (child list ends, counts) is in a dir record (dirs.ts)
// and the engine's tags are in a side array allocated on first use (index.ts).
export const NODE_SHIFT: u32 = 5;
export const N_PARENT: usize = 0;
export const N_NAME: usize = 4; // offset in the names arena
export const N_NEXT: usize = 8; // next sibling
export const N_PREV: usize = 12; // previous sibling
export const N_REF: usize = 16;
export const N_LAYER: usize = 20;
/**
 * Directories: their dir record. Other kinds: the object's link count, or, for an extra name of
 * a hard-linked object, AUX_LINK | the object's id (the object holds layer, ref and nlink).
 */
export const N_AUX: usize = 24;
export const N_NAMELEN: usize = 28; // u8 (names are at most 255 bytes)
export const N_KIND: usize = 29; // u8
export const N_FLAGS: usize = 30; // u8
export const N_GEN: usize = 31; // u8: low byte of the bulk-build generation that last touched it
export const AUX_LINK: u32 = 0x80000000;
/** Ids must fit the 26 bits a hash slot keeps for them (the other 6 hold hash bits). */
export const MAX_NODES: u32 = 1 << 26;

// Dir record: 16 bytes.
export const D_SHIFT: u32 = 4;
export const D_FIRST: usize = 0;
export const D_LAST: usize = 4;
export const D_COUNT: usize = 8;
export const D_SUBDIRS: usize = 12;

// Zip entry table record: 32 bytes. Values that do not fit 32 bits (Zip64 sizes and offsets, an
// mtime before 1970, past 2106 or not a whole second) set Z_WIDE and live in the wide list.
export const Z_SHIFT: u32 = 5;
export const Z_NAME: usize = 0; // offset in the names arena
export const Z_CRC: usize = 4;
export const Z_CSIZE: usize = 8;
export const Z_SIZE: usize = 12;
export const Z_OFFSET: usize = 16; // local header
export const Z_MTIME: usize = 20; // seconds since the epoch
export const Z_NAMELEN: usize = 24; // u16
export const Z_MODE: usize = 26; // u16 permission bits
export const Z_METHOD: usize = 28; // u16
export const Z_KIND: usize = 30; // u8: kind in the low 3 bits, Z_WIDE, Z_ENCRYPTED
export const Z_STATUS: usize = 31; // u8: 0 = usable, else the warning that rejected it
export const Z_KIND_MASK: u8 = 7;
export const Z_WIDE: u8 = 16;
export const Z_ENCRYPTED: u8 = 32;
// Wide list record: 40 bytes, in entry order.
export const WIDE_STRIDE: usize = 40;
export const WIDE_INDEX: usize = 0; // u32
export const WIDE_SIZE: usize = 8; // f64
export const WIDE_CSIZE: usize = 16;
export const WIDE_OFFSET: usize = 24;
export const WIDE_MTIME: usize = 32; // f64 ms

// Error codes returned as negative numbers by index operations.
export const E_EXIST: i32 = 1;
export const E_NOENT: i32 = 2;
export const E_NOTDIR: i32 = 3;
export const E_INVAL: i32 = 4;
export const E_ISDIR: i32 = 5;
export const E_NOTEMPTY: i32 = 6;
