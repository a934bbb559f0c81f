// What the engine must look at when a directory leaves the tree (packages/core's remove.ts) or
// goes back to its lowers (revert.ts), found in one call. Most names below a lower directory are
// pristine: no engine object was made for them (untagged), and removing them changes nothing but
// the name above them. Only these need the engine: names with an object (tagged), names whose
// object may be shared with a name elsewhere (hard links: the object may exist, or be changed,
// through another name), and files their layer lists with a link count above 1 (FLAG_LINKED:
// removing a name of one leaves a record with the count that is left). The index link count is
// not enough for the last: a higher layer that whites out or replaces one name of a hard-linked
// pair leaves the other one alone in the index (count 1) while its layer entry still says 2.
import { belowDir, CONTAINER_LINK, LOWER_LINK, UNTAGGED } from './containers';
import {
  AUX_LINK,
  FLAG_LINKED,
  KIND_DIR,
  KIND_FREE,
  KIND_WHITEOUT,
  N_FLAGS,
  N_KIND,
  N_NAME,
  N_NAMELEN,
  N_NEXT,
  NONE,
} from './layout';
import { auxOf, find, firstChildOf, isLive, ownLayer, ownRef } from './namespace';
import { idExists, liveNodes, rec } from './nodes';
import { ordinalOf } from './ordinals';
import { growOut } from './out';
import { tagOf } from './tags';

// A frame per directory being listed: its container, the lower directory it merges (0: none),
// the next name to look at, which list that is (below first, then the container's own), the
// value to report once its names are done (its tag, 0: none), and the container's name count.
const F_DIR: usize = 0;
const F_BELOW: usize = 4;
const F_NEXT: usize = 8;
const F_OWN: usize = 12;
const F_EMIT: usize = 16;
const F_COUNT: usize = 20;
const F_SIZE: usize = 24;

let frames: usize = 0;
let framesCap: u32 = 0;
let depth: u32 = 0;
let found: u32 = 0;

/** A live directory node, safe to list (ids may come from outside). */
function isDir(id: u32): bool {
  return isLive(id) && load<u8>(rec(id) + N_KIND) == KIND_DIR;
}

function emit(value: u32): void {
  const out = growOut((<usize>found + 2) << 2);
  store<u32>(out + ((<usize>++found) << 2), value);
}

/** Starts listing directory `dir` (a container or a lower directory); false past the depth bound. */
function push(dir: u32, tag: u32): bool {
  // A tree is never deeper than the index has nodes: deeper means container links in a cycle.
  if (depth > liveNodes()) return false;
  if (depth == framesCap) {
    framesCap = framesCap == 0 ? 16 : framesCap << 1;
    const bytes = <usize>framesCap * F_SIZE;
    frames = frames == 0 ? heap.alloc(bytes) : heap.realloc(frames, bytes);
  }
  const f = frames + <usize>depth * F_SIZE;
  depth++;
  const below = belowDir(dir);
  let count: u32 = 0;
  for (let c = firstChildOf(dir); c != NONE && below != 0; c = load<u32>(rec(c) + N_NEXT)) count++;
  store<u32>(f + F_DIR, dir);
  store<u32>(f + F_BELOW, below);
  store<u32>(f + F_NEXT, below != 0 ? firstChildOf(below) : firstChildOf(dir));
  store<u32>(f + F_OWN, below != 0 ? 0 : 1);
  store<u32>(f + F_EMIT, tag);
  store<u32>(f + F_COUNT, count);
  return true;
}

/** The name of `id` looked up in directory `dir` (0: absent). */
function sameName(dir: u32, id: u32): u32 {
  const r = rec(id);
  const p = <usize>load<u32>(r + N_NAME);
  const len = <u32>load<u8>(r + N_NAMELEN);
  return find(dir, p, len);
}

/**
 * The directory whose names a directory name leads to (a container link's container, a lower
 * directory itself), 0 for a non-directory or a link to something that is not a live directory.
 */
function dirOfName(id: u32): u32 {
  if (ownLayer(id) == CONTAINER_LINK) {
    const target = ownRef(id);
    return isDir(target) ? target : 0;
  }
  return load<u8>(rec(id) + N_KIND) == KIND_DIR ? id : 0;
}

function isDirName(id: u32): bool {
  return ownLayer(id) == CONTAINER_LINK || load<u8>(rec(id) + N_KIND) == KIND_DIR;
}

