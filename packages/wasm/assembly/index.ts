// The module's exports. Each instance holds one namespace (and/or one parsed zip directory);
// memory is released by dropping the instance, since wasm memory never shrinks.

import { dirRec, dirsBytes } from './dirs';
import { tableBytes } from './hash';
import { grownCapacity } from './heap-util';
import {
  D_COUNT,
  D_SUBDIRS,
  KIND_DIR,
  N_AUX,
  N_FLAGS,
  N_KIND,
  N_LAYER,
  N_NAME,
  N_NAMELEN,
  N_NEXT,
  N_PARENT,
  N_REF,
  NONE,
  ROOT,
} from './layout';
import { namesBase, namesBytes, namesLength } from './names';
import { find, firstChildOf, isLive, MAX_NAME, namespaceInit, objectOf } from './namespace';
import { liveNodes, nodeHighWater, nodesBase, nodesBytes, rec } from './nodes';
import { tagOf, tagsBytes } from './tags';

export { applyBatch, applyZipTable, beginLayer, buildFailedRef, setBuildRoot } from './build';
export { find as lookup, insert, link, move, nlinkOf, objectOf, remove, reserve, setKind } from './namespace';
export { ordinalOf } from './ordinals';
export { setTag, tagOf } from './tags';
export { lookupPath, walk, walkEnd, walkParent, walkStart, walkStatus } from './walk';
export { warningCount, warningsBase, warningsReset } from './warnings';
export {
  zipCdOffset,
  zipCdSize,
  zipCount,
  zipEocdAt,
  zipErrorEntry,
  zipLocate,
  zipParseBegin,
  zipParseChunk,
  zipParsed,
  zipReadZip64,
  zipRelease,
  zipTable,
  zipUnpin,
  zipWide,
  zipWideCount,
  zipZip64At,
} from './zip';
export { liveNodes, namesBase, namesLength, nodeHighWater, nodesBase };

/** Creates the root; sizes are hints (everything grows on demand). */
export function init(nodeCapacity: u32, nameBytes: u32): void {
  namespaceInit(nodeCapacity, nameBytes);
}

/** Bytes held by the index's own structures (nodes, hash table, dir records, names, tags). */
export function indexBytes(): usize {
  return nodesBytes() + tableBytes() + dirsBytes() + namesBytes() + tagsBytes();
}

/** Bytes of the names arena (names of nodes and the paths of the zip tables parsed here). */
export function nameArenaBytes(): usize {
  return namesBytes();
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
  return tagsBytes();
}

export function alloc(n: usize): usize {
  return heap.alloc(n == 0 ? 1 : n);
}

export function free(p: usize): void {
  heap.free(p);
}

export function valid(id: u32): bool {
  return isLive(id, nodeHighWater());
}

export function parentOf(id: u32): u32 {
  return load<u32>(rec(id) + N_PARENT);
}
export function kindOf(id: u32): u8 {
  return load<u8>(rec(id) + N_KIND);
}
export function flagsOf(id: u32): u8 {
  return load<u8>(rec(id) + N_FLAGS);
}
export function setFlags(id: u32, flags: u8): void {
  store<u8>(rec(id) + N_FLAGS, flags);
}
export function layerOf(id: u32): u32 {
  return load<u32>(rec(objectOf(id)) + N_LAYER);
}
export function refOf(id: u32): u32 {
  return load<u32>(rec(objectOf(id)) + N_REF);
}
/** Sets where an object's bytes come from (e.g. after a copy-up: UPPER and the upper's ref). */
export function setSource(id: u32, layer: u32, ref: u32): void {
  const o = rec(objectOf(id));
  store<u32>(o + N_LAYER, layer);
  store<u32>(o + N_REF, ref);
}
export function childCount(id: u32): u32 {
  const r = rec(id);
  return load<u8>(r + N_KIND) == KIND_DIR ? load<u32>(dirRec(load<u32>(r + N_AUX)) + D_COUNT) : 0;
}
export function subdirCount(id: u32): u32 {
  const r = rec(id);
  return load<u8>(r + N_KIND) == KIND_DIR ? load<u32>(dirRec(load<u32>(r + N_AUX)) + D_SUBDIRS) : 0;
}
export function firstChild(id: u32): u32 {
  return firstChildOf(id);
}
export function nextSibling(id: u32): u32 {
  return load<u32>(rec(id) + N_NEXT);
}
export function nameOffset(id: u32): u32 {
  return load<u32>(rec(id) + N_NAME);
}
export function nameLength(id: u32): u32 {
  return <u32>load<u8>(rec(id) + N_NAMELEN);
}

let out: usize = 0;
let outCap: usize = 0;

/** The output buffer of pathOf/listChildren (valid until the next call that writes it). */
export function outBase(): usize {
  return out;
}

