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

// Node record: 64 bytes, so a record address is a shift away from its id.
export const NODE_SHIFT: u32 = 6;
export const N_PARENT: usize = 0;
export const N_NAME: usize = 4; // offset in the names arena
export const N_NAMELEN: usize = 8; // u16
export const N_KIND: usize = 10; // u8
export const N_FLAGS: usize = 11; // u8
export const N_LAYER: usize = 12;
export const N_REF: usize = 16;
export const N_HASH: usize = 20;
export const N_FIRST: usize = 24;
export const N_LAST: usize = 28;
export const N_PREV: usize = 32;
export const N_NEXT: usize = 36;
export const N_COUNT: usize = 40;
export const N_OBJECT: usize = 44; // the node holding layer/ref/nlink (itself unless a hard link)
export const N_NLINK: usize = 48;
export const N_GEN: usize = 52; // bulk-build generation that last touched the node
export const N_TAG: usize = 56; // free for the engine (e.g. an index into a JS side table)
export const N_SUBDIRS: usize = 60;

// Zip entry table record: 64 bytes.
export const Z_SHIFT: u32 = 6;
export const Z_NAME: usize = 0; // offset in the table's names block
export const Z_NAMELEN: usize = 4;
export const Z_KIND: usize = 8; // u8
export const Z_STATUS: usize = 9; // u8: 0 = usable, else the warning that rejected it
export const Z_METHOD: usize = 10; // u16
export const Z_GPFLAGS: usize = 12; // u16
export const Z_MODE: usize = 14; // u16 permission bits
export const Z_CRC: usize = 16;
export const Z_EXTATTR: usize = 20;
export const Z_MTIME: usize = 24; // f64 ms since the epoch
export const Z_CSIZE: usize = 32; // f64
export const Z_SIZE: usize = 40; // f64
export const Z_OFFSET: usize = 48; // f64, local header
export const Z_MADEBY: usize = 56; // u16
export const Z_INDEX: usize = 60; // u32, position in the central directory

// Error codes returned as negative numbers by index operations.
export const E_EXIST: i32 = 1;
export const E_NOENT: i32 = 2;
export const E_NOTDIR: i32 = 3;
export const E_INVAL: i32 = 4;
export const E_ISDIR: i32 = 5;
export const E_NOTEMPTY: i32 = 6;
