// Bulk build: lays one lower layer over the layers applied before it (apply the lowest first).
// Within the layer entries come in any order and parents may be implicit. A whiteout deletes
// the name from what is below; an opaque directory drops everything below it that this layer
// did not put there; a non-directory replaces; a directory merges. "Put there by this layer"
// is a generation stamp per node, so the order of entries inside a layer does not matter for
// opaque marks, exactly as in the engine's per-layer tree (packages/core/src/lower-index.ts).

import { hashName, tableFind, tableInsert, tableReserve } from './hash';
import {
  E_INVAL,
  E_NOTDIR,
  FLAG_IMPLICIT,
  FLAG_LINKED,
  FLAG_OPAQUE,
  KIND_DIR,
  KIND_FILE,
  KIND_FREE,
  KIND_WHITEOUT,
  N_FLAGS,
  N_GEN,
  N_KIND,
  N_NAME,
  N_NAMELEN,
  N_NEXT,
  N_PARENT,
  NO_REF,
  NONE,
  ROOT,
  Z_KIND_SHIFT,
  Z_METHOD,
  Z_MODE,
  Z_STATUS_SHIFT,
} from './layout';
import {
  appendChild,
  find,
  firstChildOf,
  insertNew,
  kindOf,
  link,
  ownRef,
  removals,
  removeTree,
  setOwnSource,
  validName,
} from './namespace';
import { adoptedNode, forEachRecord, liveNodes, rec, reserveNodes } from './nodes';
import { setOrdinal } from './ordinals';
import {
  R_BUILT,
  R_COUNT,
  R_DIRCOUNT,
  R_DIRS,
  R_FIRST,
  R_LAYER,
  R_LIVE,
  regionAt,
  revBegin,
  revPut,
} from './regions';
import { warn } from './warnings';

/**
 * A directory laid by this layer over the same directory of a layer below (not made opaque by
 * this layer): the engine's "merged directory", which reports nlink 1 as the kernel does.
 */
export const FLAG_MERGED: u8 = 64;

/** Warning: a later entry of the same layer replaced this one (same path). */
export const W_DUPLICATE: u32 = 20;
/** Warning: the entry's path goes through a non-directory of the same layer; entry skipped. */
export const W_THROUGH_FILE: u32 = 21;
/** Warning: a hard link whose target is not a file of this layer; entry skipped. */
export const W_BAD_LINK: u32 = 22;

/** The current generation's low byte, as nodes store it (0 = never stamped). */
let gen: u8 = 0;
let layer: u32 = 0;
/** Reference of the entry that caused the last error. */
let failedRef: u32 = 0;
/** Last component of the last path given to `parentFor`. */
let nameStart: usize = 0;
let nameLen: u32 = 0;
/** Where the layers are laid: the index root, or a directory standing for one overlay's lowers. */
let buildRoot: u32 = ROOT;
/** The current layer's next ordinal (see ordinals.ts). */
let ordinal: u32 = 0;

/**
 * Whether this build records ordinals: only under a given root, one overlay's lowers, which is
 * what the engine numbers; a build at the index root (a bare index) pays nothing for the side
 * array (4 bytes per node id).
 */
let numbering = false;

/** Lays the following layers under `root` instead of the index root (0: the index root). */
export function setBuildRoot(root: u32): void {
  buildRoot = root == NONE ? ROOT : root;
  numbering = buildRoot != ROOT;
}

/** Records node `id`'s ordinal if this build numbers its nodes. */
function numberNode(id: u32, ord: u32): void {
  if (numbering) setOrdinal(id, ord);
}

export function buildFailedRef(): u32 {
  return failedRef;
}

export function beginLayer(l: u32): void {
  gen++;
  if (gen == 0) {
    // The byte wrapped: forget every stamp so a node stamped 256 layers ago is not "this layer".
    forEachRecord(clearGen);
    gen = 1;
  }
  layer = l;
  ordinal = 0;
}

function clearGen(_id: u32, r: usize): void {
  store<u8>(r + N_GEN, 0);
}

function stamp(id: u32, ref: u32, flags: u8): void {
  const r = rec(id);
  // Merged: laid over a lower layer's directory now, or earlier in this layer; an opaque mark
  // of this layer hides what is below, so the directory is this layer's alone.
  let merged = fromThisLayer(id) ? load<u8>(r + N_FLAGS) & FLAG_MERGED : FLAG_MERGED;
  if ((flags & FLAG_OPAQUE) != 0) merged = 0;
  flags |= merged;
  store<u8>(r + N_GEN, gen);
  setOwnSource(id, layer, ref);
  store<u8>(r + N_FLAGS, flags);
}

