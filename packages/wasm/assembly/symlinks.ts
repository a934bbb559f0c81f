// Symlink targets the engine has told the index (`setTarget`), so that `resolveNodes` follows
// them without leaving wasm. Keyed by the node id of a name, with the tag the name had when its
// target was set: a name whose tag changed since (another object put under it) reads as having
// none. An entry goes when its node is freed, its tag changes or its kind does. Open addressing
// on the node id (linear probing, backward-shift deletion); each target's bytes in a block of
// their own, freed with the entry. Only symlinks that were made or followed have an entry.
import { allocZeroed } from './heap-util';
import { tagOf } from './tags';

const T_TAG: usize = 4;
const T_ADDR: usize = 8;
const T_LEN: usize = 12;
const T_STRIDE: usize = 16;

let map: usize = 0;
let cap: u32 = 0;
let used: u32 = 0;
/** Bytes of the targets' own blocks. */
let textBytes: usize = 0;

/** Bytes of the map and the targets. */
export function targetsBytes(): usize {
  return <usize>cap * T_STRIDE + textBytes;
}

/** Entries in the map (for tests of what is freed). */
export function targetCount(): u32 {
  return used;
}

function slotOf(id: u32, c: u32): u32 {
  return (id * 0x9e3779b1) >> (32 - ctz<u32>(c));
}

function entryAt(i: u32): usize {
  return map + <usize>i * T_STRIDE;
}

function findEntry(id: u32): usize {
  if (used == 0 || id == 0) return 0;
  let i = slotOf(id, cap);
  while (true) {
    const e = entryAt(i);
    const key = load<u32>(e);
    if (key == id) return e;
    if (key == 0) return 0;
    i = (i + 1) & (cap - 1);
  }
}

/**
 * The entry of `id`'s target if it is still the target of the name's object (the tag it was set
 * under), else 0. Read the address and length with `targetAddr` / `targetLen`.
 */
export function targetEntry(id: u32): usize {
  const e = findEntry(id);
  if (e == 0 || load<u32>(e + T_TAG) != tagOf(id)) return 0;
  return e;
}

export function targetAddr(e: usize): usize {
  return <usize>load<u32>(e + T_ADDR);
}

export function targetLen(e: usize): u32 {
  return load<u32>(e + T_LEN);
}

/** Sets (or replaces) the target of node `id` to `p[0..len)`, under the node's current tag. */
export function putTarget(id: u32, p: usize, len: u32): void {
  dropTarget(id);
  if ((used + 1) * 2 > cap) grow();
  let i = slotOf(id, cap);
  while (load<u32>(entryAt(i)) != 0) i = (i + 1) & (cap - 1);
  const e = entryAt(i);
  let addr: usize = 0;
  if (len != 0) {
    addr = heap.alloc(len);
    memory.copy(addr, p, len);
    textBytes += len;
  }
  store<u32>(e, id);
  store<u32>(e + T_TAG, tagOf(id));
  store<u32>(e + T_ADDR, <u32>addr);
  store<u32>(e + T_LEN, len);
  used++;
}

/** Gives `to` the target `from` has (a name copied with its tag), if any. */
export function copyTarget(from: u32, to: u32): void {
  const e = targetEntry(from);
  if (e == 0) return;
  // putTarget may grow the map, which moves the entry: keep its values first.
  const addr = targetAddr(e);
  const len = targetLen(e);
  const copy: usize = len == 0 ? 0 : heap.alloc(len);
  if (len != 0) memory.copy(copy, addr, len);
  putTarget(to, copy, len);
  if (len != 0) heap.free(copy);
}

/** Forgets node `id`'s target (a freed node, a name re-pointed at another object). */
export function dropTarget(id: u32): void {
  const found = findEntry(id);
  if (found == 0) return;
  const addr = <usize>load<u32>(found + T_ADDR);
  if (addr != 0) {
    heap.free(addr);
    textBytes -= load<u32>(found + T_LEN);
  }
  used--;
  // Backward shift: move up every later entry of the run whose home slot is not between the hole
  // and itself, so that lookups never meet a hole before their key.
  const mask = cap - 1;
  let hole = <u32>((found - map) / T_STRIDE);
  let j = hole;
  while (true) {
    j = (j + 1) & mask;
    const e = entryAt(j);
    const key = load<u32>(e);
    if (key == 0) break;
    const home = slotOf(key, cap);
    // Distances along the probe sequence: the entry may fill the hole if its home is not
    // strictly after the hole (cyclically) up to j.
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      memory.copy(entryAt(hole), e, T_STRIDE);
      hole = j;
    }
  }
  memory.fill(entryAt(hole), 0, T_STRIDE);
}

/** Drops the entries of ids `[first, first + count)` (a freed zip region's, before reuse). */
export function dropTargetRange(first: u32, count: u32): void {
  if (used == 0) return;
  let i: u32 = 0;
  while (i < cap) {
    const key = load<u32>(entryAt(i));
    // A drop may shift a later entry into this slot: look at it again.
    if (key != 0 && key >= first && key - first < count) dropTarget(key);
    else i++;
  }
}

function grow(): void {
  const old = map;
  const oldCap = cap;
  cap = cap == 0 ? 16 : cap << 1;
  map = allocZeroed(<usize>cap * T_STRIDE);
  for (let j: u32 = 0; j < oldCap; j++) {
    const e = old + <usize>j * T_STRIDE;
    const key = load<u32>(e);
    if (key == 0) continue;
    let i = slotOf(key, cap);
    while (load<u32>(entryAt(i)) != 0) i = (i + 1) & (cap - 1);
    memory.copy(entryAt(i), e, T_STRIDE);
  }
  if (old != 0) heap.free(old);
}
