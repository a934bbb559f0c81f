// The merged namespace: named nodes in a tree, found by (parent, name) in one hash probe,
// children kept in insertion order on a doubly linked sibling list (stable, no rebuild).
import { dirRec, dirsInit, freeDir, newDir } from './dirs';
import { hashName, tableFind, tableInit, tableInsert, tableRemove, tableReserve } from './hash';
import {
  AUX_LINK,
  D_COUNT,
  D_FIRST,
  D_LAST,
  D_SUBDIRS,
  E_EXIST,
  E_INVAL,
  E_NOENT,
  E_NOTDIR,
  E_NOTEMPTY,
  FLAG_DETACHED,
  FLAG_LINKED,
  KIND_DIR,
  KIND_FREE,
  KIND_WHITEOUT,
  N_AUX,
  N_FLAGS,
  N_KIND,
  N_LAYER,
  N_NAME,
  N_NAMELEN,
  N_NEXT,
  N_PARENT,
  N_PREV,
  N_REF,
  NO_REF,
  NONE,
  ROOT,
  UPPER,
} from './layout';
import { dropName, inArena, namesInit, storeName } from './names';
import {
  freeNode,
  idExists,
  isZip,
  liveNodes,
  newNode,
  nodesInit,
  rec,
  regionOfId,
  reserveNodes,
} from './nodes';
import { NO_LEAF, O_AUX, O_LAYER, O_LEAF, O_LEAFLEN, O_PREFIX, O_REF, ovrFind, ovrGet } from './ovr';
import { R_FIRST, R_LAYER, regionAt, revGet } from './regions';
import { dropTarget } from './symlinks';
import { reclaimRegions } from './zip';

export const MAX_NAME: u32 = 255;

/** Bumped by every removal: the zip build's cache of directory nodes is valid while it stands. */
export let removals: u32 = 0;

// A zip node (nodes.ts) has no layer, ref or aux field: its layer is its region's, its ref its
// entry index, its aux 1 (one link), unless the override map (ovr.ts) says otherwise.

function zipOvr(id: u32): usize {
  const g = regionAt(regionOfId(id));
  return ovrGet(id, load<u32>(g + R_LAYER), id - load<u32>(g + R_FIRST), 1);
}

export function auxOf(id: u32): u32 {
  if (!isZip(id)) return load<u32>(rec(id) + N_AUX);
  const o = ovrFind(id);
  return o == 0 ? 1 : load<u32>(o + O_AUX);
}

export function setAux(id: u32, aux: u32): void {
  if (!isZip(id)) store<u32>(rec(id) + N_AUX, aux);
  else store<u32>(zipOvr(id) + O_AUX, aux);
}

/** The layer of this name's own record (an extra hard-link name has UPPER). */
export function ownLayer(id: u32): u32 {
  if (!isZip(id)) return load<u32>(rec(id) + N_LAYER);
  const o = ovrFind(id);
  return o != 0 ? load<u32>(o + O_LAYER) : load<u32>(regionAt(regionOfId(id)) + R_LAYER);
}

export function ownRef(id: u32): u32 {
  if (!isZip(id)) return load<u32>(rec(id) + N_REF);
  const o = ovrFind(id);
  return o != 0 ? load<u32>(o + O_REF) : id - load<u32>(regionAt(regionOfId(id)) + R_FIRST);
}

export function setOwnSource(id: u32, layer: u32, ref: u32): void {
  if (!isZip(id)) {
    const r = rec(id);
    store<u32>(r + N_LAYER, layer);
    store<u32>(r + N_REF, ref);
    return;
  }
  // Setting what the region implies needs no override entry.
  const g = regionAt(regionOfId(id));
  if (ovrFind(id) == 0 && layer == load<u32>(g + R_LAYER) && ref == id - load<u32>(g + R_FIRST)) return;
  const o = zipOvr(id);
  store<u32>(o + O_LAYER, layer);
  store<u32>(o + O_REF, ref);
}

/**
 * The number of the directory prefix of zip record `id`'s entry (regions.ts): in its parent field
 * while it is not a node, in the override map once its node moved or was detached, else the
 * prefix of the directory node the build put it in (0xffffffff once its directory closed).
 */