function fromThisLayer(id: u32): bool {
  return load<u8>(rec(id) + N_GEN) == gen;
}

/**
 * The directory that will hold the last component of `p[0..len)`, creating implicit
 * directories on the way (replacing non-directories of lower layers). Sets nameStart/nameLen.
 * Returns the directory, 0 for the root itself, or -error.
 */
function parentFor(p: usize, len: u32): i32 {
  let dir = buildRoot;
  let i: u32 = 0;
  let lastStart: u32 = 0;
  let lastLen: u32 = 0;
  let pending = false;
  while (i < len) {
    if (load<u8>(p + i) == 47) {
      i++;
      continue;
    }
    let j = i;
    while (j < len && load<u8>(p + j) != 47) j++;
    const n = j - i;
    if (n == 1 && load<u8>(p + i) == 46) {
      i = j;
      continue;
    }
    if (n == 2 && load<u16>(p + i) == 0x2e2e) return -E_INVAL;
    if (pending) {
      const next = descend(dir, p + lastStart, lastLen);
      if (next < 0) return next;
      dir = <u32>next;
    }
    lastStart = i;
    lastLen = n;
    pending = true;
    i = j;
  }
  nameStart = p + lastStart;
  nameLen = lastLen;
  return pending ? <i32>dir : 0;
}

function descend(dir: u32, p: usize, n: u32): i32 {
  const h = hashName(dir, p, n);
  const child = tableFind(dir, p, n, h);
  if (child != NONE && kindOf(child) == KIND_DIR) {
    if (!fromThisLayer(child)) {
      // This layer's own (implicit) directory here, numbered when first needed.
      stamp(child, NO_REF, FLAG_IMPLICIT);
      numberNode(child, ordinal++);
    }
    return <i32>child;
  }
  if (child != NONE) {
    if (fromThisLayer(child) && kindOf(child) != KIND_WHITEOUT) return -E_NOTDIR;
    removeTree(child);
  }
  if (!validName(p, n)) return -E_INVAL;
  // The table held (dir, name) at most as `child`, removed above: the name is free.
  const made = insertNew(dir, p, n, h, KIND_DIR, FLAG_IMPLICIT, layer, NO_REF);
  store<u8>(rec(made) + N_GEN, gen);
  numberNode(made, ordinal++);
  return <i32>made;
}

/** Drops below `dir` every node this layer did not put there (an opaque directory). */
function dropBelow(dir: u32): void {
  let c = firstChildOf(dir);
  while (c != NONE) {
    const next = load<u32>(rec(c) + N_NEXT);
    if (!fromThisLayer(c)) removeTree(c);
    else if (kindOf(c) == KIND_DIR) dropBelow(c);
    c = next;
  }
}

/**
 * Applies one entry of the current layer. `kind` is file/dir/symlink/whiteout; `flags` may hold
 * FLAG_OPAQUE for a directory, FLAG_LINKED for a file. Returns the node (0 for a whiteout) or
 * -error (E_INVAL: bad path; E_NOTDIR: the path goes through a non-directory of the same layer).
 */
export function applyEntry(kind: u8, flags: u8, ref: u32, p: usize, len: u32): i32 {
  failedRef = ref;
  const parent = parentFor(p, len);
  if (parent < 0) return parent;
  if (parent == 0) {
    if (kind != KIND_DIR) return -E_INVAL;
    stamp(buildRoot, ref, flags & FLAG_OPAQUE);
    if ((flags & FLAG_OPAQUE) != 0) dropBelow(buildRoot);
    return <i32>buildRoot;
  }
  // Every entry below the root takes the next ordinal, whatever becomes of it.
  const own = ordinal++;
  const dir = <u32>parent;
  const h = hashName(dir, nameStart, nameLen);
  const existing = tableFind(dir, nameStart, nameLen, h);
  if (existing != NONE) {
    if (kind == KIND_DIR && kindOf(existing) == KIND_DIR) {
      const r = rec(existing);
      if (fromThisLayer(existing) && (load<u8>(r + N_FLAGS) & FLAG_IMPLICIT) == 0) {
        warn(ownRef(existing), W_DUPLICATE);
      }
      // A directory this layer already has keeps its number; one of a lower layer takes this entry's.
      if (!fromThisLayer(existing)) numberNode(existing, own);
      stamp(existing, ref, flags & FLAG_OPAQUE);
      if ((flags & FLAG_OPAQUE) != 0) dropBelow(existing);
      return <i32>existing;
    }
    if (fromThisLayer(existing)) {
      const r = rec(existing);
      if ((load<u8>(r + N_FLAGS) & FLAG_IMPLICIT) == 0) warn(ownRef(existing), W_DUPLICATE);
    }
    removeTree(existing);
  }
  if (kind == KIND_WHITEOUT) return 0;
  if (kind == KIND_FREE || kind > KIND_WHITEOUT || !validName(nameStart, nameLen)) return -E_INVAL;
  const made = insertNew(
    dir,
    nameStart,
    nameLen,
    h,
    kind,
    kind == KIND_DIR ? flags & FLAG_OPAQUE : kind == KIND_FILE ? flags & FLAG_LINKED : 0,
    layer,
    ref,
  );
  store<u8>(rec(made) + N_GEN, gen);
  numberNode(made, own);
  return <i32>made;
}

