// Zip regions: one per zip directory parsed in this instance. A region's records are in one block
// (nodes.ts maps their ids); what the directory needs besides (the distinct directory prefixes of
// its paths, the wide list, its names chunks: zipnames.ts) is named here, and the layer its nodes
// belong to once the bulk build made nodes of them.
//
// An entry's path is its prefix and its own name. A record that is not a node keeps its prefix's
// number in its parent field; the build replaces it by the directory node it puts the entry in and
// notes that node's prefix (the reverse map, a few bytes per directory, not per entry); a node
// that moves or goes keeps its entry's prefix and name in the override map (ovr.ts) or, freed,
// in its parent field again (`entryPrefix`).
import { grownCapacity } from './heap-util';

export const R_FIRST: usize = 0; // id of entry 0
export const R_COUNT: usize = 4;
export const R_LAYER: usize = 8;
export const R_BUILT: usize = 12; // 1 once addZipLayer made nodes of its records
export const R_BLOCK: usize = 16; // the records (Z_STRIDE bytes each)
export const R_REVMAP: usize = 20; // the directory nodes the build put its entries in → their prefix
export const R_REVCAP: usize = 24; // slots of R_REVMAP (a power of two; 8 bytes each)
export const R_DIRS: usize = 28; // per prefix: address and length of its bytes (8 bytes)
export const R_DIRCOUNT: usize = 32;
export const R_WIDE: usize = 36;
export const R_WIDECOUNT: usize = 40;
export const R_OPEN: usize = 44; // 1 while its directory is open (its paths can be read)
export const R_LIVE: usize = 48; // its records that are nodes now
export const R_NAMES: usize = 52; // its last names chunk (zipnames.ts), 0 once freed
export const R_NAMEBYTES: usize = 56; // bytes of its names chunks
const R_STRIDE: usize = 60;

let regs: usize = 0;
let cap: usize = 0;
let count: u32 = 0;

export function regionAt(r: u32): usize {
  return regs + <usize>r * R_STRIDE;
}

export function regionCount(): u32 {
  return count;
}

/** Set when a closed region's last node went: its records can be freed (see zip.ts). */
let reclaimable = false;

/** One of region `r`'s records stopped being a node. */
export function regionNodeGone(r: u32): void {
  const g = regionAt(r);
  const live = load<u32>(g + R_LIVE) - 1;
  store<u32>(g + R_LIVE, live);
  if (live == 0 && load<u32>(g + R_OPEN) == 0) reclaimable = true;
}

/** Whether a region may have become free since the last call. */
export function takeReclaimable(): bool {
  const was = reclaimable;
  reclaimable = false;
  return was;
}

/**
 * A region for a directory about to be parsed: the number of one closed and freed (records and
 * names gone: nothing refers to it, its ZipDirectory is closed) if any, so that directories
 * opened and closed over and over do not grow this table, else a new one.
 */
export function newRegion(): u32 {
  for (let r: u32 = 0; r < count; r++) {
    const g = regionAt(r);
    if (load<u32>(g + R_OPEN) == 0 && load<u32>(g + R_BLOCK) == 0) {
      memory.fill(g, 0, R_STRIDE);
      return r;
    }
  }
  const need = (<usize>count + 1) * R_STRIDE;
  if (need > cap) {
    cap = grownCapacity(cap, need);
    regs = regs == 0 ? heap.alloc(cap) : heap.realloc(regs, cap);
  }
  const r = count++;
  memory.fill(regionAt(r), 0, R_STRIDE);
  return r;
}

/** Bytes a region holds: its records, prefixes table and index, wide list. */
export function regionBytes(r: u32): usize {
  const g = regionAt(r);
  const n = <usize>load<u32>(g + R_COUNT);
  let bytes: usize = load<u32>(g + R_BLOCK) != 0 ? n * 44 : 0;
  if (load<u32>(g + R_REVMAP) != 0) bytes += (<usize>load<u32>(g + R_REVCAP)) << 3;
  if (load<u32>(g + R_DIRS) != 0) bytes += (<usize>load<u32>(g + R_DIRCOUNT)) << 3;
  bytes += <usize>load<u32>(g + R_WIDECOUNT) * 40;
  return bytes;
}

/** Bytes of every region. */
export function regionsBytes(): usize {
  let bytes: usize = 0;
  for (let r: u32 = 0; r < count; r++) bytes += regionBytes(r);
  return bytes;
}

/** Bytes of every region's names chunks (counted with the names arena, not in regionBytes). */
export function regionsNameBytes(): usize {
  let bytes: usize = 0;
  for (let r: u32 = 0; r < count; r++) bytes += <usize>load<u32>(regionAt(r) + R_NAMEBYTES);
  return bytes;
}

function revSlot(dir: u32, cap: u32): u32 {
  return (dir * 0x9e3779b1) >> (32 - ctz<u32>(cap));
}

/** The prefix of the entries the build put in directory node `dir` (0xffffffff: none). */
export function revGet(g: usize, dir: u32): u32 {
  const map = <usize>load<u32>(g + R_REVMAP);
  if (map == 0) return 0xffffffff;
  const cap = load<u32>(g + R_REVCAP);
  let i = revSlot(dir, cap);
  while (true) {
    const e = map + ((<usize>i) << 3);
    const key = load<u32>(e);
    if (key == dir) return load<u32>(e + 4);
    if (key == 0) return 0xffffffff;
    i = (i + 1) & (cap - 1);
  }
}

let revUsed: u32 = 0;

function revPlace(map: usize, cap: u32, dir: u32, prefix: u32): void {
  let i = revSlot(dir, cap);
  while (load<u32>(map + ((<usize>i) << 3)) != 0) i = (i + 1) & (cap - 1);
  store<u32>(map + ((<usize>i) << 3), dir);
  store<u32>(map + ((<usize>i) << 3) + 4, prefix);
}

/** Starts a region's reverse map (the build of one region at a time). */
export function revBegin(g: usize): void {
  revUsed = 0;
  store<u32>(g + R_REVCAP, 16);
  const map = heap.alloc(16 << 3);
  memory.fill(map, 0, 16 << 3);
  store<u32>(g + R_REVMAP, <u32>map);
}

/** Notes that the build put entries of `prefix` in directory node `dir`. */
export function revPut(g: usize, dir: u32, prefix: u32): void {
  if (revGet(g, dir) == prefix) return;
  const cap = load<u32>(g + R_REVCAP);
  const map = <usize>load<u32>(g + R_REVMAP);
  if ((revUsed + 1) * 2 > cap) {
    const next = cap << 1;
    const fresh = heap.alloc((<usize>next) << 3);
    memory.fill(fresh, 0, (<usize>next) << 3);
    for (let i: u32 = 0; i < cap; i++) {
      const e = map + ((<usize>i) << 3);
      if (load<u32>(e) != 0) revPlace(fresh, next, load<u32>(e), load<u32>(e + 4));
    }
    heap.free(map);
    store<u32>(g + R_REVMAP, <u32>fresh);
    store<u32>(g + R_REVCAP, next);
  }
  revPlace(<usize>load<u32>(g + R_REVMAP), load<u32>(g + R_REVCAP), dir, prefix);
  revUsed++;
}
