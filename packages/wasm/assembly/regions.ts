// Zip regions: one per zip directory parsed in this instance. A region's records are in one block
// (nodes.ts maps their ids); what the directory needs besides (the distinct directory prefixes of
// its paths and which one each entry has, the wide list) is named here, and the layer its nodes
// belong to once the bulk build made nodes of them.
import { grownCapacity } from './heap-util';

export const R_FIRST: usize = 0; // id of entry 0
export const R_COUNT: usize = 4;
export const R_LAYER: usize = 8;
export const R_BUILT: usize = 12; // 1 once addZipLayer made nodes of its records
export const R_BLOCK: usize = 16; // the records (Z_STRIDE bytes each)
export const R_DIRIDX: usize = 20; // per entry: its prefix (u16, or u32 when R_DIRWIDE)
export const R_DIRWIDE: usize = 24;
export const R_DIRS: usize = 28; // per prefix: address and length of its bytes (8 bytes)
export const R_DIRCOUNT: usize = 32;
export const R_WIDE: usize = 36;
export const R_WIDECOUNT: usize = 40;
export const R_OPEN: usize = 44; // 1 while its directory is open (its paths can be read)
const R_STRIDE: usize = 48;

let regs: usize = 0;
let cap: usize = 0;
let count: u32 = 0;

export function regionAt(r: u32): usize {
  return regs + <usize>r * R_STRIDE;
}

export function regionCount(): u32 {
  return count;
}

export function newRegion(): u32 {
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
  if (load<u32>(g + R_DIRIDX) != 0) bytes += n << (load<u32>(g + R_DIRWIDE) != 0 ? 2 : 1);
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
