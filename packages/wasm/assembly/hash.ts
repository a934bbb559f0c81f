// The (parent, name) → node hash table: open addressing with linear probing over u32 slots,
// at most half full, backward-shift deletion (no tombstones, so probe chains stay short after
// many removes). A directory rename rehashes only the moved node: its children are keyed by
// the directory's id, which does not change.
import { allocZeroed } from './heap-util';
import { N_HASH, N_NAME, N_NAMELEN, N_PARENT } from './layout';
import { namesBase } from './names';
import { rec } from './nodes';

let slots: usize = 0;
let mask: u32 = 0;
let used: u32 = 0;

export function tableBytes(): usize {
  return (<usize>mask + 1) << 2;
}

export function tableInit(capacity: u32): void {
  let cap: u32 = 16;
  while (cap < capacity) cap <<= 1;
  slots = allocZeroed((<usize>cap) << 2);
  mask = cap - 1;
  used = 0;
}

/** Hash of a name under a parent (word at a time, murmur3 finalizer). */
export function hashName(parent: u32, p: usize, len: u32): u32 {
  let h: u32 = (parent * 0x9e3779b1) ^ len;
  let i: u32 = 0;
  while (i + 4 <= len) {
    h = rotl<u32>(h ^ (load<u32>(p + i) * 0x85ebca77), 13) * 0xc2b2ae3d;
    i += 4;
  }
  while (i < len) {
    h = rotl<u32>(h ^ (<u32>load<u8>(p + i) * 0x27d4eb2f), 11) * 0x9e3779b1;
    i++;
  }
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

/** The node named `p[0..len)` in `parent`, or 0. */
export function tableFind(parent: u32, p: usize, len: u32, h: u32): u32 {
  let i = h & mask;
  const names = namesBase();
  while (true) {
    const id = load<u32>(slots + ((<usize>i) << 2));
    if (id == 0) return 0;
    const r = rec(id);
    if (
      load<u32>(r + N_HASH) == h &&
      load<u32>(r + N_PARENT) == parent &&
      <u32>load<u16>(r + N_NAMELEN) == len &&
      memory.compare(names + load<u32>(r + N_NAME), p, len) == 0
    )
      return id;
    i = (i + 1) & mask;
  }
}

/** Adds a node whose (parent, name) is not in the table yet. */
export function tableInsert(id: u32): void {
  if ((used + 1) << 1 > mask + 1) grow();
  place(id);
  used++;
}

function place(id: u32): void {
  let i = load<u32>(rec(id) + N_HASH) & mask;
  while (load<u32>(slots + ((<usize>i) << 2)) != 0) i = (i + 1) & mask;
  store<u32>(slots + ((<usize>i) << 2), id);
}

export function tableRemove(id: u32): void {
  let i = load<u32>(rec(id) + N_HASH) & mask;
  while (load<u32>(slots + ((<usize>i) << 2)) != id) i = (i + 1) & mask;
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const other = load<u32>(slots + ((<usize>j) << 2));
    if (other == 0) break;
    const home = load<u32>(rec(other) + N_HASH) & mask;
    // `other` may stay where it is if its home lies cyclically in (i, j].
    const stays = i <= j ? i < home && home <= j : i < home || home <= j;
    if (stays) continue;
    store<u32>(slots + ((<usize>i) << 2), other);
    i = j;
  }
  store<u32>(slots + ((<usize>i) << 2), 0);
  used--;
}

/** Sizes the table for `count` entries in one step (at most half full). */
export function tableReserve(count: u32): void {
  let cap = mask + 1;
  while (cap < 0x40000000 && (<u64>count) << 1 > <u64>cap) cap <<= 1;
  if (cap != mask + 1) rehash(cap);
}

function grow(): void {
  rehash((mask + 1) << 1);
}

function rehash(cap: u32): void {
  const old = slots;
  const oldCap = mask + 1;
  slots = allocZeroed((<usize>cap) << 2);
  mask = cap - 1;
  for (let i: u32 = 0; i < oldCap; i++) {
    const id = load<u32>(old + ((<usize>i) << 2));
    if (id != 0) place(id);
  }
  heap.free(old);
}
