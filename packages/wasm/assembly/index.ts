// The module's exports. Each instance holds one namespace (and/or one parsed zip directory);
// memory is released by dropping the instance, since wasm memory never shrinks.

import { CONTAINER_LINK } from './containers';
import { dirRec, dirsBytes } from './dirs';
import { tableBytes } from './hash';
import {
  D_COUNT,
  D_SUBDIRS,
  KIND_DIR,
  KIND_WHITEOUT,
  N_FLAGS,
  N_KIND,
  N_NAME,
  N_NAMELEN,
  N_NEXT,
  N_PARENT,
  NONE,
  ROOT,
  Z_METHOD,
  Z_RAWLEN,
  Z_REJECTED_BY_CALLER,
  Z_STATUS_SHIFT,
} from './layout';
import { namesBase, namesBytes, namesLength } from './names';
import {
  auxOf,
  entryPrefix,
  firstChildOf,
  isLive,
  namespaceInit,
  nlinkOf as nlinkOfNode,
  objectOf as objectOfNode,
  ownLayer,
  ownRef,
  setOwnSource,
} from './namespace';
import { idExists, liveNodes, nodeHighWater, nodesBytes, rec, recSafe } from './nodes';
import { ordinalsBytes } from './ordinals';
import { ensureOut } from './out';
import { NO_LEAF, O_LEAF, O_LEAFLEN, ovrBytes, ovrFind } from './ovr';
import {
  R_BUILT,
  R_DIRCOUNT,
  R_DIRS,
  R_FIRST,
  R_OPEN,
  regionAt,
  regionBytes,
  regionsBytes,
  regionsNameBytes,
} from './regions';
import { putTarget, targetAddr, targetCount, targetEntry, targetLen, targetsBytes } from './symlinks';
import { tagsBytes } from './tags';

export { applyBatch, applyZipRegion, beginLayer, buildFailedRef, setBuildRoot } from './build';
export {
  belowDir,
  CONTAINER_LINK,
  copyChildren,
  LOWER_LINK,
  listMerged,
  lookupNode,
  setBelow,
  UNTAGGED,
  walkNodes,
} from './containers';
export { find as lookup, insert, link, move, remove, reserve, setKind } from './namespace';
export { ordinalOf } from './ordinals';
export { outBase } from './out';
export { resolveNodes } from './resolve';
export { listTouched, listTypes, listVisits } from './subtree';
export { setTag, tagOf } from './tags';
export { lookupPath, walk, walkEnd, walkParent, walkStart, walkStatus } from './walk';
export { warningCount, warningsBase, warningsReset } from './warnings';
export {
  zipAbort,
  zipCdOffset,
  zipCdSize,
  zipClose,
  zipCount,
  zipEocdAt,
  zipErrorEntry,
  zipFirst,
  zipLocate,
  zipParseBegin,
  zipParseChunk,
  zipParsed,
  zipReadZip64,
  zipRegion,
  zipRelease,
  zipTable,
  zipWide,
  zipWideCount,
  zipZip64At,
} from './zip';
export { liveNodes, namesBase, namesLength, nodeHighWater, targetCount };

/** Creates the root; sizes are hints (everything grows on demand). */
export function init(nodeCapacity: u32, nameBytes: u32): void {
  namespaceInit(nodeCapacity, nameBytes);
}

/** Bytes held by the index's own structures (nodes, hash table, dir records, names, side arrays). */
export function indexBytes(): usize {
  return (
    nodesBytes() +
    tableBytes() +
    dirsBytes() +
    namesBytes() +
    tagsBytes() +
    ovrBytes() +
    ordinalsBytes() +
    targetsBytes()
  );
}

/** Bytes of the zip regions (records, prefixes, wide lists): the zip nodes live there. */
export function zipRegionsBytes(): usize {
  return regionsBytes();
}
export function zipRegionBytes(r: u32): usize {
  return regionBytes(r);
}
export function zipRegionBuilt(r: u32): bool {
  return load<u32>(regionAt(r) + R_BUILT) != 0;
}

/**
 * Bytes of names: the arena (the index's own nodes' names) and every zip region's names chunks
 * (its entries' names, which its nodes share, its prefixes).
 */
export function nameArenaBytes(): usize {
  return namesBytes() + regionsNameBytes();
}
export function nodeTableBytes(): usize {
  return nodesBytes();
}
export function hashTableBytes(): usize {
  return tableBytes();
}
export function dirTableBytes(): usize {
  return dirsBytes();
}
export function tagArrayBytes(): usize {
  return tagsBytes() + ovrBytes() + ordinalsBytes() + targetsBytes();
}

/**
 * Sets the target of symlink name `id` (`p[0..len)`, UTF-8) for `resolveNodes`, under the name's
 * current tag. Returns false, setting nothing, unless `id` is a live non-directory name (not a
 * whiteout, not a container's link to a directory).
 */
export function setTarget(id: u32, p: usize, len: u32): bool {
  if (!isLive(id)) return false;
  const kind = load<u8>(rec(id) + N_KIND);
  if (kind == KIND_DIR || kind == KIND_WHITEOUT || ownLayer(id) == CONTAINER_LINK) return false;
  putTarget(id, p, len);
  return true;
}

/** Writes the target set for `id` (and still valid) at outBase(); returns its length, -1 if none. */
export function targetOf(id: u32): i32 {
  const e = targetEntry(id);
  if (e == 0) return -1;
  const len = targetLen(e);
  const addr = targetAddr(e);
  const out = ensureOut(len == 0 ? 1 : len);
  memory.copy(out, addr, len);
  return <i32>len;
}