export function entryPrefix(id: u32): u32 {
  const r = rec(id);
  if (load<u8>(r + N_KIND) == KIND_FREE) return load<u32>(r + N_PARENT);
  const o = ovrFind(id);
  if (o != 0 && load<u32>(o + O_LEAFLEN) != NO_LEAF) return load<u32>(o + O_PREFIX);
  return revGet(regionAt(regionOfId(id)), load<u32>(r + N_PARENT));
}

/** A zip node is about to take another name or place: its entry keeps the ones it had. */
function keepEntryName(id: u32): void {
  if (!isZip(id)) return;
  const prefix = entryPrefix(id);
  const o = zipOvr(id);
  if (load<u32>(o + O_LEAFLEN) != NO_LEAF) return;
  const r = rec(id);
  store<u32>(o + O_LEAF, load<u32>(r + N_NAME));
  store<u32>(o + O_LEAFLEN, <u32>load<u8>(r + N_NAMELEN));
  store<u32>(o + O_PREFIX, prefix);
}

/** Sets up an empty namespace holding only the root directory. */
export function namespaceInit(nodeCapacity: u32, nameBytes: u32): void {
  nodesInit(nodeCapacity);
  tableInit(nodeCapacity);
  namesInit(nameBytes);
  dirsInit(nodeCapacity >> 4);
  removals = 0;
  const r = rec(ROOT);
  store<u8>(r + N_KIND, KIND_DIR);
  store<u32>(r + N_PARENT, ROOT);
  store<u32>(r + N_LAYER, UPPER);
  store<u32>(r + N_REF, NO_REF);
  store<u32>(r + N_AUX, newDir());
}

/** Room for `extra` more nodes, grown once (a bulk build of a known size). */
export function reserve(extra: u32): void {
  reserveNodes(extra);
  tableReserve(liveNodes() + extra);
}

export function kindOf(id: u32): u8 {
  return load<u8>(rec(id) + N_KIND);
}

/** The dir record of a directory (0 for other kinds). */
export function dirOf(id: u32): u32 {
  return load<u8>(rec(id) + N_KIND) == KIND_DIR ? auxOf(id) : 0;
}

/** The first child of a directory (NONE for an empty one or another kind). */
export function firstChildOf(id: u32): u32 {
  const d = dirOf(id);
  return d == 0 ? NONE : load<u32>(dirRec(d) + D_FIRST);
}

/** The node holding layer, ref and nlink: the node itself unless it is an extra hard-link name. */
export function objectOf(id: u32): u32 {
  if (load<u8>(rec(id) + N_KIND) == KIND_DIR) return id;
  const aux = auxOf(id);
  return (aux & AUX_LINK) != 0 ? aux & ~AUX_LINK : id;
}

export function nlinkOf(id: u32): u32 {
  const o = objectOf(id);
  return kindOf(o) == KIND_DIR ? 1 : auxOf(o);
}

export function isLive(id: u32): bool {
  return idExists(id) && kindOf(id) != KIND_FREE && (load<u8>(rec(id) + N_FLAGS) & FLAG_DETACHED) == 0;
}

/** A name must be 1–255 bytes, hold no '/' or NUL, and not be '.' or '..'. */
export function validName(p: usize, len: u32): bool {
  if (len == 0 || len > MAX_NAME) return false;
  if (len == 1 && load<u8>(p) == 46) return false;
  if (len == 2 && load<u16>(p) == 0x2e2e) return false;
  for (let i: u32 = 0; i < len; i++) {
    const c = load<u8>(p + i);
    if (c == 47 || c == 0) return false;
  }
  return true;
}

export function find(parent: u32, p: usize, len: u32): u32 {
  return tableFind(parent, p, len, hashName(parent, p, len));
}

export function appendChild(parent: u32, id: u32): void {
  const d = dirRec(auxOf(parent));
  const last = load<u32>(d + D_LAST);
  const r = rec(id);
  store<u32>(r + N_PREV, last);
  store<u32>(r + N_NEXT, NONE);
  if (last != NONE) store<u32>(rec(last) + N_NEXT, id);
  else store<u32>(d + D_FIRST, id);
  store<u32>(d + D_LAST, id);
  store<u32>(d + D_COUNT, load<u32>(d + D_COUNT) + 1);
  if (load<u8>(r + N_KIND) == KIND_DIR) store<u32>(d + D_SUBDIRS, load<u32>(d + D_SUBDIRS) + 1);
}

