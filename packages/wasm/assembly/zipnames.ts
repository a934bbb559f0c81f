// A zip region's names: its entries' own names (the last component of each path), its distinct
// directory prefixes and the raw names of rejected entries, in chunks the region owns (half of
// what it holds so far, 4 to 64 KiB, or one name's size; each starts with the address of the one
// written before), freed with its records (zip.ts). They do not go in the names arena (names.ts)
// because that arena can only be compacted by rewriting every pointer into it, and an open
// directory's records, prefixes and overrides would all be such pointers: a region's own chunks
// are freed whole instead. That is safe because only the region's own records and the override
// map's entries of its ids (O_LEAF) point here, and both go with it: every other node made from
// its names (a directory entry, an implicit directory, a hard link, a renamed name) copies its
// name into the arena.
import { R_NAMEBYTES, R_NAMES, regionAt } from './regions';

const HEADER: usize = 4;
const MAX_CHUNK: usize = 65536;

/** The region being parsed, and where its current chunk stands. */
let region: u32 = 0;
let cur: usize = 0;
let curCap: usize = 0;
let curLen: usize = 0;
/** The size of the region's first chunk. */
let hint: usize = 0;

/**
 * Names written from now on belong to region `r` (the one being parsed); its first chunk is
 * `firstChunk` bytes (within 4 to 64 KiB), later ones half of what it holds.
 */
export function zipNamesBegin(r: u32, firstChunk: usize): void {
  region = r;
  hint = firstChunk;
  cur = 0;
  curCap = 0;
  curLen = 0;
}

/** Where `n` bytes of the region's names can be written (then `zipNamesCommit(n)`). */
export function zipNameRoom(n: usize): usize {
  if (curLen + n <= curCap) return cur + curLen;
  const g = regionAt(region);
  const held = <usize>load<u32>(g + R_NAMEBYTES);
  let size = held == 0 ? hint : held >> 1;
  if (size < 4096) size = 4096;
  if (size > MAX_CHUNK) size = MAX_CHUNK;
  if (n + HEADER > size) size = n + HEADER;
  const chunk = heap.alloc(size);
  store<u32>(chunk, load<u32>(g + R_NAMES));
  store<u32>(g + R_NAMES, <u32>chunk);
  store<u32>(g + R_NAMEBYTES, <u32>(held + size));
  cur = chunk;
  curCap = size;
  curLen = HEADER;
  return cur + curLen;
}

/** Marks `n` bytes written at zipNameRoom()'s address as used. */
export function zipNamesCommit(n: usize): void {
  curLen += n;
}

/** The parse ended: its last chunk gives back the tail it did not use. */
export function zipNamesEnd(): void {
  if (cur != 0 && curCap - curLen >= 64) {
    // A smaller size never moves a block (TLSF splits the tail off in place), so the names
    // written there keep their addresses.
    heap.realloc(cur, curLen);
    const g = regionAt(region);
    store<u32>(g + R_NAMEBYTES, load<u32>(g + R_NAMEBYTES) - <u32>(curCap - curLen));
  }
  cur = 0;
  curCap = 0;
  curLen = 0;
}

/** Frees region `g`'s names chunks (its records and overrides are freed with them). */
export function zipNamesFree(g: usize): void {
  // A parse abandoned half way: nothing more is written to its chunks.
  if (cur != 0 && g == regionAt(region)) zipNamesBegin(region, 0);
  let chunk = <usize>load<u32>(g + R_NAMES);
  while (chunk != 0) {
    const before = <usize>load<u32>(chunk);
    heap.free(chunk);
    chunk = before;
  }
  store<u32>(g + R_NAMES, 0);
  store<u32>(g + R_NAMEBYTES, 0);
}