/**
 * Whether an untagged non-directory may need the engine: its object may exist (or change)
 * through another name, or its layer gives it more than one link.
 */
function mayNeedVisit(id: u32): bool {
  let t = id;
  if (ownLayer(id) == LOWER_LINK) {
    t = ownRef(id);
    // A link the engine did not make: say yes, the engine decides.
    if (!idExists(t) || load<u8>(rec(t) + N_KIND) == KIND_FREE) return true;
    if (tagOf(t) != 0) return true;
  }
  if (load<u8>(rec(t) + N_KIND) == KIND_DIR) return false;
  const aux = auxOf(t);
  if ((aux & AUX_LINK) != 0) return true; // another name of a hard-linked object
  if (aux > 1) return true; // the first name of one that has others
  return (load<u8>(rec(t) + N_FLAGS) & FLAG_LINKED) != 0;
}

/** One name of a listed directory: reported, descended into, or passed over. */
function visit(id: u32, deep: bool): bool {
  const tag = tagOf(id);
  if (isDirName(id)) {
    const dir = deep ? dirOfName(id) : 0;
    if (dir != 0) return push(dir, tag);
    if (tag != 0) emit(tag);
    return true;
  }
  if (tag != 0) emit(tag);
  else if (mayNeedVisit(id)) emit(id | UNTAGGED);
  return true;
}

/**
 * The names below directory `dir` (a container, with the lower directory it merges, or a lower
 * directory) that the engine must look at when it removes or reverts them: each as its tag, or
 * as its id with UNTAGGED set when it has none (a hard-link name, or a file with a link count
 * above 1 in its layer). Names are taken in `listMerged` order (whiteouts and the lower names
 * they hide or that the container replaces left out). With `deep`, the directories below are
 * listed too, each after its names (post-order) and only if tagged; without it, only `dir`'s own
 * names, a directory only if tagged. Returns where the result is (a count, then the values),
 * or 0 when container links form a cycle. An id that is not a live directory lists nothing.
 */
export function listVisits(dir: u32, deep: bool): usize {
  found = 0;
  depth = 0;
  growOut(4);
  if (!isDir(dir)) return finish();
  push(dir, 0);
  while (depth > 0) {
    const f = frames + <usize>(depth - 1) * F_SIZE;
    const c = load<u32>(f + F_NEXT);
    if (c == NONE) {
      if (load<u32>(f + F_OWN) == 0) {
        store<u32>(f + F_OWN, 1);
        store<u32>(f + F_NEXT, firstChildOf(load<u32>(f + F_DIR)));
        continue;
      }
      depth--;
      const tag = load<u32>(f + F_EMIT);
      if (tag != 0) emit(tag);
      continue;
    }
    store<u32>(f + F_NEXT, load<u32>(rec(c) + N_NEXT));
    const own = load<u32>(f + F_DIR);
    const below = load<u32>(f + F_BELOW);
    let name = c;
    if (load<u32>(f + F_OWN) == 0) {
      // A lower name: replaced by the container's name of that spelling, or hidden by its whiteout.
      if (load<u32>(f + F_COUNT) != 0) {
        const mine = sameName(own, c);
        if (mine != 0) {
          if (load<u8>(rec(mine) + N_KIND) == KIND_WHITEOUT) continue;
          name = mine;
        }
      }
    } else {
      if (load<u8>(rec(c) + N_KIND) == KIND_WHITEOUT) continue;
      // Listed with the lower names it replaces.
      if (below != 0 && sameName(below, c) != 0) continue;
    }
    if (!visit(name, deep)) {
      depth = 0;
      return 0;
    }
  }
  return finish();
}

function finish(): usize {
  const out = growOut((<usize>found + 1) << 2);
  store<u32>(out, found);
  return out;
}

/**
 * The names of directory `dir` that may differ from the lowers, for a diff (packages/core's
 * changes.ts): every name of its container (added, replaced, whiteouts) and, from the lower
 * directory it merges, each name neither replaced nor hidden that is tagged (its object exists
 * and may have been copied up in place) or may need a visit as `listVisits` decides (hard links).
 * Every other merged name is a pristine lower entry that cannot differ. Each is a node id.
 * Returns where the result is (a count, then the ids). An id that is not a live directory lists
 * nothing.
 */
