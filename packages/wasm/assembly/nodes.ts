// The node table: records addressed by id through a chunk table of 4096 ids a chunk, so it grows
// without copying what it holds (a copy would double the memory a big table needs while it
// moves, and wasm memory never shrinks). Plain chunks hold the index's own 32-byte nodes, handed
// out from a free list or the current chunk. A zip region is one block of 44-byte entry records
// (layout.ts) over consecutive chunks of its own: a zip directory parsed into the index writes
// its entries there, and the bulk build makes a file or symlink entry's record its node. A zip
// record is never reused for another node: it keeps its entry's values for as long as the
// directory lives, whatever happens to its node.
import { KIND_FREE, MAX_NODES, N_KIND, N_NEXT, NODE_SHIFT, Z_STRIDE } from './layout';
import { regionNodeGone } from './regions';
import { dropTarget } from './symlinks';
import { clearTag } from './tags';

export const CHUNK_SHIFT: u32 = 12;
const CHUNK_IDS: u32 = 1 << CHUNK_SHIFT;
const CHUNK_MASK: u32 = CHUNK_IDS - 1;
const MAX_CHUNKS: u32 = MAX_NODES >> CHUNK_SHIFT;
// Chunk entry: 16 bytes.
const C_BASE: usize = 0; // the records' block address, | 1 for a zip chunk
const C_LIMIT: usize = 4; // ids of the chunk that have a record
const C_REGION: usize = 8; // zip chunks: the region (regions.ts)
const C_SHIFT: u32 = 4;

let chunks: usize = 0;
let chunkCap: u32 = 0;
/** Chunks in use: every id below chunkCount << CHUNK_SHIFT belongs to one. */
let chunkCount: u32 = 0;
/** The chunk plain ids come from, and the next id never handed out in it. */
let plainChunk: u32 = 0;
let plainNext: u32 = 0;
let freeHead: u32 = 0;
let live: u32 = 0;
let plainBytes: usize = 0;
/** A zeroed record for ids that have none (accessors given a stale or made-up id). */
let dummy: usize = 0;

function entry(c: u32): usize {
  return chunks + ((<usize>c) << C_SHIFT);
}

/** Ids below this may have a record (the bound side arrays are sized to). */
export function nodeHighWater(): u32 {
  return chunkCount << CHUNK_SHIFT;
}

export function nodeCapacity(): u32 {
  return chunkCount << CHUNK_SHIFT;
}

export function liveNodes(): u32 {
  return live;
}

/** Bytes of the plain chunks (zip regions are counted by regions.ts). */
export function nodesBytes(): usize {
  return plainBytes;
}

function ensureChunks(n: u32): void {
  if (n > MAX_CHUNKS) abort('too many nodes');
  if (n <= chunkCap) return;
  let next = chunkCap < 16 ? <u32>16 : chunkCap << 1;
  if (next < n) next = n;
  if (next > MAX_CHUNKS) next = MAX_CHUNKS;
  const bytes = (<usize>next) << C_SHIFT;
  chunks = chunks == 0 ? heap.alloc(bytes) : heap.realloc(chunks, bytes);
  memory.fill(entry(chunkCap), 0, (<usize>(next - chunkCap)) << C_SHIFT);
  chunkCap = next;
}

/** A plain chunk of `capacity` ids at the next chunk index. */
function newPlainChunk(capacity: u32): void {
  ensureChunks(chunkCount + 1);
  const c = chunkCount++;
  const bytes = (<usize>capacity) << NODE_SHIFT;
  const block = heap.alloc(bytes);
  memory.fill(block, 0, bytes);
  plainBytes += bytes;
  store<u32>(entry(c) + C_BASE, <u32>block);
  store<u32>(entry(c) + C_LIMIT, capacity);
  plainChunk = c;
  plainNext = c << CHUNK_SHIFT;
}

export function nodesInit(capacity: u32): void {
  chunks = 0;
  chunkCap = 0;
  chunkCount = 0;
  freeHead = 0;
  plainBytes = 0;
  dummy = heap.alloc(Z_STRIDE);
  memory.fill(dummy, 0, Z_STRIDE);
  newPlainChunk(capacity < 16 ? 16 : capacity > CHUNK_IDS ? CHUNK_IDS : capacity);
  plainNext = 2; // 0 is NONE, 1 the root
  live = 1;
}

export function nodesReady(): bool {
  return chunks != 0;
}

/** The record of an id that has one (ids from the index itself). */
export function rec(id: u32): usize {
  const b = load<u32>(chunks + ((<usize>(id >> CHUNK_SHIFT)) << C_SHIFT));
  const k = <usize>(id & CHUNK_MASK);
  return <usize>(b & ~1) + (k << NODE_SHIFT) + ((b & 1) != 0 ? k * 12 : 0);
}

/** True if `id` has a record (it may be free). */
export function idExists(id: u32): bool {
  const c = id >> CHUNK_SHIFT;
  if (id == 0 || c >= chunkCount) return false;
  const e = entry(c);
  return load<u32>(e + C_BASE) != 0 && (id & CHUNK_MASK) < load<u32>(e + C_LIMIT);
}

/** The record of any id: a zeroed one for an id that has none (so a bad id reads as free). */
export function recSafe(id: u32): usize {
  return idExists(id) ? rec(id) : dummy;
}

/** True for a zip region's record. */
export function isZip(id: u32): bool {
  return (load<u32>(chunks + ((<usize>(id >> CHUNK_SHIFT)) << C_SHIFT)) & 1) != 0;
}