function unlinkChild(id: u32): void {
  const r = rec(id);
  const d = dirRec(auxOf(load<u32>(r + N_PARENT)));
  const prev = load<u32>(r + N_PREV);
  const next = load<u32>(r + N_NEXT);
  if (prev != NONE) store<u32>(rec(prev) + N_NEXT, next);
  else store<u32>(d + D_FIRST, next);
  if (next != NONE) store<u32>(rec(next) + N_PREV, prev);
  else store<u32>(d + D_LAST, prev);
  store<u32>(d + D_COUNT, load<u32>(d + D_COUNT) - 1);
  if (load<u8>(r + N_KIND) == KIND_DIR) store<u32>(d + D_SUBDIRS, load<u32>(d + D_SUBDIRS) - 1);
}

/**
 * Adds a child, its name copied into the names arena (`p` must not point into the arena, which
 * may compact while the name is stored). Returns the new id, or a negative error: -E_NOTDIR
 * (parent is not a directory), -E_INVAL (bad name), -E_EXIST.
 */
export function insert(parent: u32, p: usize, len: u32, kind: u8, flags: u8, layer: u32, ref: u32): i32 {
  if (!isLive(parent)) return -E_NOENT;
  if (kindOf(parent) != KIND_DIR) return -E_NOTDIR;
  if (kind == KIND_FREE || kind > KIND_WHITEOUT) return -E_INVAL;
  if (!validName(p, len)) return -E_INVAL;
  const h = hashName(parent, p, len);
  if (tableFind(parent, p, len, h) != NONE) return -E_EXIST;
  return <i32>insertNew(parent, p, len, h, kind, flags, layer, ref);
}

/**
 * Adds a child the caller has checked: `parent` a live directory, the name valid and absent
 * (`h` = its hashName under `parent`). The bulk build uses it to hash each name once.
 */
export function insertNew(
  parent: u32,
  p: usize,
  len: u32,
  h: u32,
  kind: u8,
  flags: u8,
  layer: u32,
  ref: u32,
): u32 {
  const off = storeName(p, len);
  const aux = kind == KIND_DIR ? newDir() : 1;
  const id = newNode();
  const r = rec(id);
  store<u32>(r + N_PARENT, parent);
  store<u32>(r + N_NAME, off);
  store<u8>(r + N_NAMELEN, <u8>len);
  store<u8>(r + N_KIND, kind);
  store<u8>(r + N_FLAGS, flags);
  store<u32>(r + N_LAYER, layer);
  store<u32>(r + N_REF, ref);
  store<u32>(r + N_AUX, aux);
  appendChild(parent, id);
  tableInsert(id, h);
  return id;
}

/** Another name for the object of `target` (a non-directory). Returns the new id or -error. */
export function link(parent: u32, p: usize, len: u32, target: u32): i32 {
  if (!isLive(target)) return -E_NOENT;
  const kind = kindOf(target);
  if (kind == KIND_DIR || kind == KIND_WHITEOUT || kind == KIND_FREE) return -E_INVAL;
  const obj = objectOf(target);
  const id = insert(parent, p, len, kind, 0, UPPER, NO_REF);
  if (id < 0) return id;
  store<u32>(rec(<u32>id) + N_AUX, AUX_LINK | obj);
  setAux(obj, auxOf(obj) + 1);
  return id;
}

/** Drops one name; the object record survives (detached) while other hard links remain. */
function dropNode(id: u32): void {
  const zip = isZip(id);
  // A zip record keeps its entry's prefix (its directory reads the entry's path).
  const prefix = zip ? entryPrefix(id) : 0;
  tableRemove(id);
  unlinkChild(id);
  const r = rec(id);
  if (inArena(id, r)) dropName(<u32>load<u8>(r + N_NAMELEN));
  if (load<u8>(r + N_KIND) == KIND_DIR) {
    freeDir(auxOf(id));
    freeNode(id);
    if (zip) store<u32>(r + N_PARENT, prefix);
    return;
  }
  const obj = objectOf(id);
  const nlink = auxOf(obj) - 1;
  if (nlink != 0 || !isZip(obj)) setAux(obj, nlink);
  if (obj == id) {
    if (nlink > 0) {
      if (zip) keepEntryName(id);
      store<u8>(rec(id) + N_FLAGS, load<u8>(rec(id) + N_FLAGS) | FLAG_DETACHED);
      store<u32>(rec(id) + N_PARENT, NONE);
      if (!zip) store<u8>(rec(id) + N_NAMELEN, 0);
      return;
    }
  } else if (nlink == 0) {
    freeObject(obj);
  }
  freeNode(id);
  if (zip) store<u32>(rec(id) + N_PARENT, prefix);
}

