// The names arena: the names of the index's own nodes as UTF-8 bytes, in chunks (half of what it
// holds so far, from 4 to 64 KiB, or one name's size), so it grows without moving what it holds;
// a node's N_NAME is the address of its bytes. A zip node's name is its entry's, in its region's
// own chunks (zipnames.ts), until it is renamed: then the new name is here. Only node records
// point into the arena (a name given to insert or move is copied), so compaction can rewrite
// every pointer: bytes no live node uses (removed and renamed names) are reclaimed when they
// outweigh the live ones.
import { KIND_FREE, N_KIND, N_NAME, N_NAMELEN } from './layout';
import { forEachRecord, isZip } from './nodes';
import { NO_LEAF, O_LEAF, O_LEAFLEN, ovrFind } from './ovr';

const CHUNK: usize = 65536;

let cur: usize = 0;
let curCap: usize = 0;
let curLen: usize = 0;
/** Every chunk's address (u32), for freeing them when compacting. */
let list: usize = 0;
let listCap: u32 = 0;
let listCount: u32 = 0;
let total: usize = 0;
/** Bytes written in all chunks. */
let written: usize = 0;
/** Name bytes of live nodes (what compaction would keep). */
let liveBytes: usize = 0;

/** Names are addressed absolutely: their base is 0 (kept for the exports' sake). */
export function namesBase(): usize {
  return 0;
}

/** Bytes of all chunks. */
export function namesBytes(): usize {
  return total;
}

/** Bytes written (live or not). */
export function namesLength(): usize {
  return written;
}

function addChunk(size: usize): void {
  if (listCount == listCap) {
    listCap = listCap == 0 ? 16 : listCap << 1;
    list = list == 0 ? heap.alloc((<usize>listCap) << 2) : heap.realloc(list, (<usize>listCap) << 2);
  }
  cur = heap.alloc(size);
  curCap = size;
  curLen = 0;
  store<u32>(list + ((<usize>listCount) << 2), <u32>cur);
  listCount++;
  total += size;
}

export function namesInit(cap: usize): void {
  list = 0;
  listCap = 0;
  listCount = 0;
  total = 0;
  written = 0;
  liveBytes = 0;
  addChunk(cap < 64 ? 64 : cap);
}

/** A node let go of an arena name (removed or renamed; see `inArena`). */
export function dropName(len: u32): void {
  liveBytes -= len;
}

/**
 * Whether record `r` (id `id`) names itself with arena bytes: a plain node does, a zip node only
 * once renamed (its entry's own name, in its region, is then the override's O_LEAF).
 */
export function inArena(id: u32, r: usize): bool {
  if (!isZip(id)) return true;
  const o = ovrFind(id);
  return o != 0 && load<u32>(o + O_LEAFLEN) != NO_LEAF && load<u32>(o + O_LEAF) != load<u32>(r + N_NAME);
}

/** Where `n` bytes can be appended (compacting first if worth it). */
function nameRoom(n: usize): usize {
  if (curLen + n <= curCap) return cur + curLen;
  const dead = written - liveBytes;
  if (dead > liveBytes && dead > 4096) compact(n);
  if (curLen + n > curCap) {
    // Small arenas stay small; a big one wastes at most one chunk's tail.
    let size = total >> 1;
    if (size < 4096) size = 4096;
    if (size > CHUNK) size = CHUNK;
    addChunk(n > size ? n : size);
  }
  return cur + curLen;
}

/**
 * The address of a copy of name `src[0..len)` appended for a node. `src` must not be in the arena
 * (making room may compact it): a name from JS, or a zip entry's name or prefix in its region.
 */
export function storeName(src: usize, len: u32): u32 {
  liveBytes += len;
  const at = nameRoom(len);
  memory.copy(at, src, len);
  curLen += len;
  written += len;
  return <u32>at;
}

let fresh: usize = 0;
let freshLen: usize = 0;

function keepName(id: u32, r: usize): void {
  if (load<u8>(r + N_KIND) == KIND_FREE || !inArena(id, r)) return;
  const n = <usize>load<u8>(r + N_NAMELEN);
  memory.copy(fresh + freshLen, <usize>load<u32>(r + N_NAME), n);
  store<u32>(r + N_NAME, <u32>(fresh + freshLen));
  freshLen += n;
}

/**
 * Rewrites the arena as one chunk with only the names of live nodes (records updated in place):
 * records are the only pointers into it. (A zip record that is not a node keeps a renamed name's
 * address, but that name is never read: its entry's is in the override map.)
 */
function compact(need: usize): void {
  const size = liveBytes + (need > 4096 ? need : 4096);
  fresh = heap.alloc(size);
  freshLen = 0;
  forEachRecord(keepName);
  for (let i: u32 = 0; i < listCount; i++) heap.free(<usize>load<u32>(list + ((<usize>i) << 2)));
  listCount = 0;
  total = 0;
  store<u32>(list, <u32>fresh);
  listCount = 1;
  total = size;
  cur = fresh;
  curCap = size;
  curLen = freshLen;
  written = freshLen;
  liveBytes = freshLen;
}