export function alloc(n: usize): usize {
  return heap.alloc(n == 0 ? 1 : n);
}

export function free(p: usize): void {
  heap.free(p);
}

export function valid(id: u32): bool {
  return isLive(id);
}

// Accessors take ids from outside: a made-up or stale id reads as a free node, never traps.
export function parentOf(id: u32): u32 {
  return load<u32>(recSafe(id) + N_PARENT);
}
export function kindOf(id: u32): u8 {
  return load<u8>(recSafe(id) + N_KIND);
}
export function flagsOf(id: u32): u8 {
  return load<u8>(recSafe(id) + N_FLAGS);
}
export function setFlags(id: u32, flags: u8): void {
  store<u8>(recSafe(id) + N_FLAGS, flags);
}
export function objectOf(id: u32): u32 {
  return idExists(id) ? objectOfNode(id) : id;
}
export function nlinkOf(id: u32): u32 {
  return idExists(id) ? nlinkOfNode(id) : 0;
}
// A detached object (a hard-linked file whose first name went) still answers for its layer and ref.
export function layerOf(id: u32): u32 {
  return idExists(id) ? ownLayer(objectOfNode(id)) : 0;
}
export function refOf(id: u32): u32 {
  return idExists(id) ? ownRef(objectOfNode(id)) : 0;
}
/** Sets where an object's bytes come from (e.g. after a copy-up: UPPER and the upper's ref). */
export function setSource(id: u32, layer: u32, ref: u32): void {
  if (idExists(id)) setOwnSource(objectOfNode(id), layer, ref);
}
export function childCount(id: u32): u32 {
  return isLive(id) && kindOf(id) == KIND_DIR ? load<u32>(dirRec(auxOf(id)) + D_COUNT) : 0;
}
export function subdirCount(id: u32): u32 {
  return isLive(id) && kindOf(id) == KIND_DIR ? load<u32>(dirRec(auxOf(id)) + D_SUBDIRS) : 0;
}
export function firstChild(id: u32): u32 {
  return isLive(id) ? firstChildOf(id) : NONE;
}
export function nextSibling(id: u32): u32 {
  return load<u32>(recSafe(id) + N_NEXT);
}
/** The address of the node's name (names are addressed absolutely: namesBase() is 0). */
export function nameOffset(id: u32): u32 {
  return load<u32>(recSafe(id) + N_NAME);
}
export function nameLength(id: u32): u32 {
  return <u32>load<u8>(recSafe(id) + N_NAMELEN);
}

/** Writes the node's absolute path (UTF-8) at outBase(); returns its length, 0 if it has none. */
export function pathOf(id: u32): u32 {
  if (id == ROOT) {
    const out = ensureOut(1);
    store<u8>(out, 47);
    return 1;
  }
  let total: usize = 0;
  for (let n = id; n != ROOT; n = parentOf(n)) {
    if (n == NONE) return 0;
    total += nameLength(n) + 1;
  }
  const out = ensureOut(total);
  let o = total;
  for (let n = id; n != ROOT; n = parentOf(n)) {
    const len = <usize>nameLength(n);
    o -= len;
    memory.copy(out + o, <usize>nameOffset(n), len);
    store<u8>(out + --o, 47);
  }
  return <u32>total;
}

/**
 * Writes the path of entry `i` of zip region `g` at outBase() (its directory prefix and its own
 * name, or the raw name of a rejected entry); returns its length.
 */
export function zipPath(g: u32, i: u32): u32 {
  const R = regionAt(g);
  if (load<u32>(R + R_OPEN) == 0) return 0;
  const id = load<u32>(R + R_FIRST) + i;
  const e = rec(id);
  const status = load<u16>(e + Z_METHOD) >> Z_STATUS_SHIFT;
  if (status != 0 && status != Z_REJECTED_BY_CALLER) {
    const n = <usize>load<u32>(e + Z_RAWLEN);
    const out = ensureOut(n);
    memory.copy(out, <usize>load<u32>(e + N_NAME), n);
    return <u32>n;
  }
  let leaf = <usize>load<u32>(e + N_NAME);
  let leafLen = <usize>load<u8>(e + N_NAMELEN);
  const o = ovrFind(id);
  if (o != 0 && load<u32>(o + O_LEAFLEN) != NO_LEAF) {
    leaf = <usize>load<u32>(o + O_LEAF);
    leafLen = <usize>load<u32>(o + O_LEAFLEN);
  }
  const d = entryPrefix(id);
  // Unknown only if its directory closed, and then this is not called.
  if (d >= load<u32>(R + R_DIRCOUNT)) return 0;
  const dp = <usize>load<u32>(R + R_DIRS) + ((<usize>d) << 3);
  const plen = <usize>load<u32>(dp + 4);
  const n = plen + (plen != 0 ? 1 : 0) + leafLen;
  const out = ensureOut(n);
  memory.copy(out, <usize>load<u32>(dp), plen);
  if (plen != 0) store<u8>(out + plen, 47);
  memory.copy(out + n - leafLen, leaf, leafLen);
  return <u32>n;
}

/** Writes the ids of a directory's children, in order, at outBase(); returns how many. */
export function listChildren(id: u32): u32 {
  const n = childCount(id);
  const out = ensureOut((<usize>n) << 2);
  let i: usize = 0;
  for (let c = firstChild(id); c != NONE; c = nextSibling(c)) store<u32>(out + (i++ << 2), c);
  return n;
}
