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
/**
 * A file its layer lists with a link count above 1 (the engine's `LowerEntry.nlink`; set by the
 * bulk build, read by subtree.ts). Only directories carry FLAG_MERGED, the same bit (build.ts).
 */
export const FLAG_LINKED: u8 = 64;
/** A container that merges a lower directory, its ref (containers.ts). */
export const FLAG_BELOW: u8 = 128;

// Node record: 32 bytes for a node made by the index (a plain node). Records are addressed by id
// through a chunk table (nodes.ts: 4096 ids a chunk), so the table grows without copying, and a
// zip directory parsed into the index keeps one 44-byte record per entry in chunks of its own: a
// file or symlink built from an entry is that record (a zip node), so the entry's values and the
// node's links share one record. Both kinds share the header below; what only some nodes need
// (child list ends, counts) is in a dir record (dirs.ts), the engine's tags in a side array
// (tags.ts), and what a zip node has no room for (a changed source, a link count above 1, a dir
// record) in the override map (ovr.ts).
// What a lookup reads (parent, name, its length, kind) is in the first 10 bytes, so that a 44-byte
// record, which is not aligned to a cache line, rarely has them on two lines.
export const NODE_SHIFT: u32 = 5;
export const N_PARENT: usize = 0;
export const N_NAME: usize = 4; // address of the name's bytes (names.ts; a zip entry's: zipnames.ts)
export const N_NAMELEN: usize = 8; // u8 (names are at most 255 bytes)
export const N_KIND: usize = 9; // u8
export const N_FLAGS: usize = 10; // u8
export const N_GEN: usize = 11; // u8: low byte of the bulk-build generation that last touched it
export const N_NEXT: usize = 12; // next sibling
export const N_PREV: usize = 16; // previous sibling
// Plain nodes only (a zip node's layer and ref are its directory's layer and its entry index).
export const N_REF: usize = 20;
export const N_LAYER: usize = 24;
/**
 * Plain nodes only. Directories: their dir record. Other kinds: the object's link count, or, for
 * an extra name of a hard-linked object, AUX_LINK | the object's id (the object holds layer, ref
 * and nlink).
 */
export const N_AUX: usize = 28;
export const AUX_LINK: u32 = 0x80000000;
/** Ids must fit the 26 bits a hash slot keeps for them (the other 6 hold hash bits). */
export const MAX_NODES: u32 = 1 << 26;

// Dir record: 16 bytes.
export const D_SHIFT: u32 = 4;
export const D_FIRST: usize = 0;
export const D_LAST: usize = 4;
export const D_COUNT: usize = 8;
export const D_SUBDIRS: usize = 12;

// Zip entry record: 44 bytes, the node header above plus the entry's values. An entry whose values
// do not fit (Zip64 sizes or offsets, an mtime before 1970, past 2106 or not a whole second, a
// method above 4094) sets Z_WIDE and lives in the wide list too. Its name is the last component
// of its path (shared by its node); the directory part is one of the directory's distinct
// prefixes (zip.ts), so a path is stored once per directory, not once per entry.
export const Z_STRIDE: usize = 44;
export const Z_CRC: usize = 20;
export const Z_CSIZE: usize = 24;
export const Z_SIZE: usize = 28;
export const Z_OFFSET: usize = 32; // local header
export const Z_MTIME: usize = 36; // seconds since the epoch
/** u16: permission bits (12), kind << 12 (2 bits), Z_WIDE, Z_ENCRYPTED. */
export const Z_MODE: usize = 40;
/** u16: method (12 bits; Z_METHOD_WIDE: in the wide record), status << 12 (0 = usable). */
export const Z_METHOD: usize = 42;
/** A rejected entry (never a node) keeps its raw name's length here (its name is N_NAME). */
export const Z_RAWLEN: usize = 16;
export const Z_MODE_MASK: u16 = 0xfff;
export const Z_KIND_SHIFT: u16 = 12;
export const Z_WIDE: u16 = 0x4000;
export const Z_ENCRYPTED: u16 = 0x8000;
export const Z_METHOD_MASK: u16 = 0xfff;
export const Z_METHOD_WIDE: u16 = 0xfff;
export const Z_STATUS_SHIFT: u16 = 12;
/** Status of an entry its caller left out (ZipDirectory.reject): its name and prefix are kept. */
export const Z_REJECTED_BY_CALLER: u16 = 15;
// Wide list record: 40 bytes, in entry order.
export const WIDE_STRIDE: usize = 40;
export const WIDE_INDEX: usize = 0; // u32
export const WIDE_METHOD: usize = 4; // u32
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
