// The node table: fixed 32-byte records addressed by id, with a free list for reuse.
import { KIND_FREE, MAX_NODES, N_KIND, N_NEXT, NODE_SHIFT } from './layout';
import { clearTag } from './tags';

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

export function nodeCapacity(): u32 {
  return cap;
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

function resize(next: u32): void {
  base = heap.realloc(base, (<usize>next) << NODE_SHIFT);
  memory.fill(base + ((<usize>cap) << NODE_SHIFT), 0, (<usize>(next - cap)) << NODE_SHIFT);
  cap = next;
}

/** Makes room for `extra` more records in one step (a bulk build knows its size). */
export function reserveNodes(extra: u32): void {
  const want = <u64>high + <u64>extra;
  if (want <= <u64>cap) return;
  resize(want >= <u64>MAX_NODES ? MAX_NODES : <u32>want);
}

/** A zeroed record; its address is only valid until the next allocation. */
export function newNode(): u32 {
  let id: u32;
  if (freeHead != 0) {
    id = freeHead;
    freeHead = load<u32>(rec(id) + N_NEXT);
  } else {
    if (high == cap) {
      if (cap >= MAX_NODES) abort('too many nodes');
      // +50%: a table this large is usually the product of a bulk build that reserved already.
      const next = <u64>cap + <u64>(cap >> 1);
      resize(next >= <u64>MAX_NODES ? MAX_NODES : <u32>next);
    }
    id = high++;
  }
  memory.fill(rec(id), 0, (<usize>1) << NODE_SHIFT);
  clearTag(id);
  live++;
  return id;
}

export function freeNode(id: u32): void {
  const r = rec(id);
  store<u8>(r + N_KIND, KIND_FREE);
  store<u32>(r + N_NEXT, freeHead);
  freeHead = id;
  live--;
}