export function listTouched(dir: u32): usize {
  found = 0;
  growOut(4);
  if (!isDir(dir)) return finish();
  let own: u32 = 0;
  for (let c = firstChildOf(dir); c != NONE; c = load<u32>(rec(c) + N_NEXT)) {
    emit(c);
    own++;
  }
  const below = belowDir(dir);
  if (below == 0) return finish();
  for (let c = firstChildOf(below); c != NONE; c = load<u32>(rec(c) + N_NEXT)) {
    if (tagOf(c) == 0 && (isDirName(c) || !mayNeedVisit(c))) continue;
    // Listed above: the container's name of that spelling replaces or hides it.
    if (own != 0 && sameName(dir, c) != 0) continue;
    emit(c);
  }
  return finish();
}

/** Writes one `listTypes` row. */
function typeRow(name: u32, value: u32, kind: u32, layer: u32, ordinal: u32): void {
  const out = growOut(((<usize>found + 1) * 6 + 1) << 2);
  const r = rec(name);
  const at = out + 4 + <usize>found * 24;
  store<u32>(at, load<u32>(r + N_NAME));
  store<u32>(at + 4, <u32>load<u8>(r + N_NAMELEN));
  store<u32>(at + 8, value);
  store<u32>(at + 12, kind);
  store<u32>(at + 16, layer);
  store<u32>(at + 20, ordinal);
  found++;
}

/**
 * One visible name's row: its tag (kind 0); or, for an untagged name the engine must make the
 * object of (a hard link: the object is shared or detached, its source may have moved), its id
 * with UNTAGGED set (kind 0); or, for a pristine lower entry, the kind, layer and ordinal of the
 * node whose object it would be (a link's target; a directory, merged or not, is its own).
 */
function typeOf(id: u32): void {
  const tag = tagOf(id);
  if (tag != 0) {
    typeRow(id, tag, 0, 0, 0);
    return;
  }
  let t = id;
  const layer = ownLayer(id);
  if (layer == LOWER_LINK || layer == CONTAINER_LINK) {
    t = ownRef(id);
    // A link the engine did not make: the engine decides.
    if (!idExists(t) || load<u8>(rec(t) + N_KIND) == KIND_FREE) {
      typeRow(id, id | UNTAGGED, 0, 0, 0);
      return;
    }
    const linked = tagOf(t);
    if (linked != 0) {
      typeRow(id, linked, 0, 0, 0);
      return;
    }
  }
  const kind = <u32>load<u8>(rec(t) + N_KIND);
  if (kind != KIND_DIR && mayNeedVisit(id)) typeRow(id, id | UNTAGGED, 0, 0, 0);
  else typeRow(id, t | UNTAGGED, kind, ownLayer(t), ordinalOf(t));
}

/**
 * What `readdir` with file types needs of directory `dir` (a container, with the lower directory
 * it merges, or a lower directory), in one call and without an engine object per pristine lower
 * name: for each visible name, in `listMerged` order, six words: the address and byte length of
 * its name, then its tag with kind 0, or its id with UNTAGGED set and kind 0 when the engine
 * must make its object (hard links), or for a pristine lower entry the node id (UNTAGGED set),
 * kind, layer and ordinal that give its object's kind and inode number. Returns where the result
 * is (a count, then the rows). An id that is not a live directory lists nothing.
 */
export function listTypes(dir: u32): usize {
  found = 0;
  growOut(4);
  if (!isDir(dir)) return finishTypes();
  const below = belowDir(dir);
  let own: u32 = 0;
  for (let c = firstChildOf(dir); c != NONE && below != 0; c = load<u32>(rec(c) + N_NEXT)) own++;
  if (below != 0) {
    for (let c = firstChildOf(below); c != NONE; c = load<u32>(rec(c) + N_NEXT)) {
      let name = c;
      if (own != 0) {
        const mine = sameName(dir, c);
        if (mine != 0) {
          if (load<u8>(rec(mine) + N_KIND) == KIND_WHITEOUT) continue;
          name = mine;
        }
      }
      typeOf(name);
    }
  }
  for (let c = firstChildOf(dir); c != NONE; c = load<u32>(rec(c) + N_NEXT)) {
    if (load<u8>(rec(c) + N_KIND) == KIND_WHITEOUT) continue;
    // Listed with the lower names it replaces.
    if (below != 0 && sameName(below, c) != 0) continue;
    typeOf(c);
  }
  return finishTypes();
}

function finishTypes(): usize {
  const out = growOut((<usize>found * 6 + 1) << 2);
  store<u32>(out, found);
  return out;
}
