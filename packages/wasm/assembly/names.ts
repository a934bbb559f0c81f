// The names arena: every node's name as UTF-8 bytes; offsets are relative to the block so it can
// move when it grows. The zip parser writes its normalized paths here too, and nodes built from a
// zip point at the last component inside those paths instead of copying it (one copy of each
// name). Bytes no live node uses (dropped names, the directory part of zip paths) are reclaimed
// by compaction when they outweigh the live bytes — but never while a zip table that points into
// the arena is open (`pinNames`).
import { grownCapacity } from './heap-util';
import { KIND_FREE, N_KIND, N_NAME, N_NAMELEN, NODE_SHIFT } from './layout';
import { nodeHighWater, nodesBase } from './nodes';

let arena: usize = 0;
let arenaCap: usize = 0;
let arenaLen: usize = 0;
/** Name bytes of live nodes (what compaction would keep). */
let liveBytes: usize = 0;
/** Open zip tables whose names are in the arena: compaction would move them. */
let pins: u32 = 0;

export function namesBase(): usize {
  return arena;
}

export function namesBytes(): usize {
  return arenaCap;
}

export function namesLength(): usize {
  return arenaLen;
}

export function namesInit(cap: usize): void {
  arenaCap = cap < 64 ? 64 : cap;
  arena = heap.alloc(arenaCap);
  arenaLen = 0;
  liveBytes = 0;
  pins = 0;
}

export function pinNames(): void {
  pins++;
}

export function unpinNames(): void {
  if (pins > 0) pins--;
}

/** A live node let go of its name (removed or renamed). */
export function dropName(len: u32): void {
  liveBytes -= len;
}

/** Room for `extra` more bytes, grown to exactly that (a parse knows a bound of what it writes). */
export function reserveNames(extra: usize, exact: bool): void {
  if (arenaLen + extra <= arenaCap) return;
  if (pins == 0 && arenaLen - liveBytes > arenaLen >> 1 && arenaLen - liveBytes > 4096) compact();
  if (arenaLen + extra <= arenaCap) return;
  arenaCap = exact ? arenaLen + extra : grownCapacity(arenaCap, arenaLen + extra);
  arena = heap.realloc(arena, arenaCap);
}

/** Marks `len` bytes written at namesBase() + namesLength() as used. */
export function commitNames(len: usize): void {
  arenaLen += len;
}

/** Gives back what the arena holds beyond its length (after a parse reserved a bound). */
export function trimNames(): void {
  const want = arenaLen < 64 ? <usize>64 : arenaLen;
  if (want >= arenaCap) return;
  arena = heap.realloc(arena, want);
  arenaCap = want;
}

/**
 * The arena offset of a new node's name `src[0..len)`: where it already is when `src` points
 * into the arena (a zip path), else a copy appended (`src` must then not point into the arena).
 */
export function storeName(src: usize, len: u32): u32 {
  liveBytes += len;
  if (src >= arena && src + len <= arena + arenaLen) return <u32>(src - arena);
  reserveNames(len, false);
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
    const n = <usize>load<u8>(rec + N_NAMELEN);
    memory.copy(fresh + len, arena + load<u32>(rec + N_NAME), n);
    store<u32>(rec + N_NAME, <u32>len);
    len += n;
  }
  heap.free(arena);
  arena = fresh;
  arenaLen = len;
  liveBytes = len;
}