/**
 * A hard link's place in its layer's numbering, taken where the layer lists it (the link itself
 * is applied after every entry, so that its target exists): its implicit parents, then one ordinal.
 */
export function applyReserve(ref: u32, p: usize, len: u32): i32 {
  failedRef = ref;
  const parent = parentFor(p, len);
  if (parent < 0) return parent;
  ordinal++;
  return 0;
}

/** A hard link of the current layer: `p` becomes another name of the file at `t`. */
export function applyLink(ref: u32, p: usize, len: u32, t: usize, tlen: u32): i32 {
  failedRef = ref;
  const target = resolveNoFollow(t, tlen);
  if (target == NONE || kindOf(target) != KIND_FILE || !fromThisLayer(target)) return -E_INVAL;
  const parent = parentFor(p, len);
  if (parent <= 0) return parent < 0 ? parent : -E_INVAL;
  const existing = find(<u32>parent, nameStart, nameLen);
  if (existing == target) return <i32>target;
  if (existing != NONE) removeTree(existing);
  const made = link(<u32>parent, nameStart, nameLen, target);
  if (made < 0) return made;
  store<u8>(rec(<u32>made) + N_GEN, gen);
  return made;
}

function resolveNoFollow(p: usize, len: u32): u32 {
  let dir = buildRoot;
  let i: u32 = 0;
  while (i < len) {
    if (load<u8>(p + i) == 47) {
      i++;
      continue;
    }
    let j = i;
    while (j < len && load<u8>(p + j) != 47) j++;
    if (!(j - i == 1 && load<u8>(p + i) == 46)) {
      if (kindOf(dir) != KIND_DIR) return NONE;
      dir = find(dir, p + i, j - i);
      if (dir == NONE) return NONE;
    }
    i = j;
  }
  return dir;
}

/**
 * Applies a batch of entries written by the wrapper: records of
 * [kind u8][flags u8][u16 0][ref u32][len u32][path bytes] (kind 5 = hard link, followed by
 * [tlen u32][target bytes]; kind 6 = a hard link's place in the numbering, see applyReserve). Stops at the first fatal error and returns -error; `failedRef`
 * names the entry. Entries skipped with a warning do not stop the batch.
 */
export function applyBatch(p: usize, count: u32, end: usize, soft: bool): i32 {
  let at = p;
  for (let k: u32 = 0; k < count; k++) {
    if (at + 12 > end) return -E_INVAL;
    const kind = load<u8>(at);
    const flags = load<u8>(at + 1);
    const ref = load<u32>(at + 4);
    const len = load<u32>(at + 8);
    at += 12;
    if (at + len > end) return -E_INVAL;
    let result: i32;
    if (kind == 5) {
      if (at + len + 4 > end) return -E_INVAL;
      const tlen = load<u32>(at + len);
      if (at + len + 4 + tlen > end) return -E_INVAL;
      result = applyLink(ref, at, len, at + len + 4, tlen);
      at += len + 4 + tlen;
    } else if (kind == 6) {
      result = applyReserve(ref, at, len);
      at += len;
    } else {
      result = applyEntry(kind, flags, ref, at, len);
      at += len;
    }
    if (result == -E_NOTDIR && soft) {
      warn(ref, W_THROUGH_FILE);
      continue;
    }
    if (result < 0) return result;
  }
  return 0;
}

// The zip build's cache: per directory prefix of the region, its directory node, valid while
// `removals` is what it was when stored (a removal may have taken the node away).
let cache: usize = 0;

/**
 * The directory node of prefix `d` (0: the build root), made with its parents if needed (numbered
 * as `parentFor` numbers them: the same `descend`), or -error.
 */