function ensureOut(n: usize): void {
  if (n <= outCap) return;
  outCap = grownCapacity(outCap, n);
  if (out != 0) heap.free(out);
  out = heap.alloc(outCap);
}

/** Writes the node's absolute path (UTF-8) at outBase(); returns its length, 0 if it has none. */
export function pathOf(id: u32): u32 {
  if (id == ROOT) {
    ensureOut(1);
    store<u8>(out, 47);
    return 1;
  }
  let total: usize = 0;
  for (let n = id; n != ROOT; n = parentOf(n)) {
    if (n == NONE) return 0;
    total += nameLength(n) + 1;
  }
  ensureOut(total);
  const names = namesBase();
  let o = total;
  for (let n = id; n != ROOT; n = parentOf(n)) {
    const len = <usize>nameLength(n);
    o -= len;
    memory.copy(out + o, names + nameOffset(n), len);
    store<u8>(out + --o, 47);
  }
  return <u32>total;
}

/** Writes the ids of a directory's children, in order, at outBase(); returns how many. */
export function listChildren(id: u32): u32 {
  const n = childCount(id);
  ensureOut((<usize>n) << 2);
  let i: usize = 0;
  for (let c = firstChild(id); c != NONE; c = nextSibling(c)) store<u32>(out + (i++ << 2), c);
  return n;
}

/**
 * The tag of child `name` of `parent` (0 if absent or untagged): the engine's per-component
 * lookup in one call instead of two.
 */
export function lookupTag(parent: u32, p: usize, len: u32): u32 {
  const id = find(parent, p, len);
  return id == 0 ? 0 : tagOf(id);
}

/** The layer value of a name whose `ref` is the container holding its directory's names. */
export const CONTAINER_LINK: u32 = 0xfffffffe;

/**
 * The engine's path walk through its containers (a container per directory, names tagged with
 * the engine's objects), in one call: each component of `p[0..len)` is looked up in the current
 * container and its tag written at outBase(); a name whose layer is CONTAINER_LINK continues in
 * the container its ref names. Empty and '.' components are skipped. Stops before '..' (the
 * engine's chain of parents decides where it leads) and a component over 255 bytes, and after a
 * missing name (not written) or a name that is not a directory. Returns where the result is: a
 * count, then that many tags (one call, not a second one for outBase()).
 */
export function walkTags(start: u32, p: usize, len: u32): usize {
  let cur = start;
  let count: u32 = 0;
  let i: u32 = 0;
  // Room for every component up front: growing `out` does not keep what it held.
  ensureOut(((<usize>len >> 1) + 2) << 2);
  while (i < len) {
    if (load<u8>(p + i) == 47) {
      i++;
      continue;
    }
    const begin = i;
    while (i < len && load<u8>(p + i) != 47) i++;
    const n = i - begin;
    if (n == 1 && load<u8>(p + begin) == 46) continue;
    if (n == 2 && load<u16>(p + begin) == 0x2e2e) break;
    if (n > MAX_NAME) break;
    const child = find(cur, p + begin, n);
    if (child == 0) break;
    count++;
    store<u32>(out + ((<usize>count) << 2), tagOf(child));
    const r = rec(child);
    if (load<u32>(r + N_LAYER) != CONTAINER_LINK) break;
    cur = load<u32>(r + N_REF);
  }
  store<u32>(out, count);
  return out;
}

/** The high bit of a `walkNodes` result: the value is an untagged node's id, not a tag. */
export const UNTAGGED: u32 = 0x80000000;

/**
 * `walkTags` for an engine whose lower directories are bulk-built nodes: a directory node that
 * is not a container link is its own container (the walk goes on below it), and a name without
 * a tag is written as its node id with UNTAGGED set, so the engine can make its object then.
 */
export function walkNodes(start: u32, p: usize, len: u32): usize {
  let cur = start;
  let count: u32 = 0;
  let i: u32 = 0;
  ensureOut(((<usize>len >> 1) + 2) << 2);
  while (i < len) {
    if (load<u8>(p + i) == 47) {
      i++;
      continue;
    }
    const begin = i;
    while (i < len && load<u8>(p + i) != 47) i++;
    const n = i - begin;
    if (n == 1 && load<u8>(p + begin) == 46) continue;
    if (n == 2 && load<u16>(p + begin) == 0x2e2e) break;
    if (n > MAX_NAME) break;
    const child = find(cur, p + begin, n);
    if (child == 0) break;
    count++;
    const tag = tagOf(child);
    store<u32>(out + ((<usize>count) << 2), tag != 0 ? tag : child | UNTAGGED);
    const r = rec(child);
    if (load<u32>(r + N_LAYER) == CONTAINER_LINK) cur = load<u32>(r + N_REF);
    else if (load<u8>(r + N_KIND) == KIND_DIR) cur = child;
    else break;
  }
  store<u32>(out, count);
  return out;
}