/** Frees a detached object whose last name went. */
function freeObject(obj: u32): void {
  if (!isZip(obj)) {
    freeNode(obj);
    return;
  }
  // Its entry's prefix was kept when it was detached.
  const o = ovrFind(obj);
  const prefix = o != 0 && load<u32>(o + O_LEAFLEN) != NO_LEAF ? load<u32>(o + O_PREFIX) : 0xffffffff;
  freeNode(obj);
  store<u32>(rec(obj) + N_PARENT, prefix);
}

/** Removes a node and everything below it, deepest first, in one pass. */
export function removeTree(top: u32): void {
  removals++;
  let n = top;
  while (true) {
    while (firstChildOf(n) != NONE) n = firstChildOf(n);
    const parent = load<u32>(rec(n) + N_PARENT);
    const done = n == top;
    dropNode(n);
    if (done) return;
    n = parent;
  }
}

/** Removes a name; a directory must be empty unless `recursive`. */
export function remove(id: u32, recursive: bool): i32 {
  if (!isLive(id)) return -E_NOENT;
  if (id == ROOT) return -E_INVAL;
  if (!recursive && firstChildOf(id) != NONE) return -E_NOTEMPTY;
  removeTree(id);
  // The last node of a closed zip directory may just have gone (an overlay closing).
  reclaimRegions();
  return 0;
}

/**
 * Moves a node to a new parent and/or name. Only the moved node is touched: its subtree hangs
 * off its id, which does not change. The target name must be free (the engine removes or
 * whiteouts it first); a directory cannot move into itself.
 */
export function move(id: u32, parent: u32, p: usize, len: u32): i32 {
  if (!isLive(id) || !isLive(parent)) return -E_NOENT;
  if (id == ROOT) return -E_INVAL;
  if (kindOf(parent) != KIND_DIR) return -E_NOTDIR;
  if (!validName(p, len)) return -E_INVAL;
  for (let up = parent; up != ROOT; up = load<u32>(rec(up) + N_PARENT)) if (up == id) return -E_INVAL;
  const h = hashName(parent, p, len);
  const existing = tableFind(parent, p, len, h);
  if (existing == id) return 0;
  if (existing != NONE) return -E_EXIST;
  tableRemove(id);
  unlinkChild(id);
  if (inArena(id, rec(id))) dropName(<u32>load<u8>(rec(id) + N_NAMELEN));
  keepEntryName(id);
  const off = storeName(p, len);
  const r = rec(id);
  store<u32>(r + N_PARENT, parent);
  store<u32>(r + N_NAME, off);
  store<u8>(r + N_NAMELEN, <u8>len);
  appendChild(parent, id);
  tableInsert(id, h);
  return 0;
}

/** Changes a node's kind in place (e.g. a whiteout replaced by a directory keeps its id). */
export function setKind(id: u32, kind: u8): i32 {
  if (!isLive(id)) return -E_NOENT;
  if (kind == KIND_FREE || kind > KIND_WHITEOUT) return -E_INVAL;
  const r = rec(id);
  const old = load<u8>(r + N_KIND);
  if (old == KIND_DIR && firstChildOf(id) != NONE) return -E_NOTEMPTY;
  if (objectOf(id) != id || nlinkOf(id) != 1) return -E_INVAL;
  if (id == ROOT) return -E_INVAL;
  if (old == kind) return 0;
  dropTarget(id);
  const pd = dirRec(auxOf(load<u32>(r + N_PARENT)));
  if (old == KIND_DIR) {
    store<u32>(pd + D_SUBDIRS, load<u32>(pd + D_SUBDIRS) - 1);
    freeDir(auxOf(id));
    setAux(id, 1);
  }
  if (kind == KIND_DIR) {
    store<u32>(pd + D_SUBDIRS, load<u32>(pd + D_SUBDIRS) + 1);
    const d = newDir();
    setAux(id, d);
  }
  store<u8>(rec(id) + N_KIND, kind);
  // FLAG_LINKED (files) and FLAG_MERGED (directories) share a bit: neither holds for the new kind.
  store<u8>(rec(id) + N_FLAGS, load<u8>(rec(id) + N_FLAGS) & ~FLAG_LINKED);
  return 0;
}