function prefixDir(dirs: usize, d: u32): i32 {
  if (d == 0) return <i32>buildRoot;
  const c = cache + ((<usize>d) << 3);
  if (load<u32>(c + 4) == removals + 1) return <i32>load<u32>(c);
  const p = <usize>load<u32>(dirs + ((<usize>d) << 3));
  const len = load<u32>(dirs + ((<usize>d) << 3) + 4);
  let dir = buildRoot;
  let i: u32 = 0;
  while (i < len) {
    let j = i;
    while (j < len && load<u8>(p + j) != 47) j++;
    const next = descend(dir, p + i, j - i);
    if (next < 0) return next;
    dir = <u32>next;
    i = j + 1;
  }
  store<u32>(c, dir);
  store<u32>(c + 4, removals + 1);
  return <i32>dir;
}

/**
 * Makes zip record `id` (its name, values and prefix written by the parser) a node in `dir`, the
 * directory node of its prefix (noted in the region's reverse map).
 */
function adopt(g: usize, id: u32, dir: u32, h: u32, kind: u8): void {
  const r = rec(id);
  revPut(g, dir, load<u32>(r + N_PARENT));
  store<u32>(r + N_PARENT, dir);
  store<u8>(r + N_KIND, kind);
  store<u8>(r + N_FLAGS, 0);
  store<u8>(r + N_GEN, gen);
  adoptedNode();
  store<u32>(g + R_LIVE, load<u32>(g + R_LIVE) + 1);
  appendChild(dir, id);
  tableInsert(id, h);
}

/**
 * Lays zip region `g` (a directory parsed in this instance, not built before) over the layers
 * applied before it: every usable entry, its index as the ref. A file or symlink entry's record
 * becomes its node, its name the entry's (in the region's chunks); a directory entry gets a plain
 * node, as do implicit parents, with a copy of its name in the names arena (a plain node may
 * outlive the region, so it never points into the region's chunks). A path through a file of the
 * same archive skips the entry with a warning instead of failing.
 */
export function applyZipRegion(g: u32): i32 {
  const R = regionAt(g);
  const first = load<u32>(R + R_FIRST);
  const count = load<u32>(R + R_COUNT);
  const dirs = <usize>load<u32>(R + R_DIRS);
  const ndirs = load<u32>(R + R_DIRCOUNT);
  store<u32>(R + R_LAYER, layer);
  store<u32>(R + R_BUILT, 1);
  revBegin(R);
  // Sizes known up front: every entry and every component of every prefix may become a node.
  let bound: u32 = 0;
  for (let d: u32 = 1; d < ndirs; d++) {
    const p = <usize>load<u32>(dirs + ((<usize>d) << 3));
    const len = load<u32>(dirs + ((<usize>d) << 3) + 4);
    bound++;
    for (let k: u32 = 0; k < len; k++) if (load<u8>(p + k) == 47) bound++;
  }
  reserveNodes(bound + 16);
  tableReserve(liveNodes() + count + bound);
  cache = heap.alloc(((<usize>ndirs) << 3) + 8);
  memory.fill(cache, 0, ((<usize>ndirs) << 3) + 8);
  let result: i32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const id = first + i;
    const e = rec(id);
    if (load<u16>(e + Z_METHOD) >> Z_STATUS_SHIFT != 0) continue;
    failedRef = i;
    const kind = <u8>((load<u16>(e + Z_MODE) >> Z_KIND_SHIFT) & 3);
    const parent = prefixDir(dirs, load<u32>(e + N_PARENT));
    if (parent == -E_NOTDIR) {
      warn(i, W_THROUGH_FILE);
      continue;
    }
    if (parent < 0) {
      result = parent;
      break;
    }
    // Numbered as applyEntry numbers it (the batch path of the same directory must agree).
    const own = ordinal++;
    const dir = <u32>parent;
    const p = <usize>load<u32>(e + N_NAME);
    const len = <u32>load<u8>(e + N_NAMELEN);
    const h = hashName(dir, p, len);
    const existing = tableFind(dir, p, len, h);
    if (existing != NONE) {
      const x = rec(existing);
      const mine = fromThisLayer(existing) && (load<u8>(x + N_FLAGS) & FLAG_IMPLICIT) == 0;
      if (kind == KIND_DIR && kindOf(existing) == KIND_DIR) {
        if (mine) warn(ownRef(existing), W_DUPLICATE);
        if (!fromThisLayer(existing)) numberNode(existing, own);
        stamp(existing, i, 0);
        continue;
      }
      if (mine) warn(ownRef(existing), W_DUPLICATE);
      removeTree(existing);
    }
    if (kind == KIND_DIR) {
      const made = insertNew(dir, p, len, h, KIND_DIR, 0, layer, i);
      store<u8>(rec(made) + N_GEN, gen);
      numberNode(made, own);
    } else {
      adopt(R, id, dir, h, kind);
      numberNode(id, own);
    }
  }
  heap.free(cache);
  cache = 0;
  return result;
}
