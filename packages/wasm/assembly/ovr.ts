// The override map: what a zip node (a zip entry's record, nodes.ts) has no field for, kept only
// for the few zip nodes that need it: a source other than its entry (setSource after a copy-up),
// a link count above 1 or the object id of a hard link, a dir record (setKind to a directory),
// and its entry's name and prefix once the node was renamed or detached (so the directory still
// reads the entry's path). Open addressing on the node id; entries go only when a zip region is
// freed whole (`ovrDropRange`, which rebuilds the map).
import { allocZeroed } from './heap-util';

export const O_LAYER: usize = 4;
export const O_REF: usize = 8;
export const O_AUX: usize = 12;
export const O_LEAF: usize = 16; // address of the entry's own name (when O_LEAFLEN != NO_LEAF)
export const O_LEAFLEN: usize = 20;
export const O_PREFIX: usize = 24; // the entry's directory prefix (with O_LEAF)
export const NO_LEAF: u32 = 0xffffffff;
const O_STRIDE: usize = 28;

let map: usize = 0;
let cap: u32 = 0;
let used: u32 = 0;

export function ovrBytes(): usize {
  return <usize>cap * O_STRIDE;
}

function slotOf(id: u32, c: u32): u32 {
  return (id * 0x9e3779b1) >> (32 - ctz<u32>(c));
}

/** The entry of `id`, or 0. */
export function ovrFind(id: u32): usize {
  if (used == 0) return 0;
  let i = slotOf(id, cap);
  while (true) {
    const e = map + <usize>i * O_STRIDE;
    const key = load<u32>(e);
    if (key == id) return e;
    if (key == 0) return 0;
    i = (i + 1) & (cap - 1);
  }
}

/** The entry of `id`, made with these defaults if absent (valid until the next ovrGet). */
export function ovrGet(id: u32, layer: u32, ref: u32, aux: u32): usize {
  const have = ovrFind(id);
  if (have != 0) return have;
  if ((used + 1) * 2 > cap) grow();
  let i = slotOf(id, cap);
  while (load<u32>(map + <usize>i * O_STRIDE) != 0) i = (i + 1) & (cap - 1);
  const e = map + <usize>i * O_STRIDE;
  store<u32>(e, id);
  store<u32>(e + O_LAYER, layer);
  store<u32>(e + O_REF, ref);
  store<u32>(e + O_AUX, aux);
  store<u32>(e + O_LEAF, 0);
  store<u32>(e + O_LEAFLEN, NO_LEAF);
  used++;
  return e;
}

/** Drops the entries of ids `[first, first + count)` (a freed zip region's, before reuse). */
export function ovrDropRange(first: u32, count: u32): void {
  if (used == 0) return;
  const old = map;
  map = allocZeroed(<usize>cap * O_STRIDE);
  used = 0;
  for (let j: u32 = 0; j < cap; j++) {
    const e = old + <usize>j * O_STRIDE;
    const key = load<u32>(e);
    if (key == 0 || (key >= first && key - first < count)) continue;
    let i = slotOf(key, cap);
    while (load<u32>(map + <usize>i * O_STRIDE) != 0) i = (i + 1) & (cap - 1);
    memory.copy(map + <usize>i * O_STRIDE, e, O_STRIDE);
    used++;
  }
  heap.free(old);
}

function grow(): void {
  const old = map;
  const oldCap = cap;
  cap = cap == 0 ? 16 : cap << 1;
  map = allocZeroed(<usize>cap * O_STRIDE);
  for (let j: u32 = 0; j < oldCap; j++) {
    const e = old + <usize>j * O_STRIDE;
    const key = load<u32>(e);
    if (key == 0) continue;
    let i = slotOf(key, cap);
    while (load<u32>(map + <usize>i * O_STRIDE) != 0) i = (i + 1) & (cap - 1);
    memory.copy(map + <usize>i * O_STRIDE, e, O_STRIDE);
  }
  if (old != 0) heap.free(old);
}
