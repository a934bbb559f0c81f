// The path walk: one hash probe per component, '.' skipped, '..' to the parent (never above the
// root), stopping at the first symlink so the caller can decide whether to follow it.
import { foundRec, hashName, tableFind } from './hash';
import { KIND_DIR, KIND_SYMLINK, KIND_WHITEOUT, N_KIND, N_PARENT, ROOT } from './layout';
import { find, isLive, kindOf, MAX_NAME } from './namespace';
import { rec } from './nodes';

/** The walk reached the end; the result is the node. */
export const WALK_OK: u32 = 0;
/** The last component is absent; the result is its parent directory. */
export const WALK_MISSING_LAST: u32 = 1;
/** A component before the last is absent (ENOENT); the result is the directory searched. */
export const WALK_MISSING: u32 = 2;
/** A component before the last is not a directory (ENOTDIR); the result is that node. */
export const WALK_NOTDIR: u32 = 3;
/** A symlink was met; the result is the symlink, `walkParent` its directory. */
export const WALK_SYMLINK: u32 = 4;
/** A component is longer than 255 bytes. */
export const WALK_NAMETOOLONG: u32 = 5;

let status: u32 = 0;
let compStart: u32 = 0;
let compEnd: u32 = 0;
let parentDir: u32 = 0;

export function walkStatus(): u32 {
  return status;
}
/** Byte offset of the component where the walk stopped. */
export function walkStart(): u32 {
  return compStart;
}
/** Byte offset just past that component (the rest of the path starts here). */
export function walkEnd(): u32 {
  return compEnd;
}
export function walkParent(): u32 {
  return parentDir;
}

export function walk(start: u32, p: usize, len: u32): u32 {
  let cur = start;
  let i: u32 = 0;
  status = WALK_OK;
  if (!isLive(start) || kindOf(start) != KIND_DIR) {
    status = WALK_MISSING;
    return 0;
  }
  parentDir = cur;
  compStart = 0;
  compEnd = 0;
  while (i < len) {
    if (load<u8>(p + i) == 47) {
      i++;
      continue;
    }
    let j = i;
    while (j < len && load<u8>(p + j) != 47) j++;
    const n = j - i;
    compStart = i;
    compEnd = j;
    if (n == 1 && load<u8>(p + i) == 46) {
      i = j;
      continue;
    }
    if (n == 2 && load<u16>(p + i) == 0x2e2e) {
      if (cur != ROOT) cur = load<u32>(rec(cur) + N_PARENT);
      i = j;
      continue;
    }
    if (n > MAX_NAME) {
      status = WALK_NAMETOOLONG;
      return cur;
    }
    let k = j;
    while (k < len && load<u8>(p + k) == 47) k++;
    const last = k == len;
    const child = find(cur, p + i, n);
    parentDir = cur;
    if (child == 0 || kindOf(child) == KIND_WHITEOUT) {
      status = last ? WALK_MISSING_LAST : WALK_MISSING;
      return cur;
    }
    const kind = kindOf(child);
    if (kind == KIND_SYMLINK) {
      status = WALK_SYMLINK;
      return child;
    }
    if (kind != KIND_DIR && !last) {
      status = WALK_NOTDIR;
      return child;
    }
    cur = child;
    i = j;
  }
  return cur;
}

/**
 * The node at `p[0..len)` from `start`, symlinks not followed (one as the last component is the
 * result), or 0 if absent, hidden by a whiteout, or through a non-directory: what `walk` and the
 * reading of its status give, in one call, for the lookup hot path. From the root and without
 * '.' or '..' components it runs its own loop, which keeps no state for `walkStatus` & co.
 */
export function lookupPath(start: u32, p: usize, len: u32): u32 {
  if (start != ROOT) return lookupSlow(start, p, len);
  let cur = ROOT;
  let i: u32 = 0;
  while (i < len) {
    if (load<u8>(p + i) == 47) {
      i++;
      continue;
    }
    const j = slashFrom(p, i + 1, len);
    const n = j - i;
    if (n <= 2 && load<u8>(p + i) == 46) return lookupSlow(start, p, len);
    if (n > MAX_NAME) return 0;
    const child = tableFind(cur, p + i, n, hashName(cur, p + i, n));
    if (child == 0) return 0;
    const kind = load<u8>(foundRec + N_KIND);
    if (kind != KIND_DIR) {
      if (kind == KIND_WHITEOUT) return 0;
      // A file or symlink ends the walk: only slashes may follow.
      for (let k = j; k < len; k++) if (load<u8>(p + k) != 47) return 0;
      return child;
    }
    cur = child;
    i = j;
  }
  return cur;
}

/**
 * The first '/' in `p[i..len)`, or `len`: eight bytes a step while eight remain (a byte equal to
 * '/' is a zero byte of the word xor 0x2f..., found by the usual borrow trick), then bytewise.
 */
const ONES: u64 = ((<u64>0x01010101) << 32) | <u64>0x01010101;
const HIGHS: u64 = ONES << 7;
const SLASHES: u64 = ONES * 0x2f;

function slashFrom(p: usize, i: u32, len: u32): u32 {
  while (i + 8 <= len) {
    const v = load<u64>(p + i) ^ SLASHES;
    const t = (v - ONES) & ~v & HIGHS;
    if (t != 0) return i + <u32>(ctz<u64>(t) >> 3);
    i += 8;
  }
  while (i < len && load<u8>(p + i) != 47) i++;
  return i;
}

function lookupSlow(start: u32, p: usize, len: u32): u32 {
  const node = walk(start, p, len);
  if (status == WALK_OK) return node;
  if (status != WALK_SYMLINK) return 0;
  for (let i = compEnd; i < len; i++) if (load<u8>(p + i) != 47) return 0;
  return node;
}
