// The names arena: every node's name as UTF-8 bytes, in chunks (half of what it holds so far,
// from 4 to 64 KiB, or one name's size), so
// it grows without moving what it holds; a node's N_NAME is the address of its bytes. A zip
// directory parsed into the index writes its entries' names (the last component of each path)
// and its distinct directory prefixes here, and the nodes built from it point at those bytes
// instead of copying them (one copy of each name). Bytes no live node uses (dropped names, the
// names of entries that are not nodes, prefixes) are reclaimed by compaction when they outweigh
// the live bytes — but never while a zip directory that points into the arena is open
// (`pinNames`).
import { KIND_FREE, N_KIND, N_NAME, N_NAMELEN } from './layout';
import { forEachRecord } from './nodes';

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
/** Open zip directories whose names are in the arena: compaction would move them. */
let pins: u32 = 0;

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

export function namesReady(): bool {
  return list != 0;
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
  pins = 0;
  addChunk(cap < 64 ? 64 : cap);
}

export function pinNames(): void {
  pins++;
}

/**
 * A zip directory closed. Its names no node took (those of entries that are not nodes, its
 * prefixes) are dead: if they are a good part of the arena, it compacts now, while no directory
 * points into it.
 */
export function unpinNames(): void {
  if (pins > 0) pins--;
  const dead = written - liveBytes;
  if (pins == 0 && dead > liveBytes >> 1 && dead > 4096) compact(0);
}

/** A live node let go of its name (removed or renamed). */
export function dropName(len: u32): void {
  liveBytes -= len;
}

/** A live node took a name already in the arena. */
export function shareName(len: u32): void {
  liveBytes += len;
}

/** Compacts now if no zip directory is open and the dead bytes outweigh the live ones. */
export function compactIfWorth(): void {
  const dead = written - liveBytes;
  if (pins == 0 && dead > liveBytes && dead > 4096) compact(0);
}

/** Where `n` bytes can be written (then `commitNames(n)`); valid until the next call here. */
export function nameRoom(n: usize): usize {
  if (curLen + n <= curCap) return cur + curLen;
  const dead = written - liveBytes;
  if (pins == 0 && dead > liveBytes && dead > 4096) compact(n);
  if (curLen + n > curCap) {
    // Small arenas stay small; a big one wastes at most one chunk's tail.
    let size = total >> 1;
    if (size < 4096) size = 4096;
    if (size > CHUNK) size = CHUNK;
    addChunk(n > size ? n : size);
  }
  return cur + curLen;
}

/** Marks `n` bytes written at nameRoom()'s address as used. */
export function commitNames(n: usize): void {
  curLen += n;
  written += n;
}

/**
 * The address of a new node's name `src[0..len)`: `src` itself when `shared` (a name already in
 * the arena, e.g. a zip entry's), else a copy appended.
 */
export function storeName(src: usize, len: u32, shared: bool): u32 {
  liveBytes += len;
  if (shared) return <u32>src;
  const at = nameRoom(len);
  memory.copy(at, src, len);
  commitNames(len);
  return <u32>at;
}

let fresh: usize = 0;
let freshLen: usize = 0;

function keepName(_id: u32, r: usize): void {
  if (load<u8>(r + N_KIND) == KIND_FREE) return;
  const n = <usize>load<u8>(r + N_NAMELEN);
  memory.copy(fresh + freshLen, <usize>load<u32>(r + N_NAME), n);
  store<u32>(r + N_NAME, <u32>(fresh + freshLen));
  freshLen += n;
}

/** Rewrites the arena as one chunk with only the names of live nodes (records updated in place). */
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
