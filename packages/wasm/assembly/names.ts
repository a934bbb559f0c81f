// The names arena: every node's name as UTF-8 bytes, appended; offsets are relative to the
// block so it can move when it grows. Names dropped by remove/rename are counted as garbage and
// reclaimed by compaction when they outweigh the live bytes.
import { grownCapacity } from './heap-util';
import { KIND_FREE, N_KIND, N_NAME, N_NAMELEN, NODE_SHIFT } from './layout';
import { nodeHighWater, nodesBase } from './nodes';

let arena: usize = 0;
let arenaCap: usize = 0;
let arenaLen: usize = 0;
let garbage: usize = 0;

export function namesBase(): usize {
  return arena;
}

export function namesBytes(): usize {
  return arenaCap;
}

export function namesInit(cap: usize): void {
  arenaCap = cap < 64 ? 64 : cap;
  arena = heap.alloc(arenaCap);
  arenaLen = 0;
  garbage = 0;
}

export function dropName(len: u32): void {
  garbage += len;
}

/** Copies `len` bytes from `src` (which must not point into the arena) and returns the offset. */
export function storeName(src: usize, len: u32): u32 {
  if (arenaLen + len > arenaCap) {
    if (garbage > arenaLen >> 1 && garbage > 4096) compact();
    if (arenaLen + len > arenaCap) {
      arenaCap = grownCapacity(arenaCap, arenaLen + len);
      arena = heap.realloc(arena, arenaCap);
    }
  }
  const off = <u32>arenaLen;
  memory.copy(arena + arenaLen, src, len);
  arenaLen += len;
  return off;
}

/** Rewrites the arena with only the names of live nodes (records are updated in place). */
function compact(): void {
  const fresh = heap.alloc(arenaCap);
  let len: usize = 0;
  const base = nodesBase();
  const high = nodeHighWater();
  for (let id: u32 = 1; id < high; id++) {
    const rec = base + ((<usize>id) << NODE_SHIFT);
    if (load<u8>(rec + N_KIND) == KIND_FREE) continue;
    const n = <usize>load<u16>(rec + N_NAMELEN);
    memory.copy(fresh + len, arena + load<u32>(rec + N_NAME), n);
    store<u32>(rec + N_NAME, <u32>len);
    len += n;
  }
  heap.free(arena);
  arena = fresh;
  arenaLen = len;
  garbage = 0;
}
