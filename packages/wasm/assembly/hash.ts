// The (parent, name) → node hash table: open addressing with linear probing over u32 slots, at
// most 80% full, backward-shift deletion (no tombstones, so probe chains stay short after many
// removes). The table has any size (a slot is picked by multiply-shift, not a mask), so a bulk
// build reserves what it needs and no more. A slot holds the node id in its low 26 bits and 6
// bits of the hash in the top ones: most non-matching slots are skipped without reading their
// node. Nodes do not store their hash; moving slots (growth, deletion) recomputes it from the
// name. A directory rename rehashes only the moved node: its children are keyed by its id.
import { allocZeroed } from './heap-util';
import { N_NAME, N_NAMELEN, N_PARENT } from './layout';
import { rec } from './nodes';

const ID_MASK: u32 = 0x3ffffff;
const TAG_MASK: u32 = 0xfc000000;

let slots: usize = 0;
let cap: u32 = 0;
let used: u32 = 0;

export function tableBytes(): usize {
  return (<usize>cap) << 2;
}

/** Slots for `count` entries at most 80% full. */
function capFor(count: u32): u32 {
  const c = <u64>count + (<u64>count >> 2) + 1;
  return c < 16 ? 16 : c > 0xffffffff ? 0xffffffff : <u32>c;
}

export function tableInit(capacity: u32): void {
  cap = capFor(capacity);
  slots = allocZeroed((<usize>cap) << 2);
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

function home(h: u32): u32 {
  return <u32>((<u64>h * <u64>cap) >>> 32);
}

function nodeHash(id: u32): u32 {
  const r = rec(id);
  return hashName(load<u32>(r + N_PARENT), <usize>load<u32>(r + N_NAME), <u32>load<u8>(r + N_NAMELEN));
}

function sameBytes(a: usize, b: usize, n: u32): bool {
  let i: u32 = 0;
  let same = true;
  while (i + 8 <= n) {
    if (load<u64>(a + i) != load<u64>(b + i)) {
      same = false;
      break;
    }
    i += 8;
  }
  if (same) {
    while (i < n) {
      if (load<u8>(a + i) != load<u8>(b + i)) {
        same = false;
        break;
      }
      i++;
    }
  }
  return same;
}

/** The record of the node the last successful tableFind returned (the walk reads its kind). */
export let foundRec: usize = 0;

/** The node named `p[0..len)` in `parent` (`h` = hashName of them), or 0. */
export function tableFind(parent: u32, p: usize, len: u32, h: u32): u32 {
  let i = home(h);
  const tag = h << 26;
  while (true) {
    const s = load<u32>(slots + ((<usize>i) << 2));
    if (s == 0) return 0;
    if ((s & TAG_MASK) == tag) {
      const id = s & ID_MASK;
      const r = rec(id);
      if (
        load<u32>(r + N_PARENT) == parent &&
        <u32>load<u8>(r + N_NAMELEN) == len &&
        sameBytes(<usize>load<u32>(r + N_NAME), p, len)
      ) {
        foundRec = r;
        return id;
      }
    }
    if (++i == cap) i = 0;
  }
}

/** Adds a node (whose hash is `h`) whose (parent, name) is not in the table yet. */
export function tableInsert(id: u32, h: u32): void {
  if ((<u64>used + 1) * 5 > (<u64>cap) << 2) rehash(cap + (cap >> 1));
  place(id, h);
  used++;
}

function place(id: u32, h: u32): void {
  let i = home(h);
  while (load<u32>(slots + ((<usize>i) << 2)) != 0) if (++i == cap) i = 0;
  store<u32>(slots + ((<usize>i) << 2), id | (h << 26));
}

export function tableRemove(id: u32): void {
  let i = home(nodeHash(id));
  while ((load<u32>(slots + ((<usize>i) << 2)) & ID_MASK) != id) if (++i == cap) i = 0;
  let j = i;
  while (true) {
    if (++j == cap) j = 0;
    const other = load<u32>(slots + ((<usize>j) << 2));
    if (other == 0) break;
    const at = home(nodeHash(other & ID_MASK));
    // `other` may stay where it is if its home lies cyclically in (i, j].
    const stays = i <= j ? i < at && at <= j : i < at || at <= j;
    if (stays) continue;
    store<u32>(slots + ((<usize>i) << 2), other);
    i = j;
  }
  store<u32>(slots + ((<usize>i) << 2), 0);
  used--;
}

/** Sizes the table for `count` entries in one step. */
export function tableReserve(count: u32): void {
  const want = capFor(count);
  if (want > cap) rehash(want);
}

function rehash(next: u32): void {
  const old = slots;
  const oldCap = cap;
  slots = allocZeroed((<usize>next) << 2);
  cap = next;
  for (let i: u32 = 0; i < oldCap; i++) {
    const s = load<u32>(old + ((<usize>i) << 2));
    if (s != 0) place(s & ID_MASK, nodeHash(s & ID_MASK));
  }
  heap.free(old);
}