/** The region (regions.ts) of a zip record's id. */
export function regionOfId(id: u32): u32 {
  return load<u32>(entry(id >> CHUNK_SHIFT) + C_REGION);
}

/** Makes room for `extra` more plain nodes in the current chunk (a bulk build knows its size). */
export function reserveNodes(extra: u32): void {
  const e = entry(plainChunk);
  const cap = load<u32>(e + C_LIMIT);
  const used = plainNext - (plainChunk << CHUNK_SHIFT);
  if (used + extra <= cap || cap == CHUNK_IDS) return;
  growPlain(used + extra > CHUNK_IDS ? CHUNK_IDS : used + extra);
}

function growPlain(next: u32): void {
  const e = entry(plainChunk);
  const cap = load<u32>(e + C_LIMIT);
  const block = heap.realloc(<usize>load<u32>(e + C_BASE), (<usize>next) << NODE_SHIFT);
  memory.fill(block + ((<usize>cap) << NODE_SHIFT), 0, (<usize>(next - cap)) << NODE_SHIFT);
  plainBytes += (<usize>(next - cap)) << NODE_SHIFT;
  store<u32>(e + C_BASE, <u32>block);
  store<u32>(e + C_LIMIT, next);
}

/** A zeroed plain record; its address is only valid until the next allocation. */
export function newNode(): u32 {
  let id: u32;
  if (freeHead != 0) {
    id = freeHead;
    freeHead = load<u32>(rec(id) + N_NEXT);
  } else {
    const cap = load<u32>(entry(plainChunk) + C_LIMIT);
    const used = plainNext - (plainChunk << CHUNK_SHIFT);
    // A chunk owns its 4096 ids whatever its block holds: a small one doubles until it is whole.
    if (used == cap) {
      if (cap < CHUNK_IDS) growPlain(cap << 1 > CHUNK_IDS ? CHUNK_IDS : cap << 1);
      else newPlainChunk(CHUNK_IDS);
    }
    id = plainNext++;
  }
  memory.fill(rec(id), 0, (<usize>1) << NODE_SHIFT);
  clearTag(id);
  live++;
  return id;
}

export function freeNode(id: u32): void {
  const r = rec(id);
  store<u8>(r + N_KIND, KIND_FREE);
  live--;
  dropTarget(id);
  // A zip record keeps its entry's values (its directory reads them by entry index): not reused
  // while its region lives; the region is freed whole once closed and none of its records is a node.
  if (isZip(id)) {
    regionNodeGone(regionOfId(id));
    return;
  }
  store<u32>(r + N_NEXT, freeHead);
  freeHead = id;
}

/** A zip record became a node (the bulk build adopted it). */
export function adoptedNode(): void {
  live++;
}

/**
 * Chunks for a zip region of `count` records in `block` (44 bytes each): returns the first id.
 * Plain ids keep coming from their chunk; the next plain chunk goes after the region's.
 */
export function addZipChunks(block: usize, count: u32, region: u32): u32 {
  const n = (count + CHUNK_MASK) >> CHUNK_SHIFT;
  // The ids of a freed region come back: an overlay opened and closed over and over must not
  // run through the id space (nor grow the id-indexed side arrays).
  const c0 = freeChunkRun(n);
  if (c0 == chunkCount) {
    ensureChunks(chunkCount + n);
    chunkCount += n;
  }
  for (let k: u32 = 0; k < n; k++) {
    const e = entry(c0 + k);
    store<u32>(e + C_BASE, <u32>(block + ((<usize>k) << CHUNK_SHIFT) * Z_STRIDE) | 1);
    store<u32>(e + C_LIMIT, k + 1 < n ? CHUNK_IDS : count - (k << CHUNK_SHIFT));
    store<u32>(e + C_REGION, region);
  }
  return c0 << CHUNK_SHIFT;
}

/** The first of `n` consecutive chunk entries without records, or chunkCount if none. */
function freeChunkRun(n: u32): u32 {
  let run: u32 = 0;
  for (let c: u32 = 0; c < chunkCount; c++) {
    if (load<u32>(entry(c) + C_BASE) != 0) {
      run = 0;
      continue;
    }
    if (++run == n) return c + 1 - n;
  }
  return chunkCount;
}

/** Drops a region's chunks (its records are freed): their ids may serve a later region. */
export function dropZipChunks(first: u32, count: u32): void {
  const c0 = first >> CHUNK_SHIFT;
  const n = (count + CHUNK_MASK) >> CHUNK_SHIFT;
  for (let k: u32 = 0; k < n; k++) memory.fill(entry(c0 + k), 0, (<usize>1) << C_SHIFT);
  // The last chunks made: their ids can be handed out again.
  if (c0 + n == chunkCount && plainChunk < c0) chunkCount = c0;
}

/** Calls `fn` on every record (free or not) with its id. */
export function forEachRecord(fn: (id: u32, r: usize) => void): void {
  for (let c: u32 = 0; c < chunkCount; c++) {
    const e = entry(c);
    if (load<u32>(e + C_BASE) == 0) continue;
    const limit = c == plainChunk ? plainNext - (c << CHUNK_SHIFT) : load<u32>(e + C_LIMIT);
    for (let k: u32 = 0; k < limit; k++) {
      const id = (c << CHUNK_SHIFT) | k;
      fn(id, rec(id));
    }
  }
}
