// The node table: fixed 64-byte records addressed by id, with a free list for reuse.
import { KIND_FREE, N_NEXT, NODE_SHIFT } from './layout';

let base: usize = 0;
let cap: u32 = 0;
/** Ids below this have been handed out at least once (0 = NONE and 1 = root are reserved). */
let high: u32 = 2;
let freeHead: u32 = 0;
let live: u32 = 0;

export function nodesBase(): usize {
  return base;
}

export function nodeHighWater(): u32 {
  return high;
}

export function liveNodes(): u32 {
  return live;
}

export function nodesBytes(): usize {
  return (<usize>cap) << NODE_SHIFT;
}

export function nodesInit(capacity: u32): void {
  cap = capacity < 16 ? 16 : capacity;
  base = heap.alloc((<usize>cap) << NODE_SHIFT);
  memory.fill(base, 0, (<usize>cap) << NODE_SHIFT);
  high = 2;
  freeHead = 0;
  live = 1; // the root
}

export function rec(id: u32): usize {
  return base + ((<usize>id) << NODE_SHIFT);
}

/** Makes room for `extra` more records in one step (a bulk build knows its size). */
export function reserveNodes(extra: u32): void {
  const want = <u64>high + <u64>extra;
  if (want <= <u64>cap || want > 0x3ffffff) return;
  const next = <u32>want;
  base = heap.realloc(base, (<usize>next) << NODE_SHIFT);
  memory.fill(base + ((<usize>cap) << NODE_SHIFT), 0, (<usize>(next - cap)) << NODE_SHIFT);
  cap = next;
}

/** A zeroed record; its address is only valid until the next allocation. */
export function newNode(): u32 {
  let id: u32;
  if (freeHead != 0) {
    id = freeHead;
    freeHead = load<u32>(rec(id) + N_NEXT);
  } else {
    if (high == cap) {
      // Doubling while small; +50% once large, so a big table overshoots by less.
      const next = cap < 65536 ? cap << 1 : cap + (cap >> 1);
      base = heap.realloc(base, (<usize>next) << NODE_SHIFT);
      memory.fill(base + ((<usize>cap) << NODE_SHIFT), 0, (<usize>(next - cap)) << NODE_SHIFT);
      cap = next;
    }
    id = high++;
  }
  memory.fill(rec(id), 0, (<usize>1) << NODE_SHIFT);
  live++;
  return id;
}

export function freeNode(id: u32): void {
  const r = rec(id);
  store<u8>(r + 10, KIND_FREE);
  store<u32>(r + N_NEXT, freeHead);
  freeHead = id;
  live--;
}
