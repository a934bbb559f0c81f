// The engine's directories (packages/core's EntryTable): each is a container, a directory node of
// the index whose children are its names. A bulk-built lower directory is its own container. An
// upper copy of a lower directory is a container that merges it (FLAG_BELOW, the lower directory
// as its ref): it holds only what changed — names added or replaced, and a whiteout node for each
// lower name removed — and every lookup that misses it falls through to the lower directory, so
// copying a directory up costs the same for 3 names or 100,000 (the kernel's overlayfs keeps a
// merged directory's names in its layers the same way). A name of a container stands for an
// engine object by its tag; a directory's name links to that directory's container (layer
// CONTAINER_LINK, the container as ref).
import { hashName } from './hash';
import {
  FLAG_BELOW,
  KIND_DIR,
  KIND_FILE,
  KIND_WHITEOUT,
  N_FLAGS,
  N_KIND,
  N_NAME,
  N_NAMELEN,
  N_NEXT,
  N_REF,
  NO_REF,
  NONE,
  UPPER,
} from './layout';
import {
  find,
  firstChildOf,
  insertNew,
  isLive,
  MAX_NAME,
  objectOf,
  ownLayer,
  ownRef,
  reserve,
} from './namespace';
import { rec, recSafe } from './nodes';
import { ensureOut } from './out';
import { copyTarget } from './symlinks';
import { setTag, tagOf } from './tags';

/** The layer value of a name whose `ref` is the container holding its directory's names. */
export const CONTAINER_LINK: u32 = 0xfffffffe;

/** The layer value of a container name standing for a lower non-directory not made yet. */
export const LOWER_LINK: u32 = 0xfffffffd;

/** The high bit of a `walkNodes` result: the value is an untagged node's id, not a tag. */
export const UNTAGGED: u32 = 0x80000000;

/**
 * The lower directory a container merges (0: none). Any id may come here (a walk's start, a
 * lookup's parent from outside): a made-up one reads a zeroed record, a freed one is no directory.
 */
function belowOf(container: u32): u32 {
  const r = recSafe(container);
  if ((load<u8>(r + N_FLAGS) & FLAG_BELOW) == 0 || load<u8>(r + N_KIND) != KIND_DIR) return 0;
  return load<u32>(r + N_REF);
}

/**
 * Child `name` of container `dir` as the engine sees it: found in the container unless there is a
 * whiteout there, else in the lower directory it merges. 0 when absent.
 */
export function findMerged(dir: u32, p: usize, len: u32): u32 {
  const id = find(dir, p, len);
  if (id != 0) return load<u8>(rec(id) + N_KIND) == KIND_WHITEOUT ? 0 : id;
  const below = belowOf(dir);
  return below == 0 ? 0 : find(below, p, len);
}

/**
 * Makes container `dir` (a live, empty directory) merge lower directory `below` (0: none again).
 * Returns false when either is not a live directory or `dir` has names.
 */
export function setBelow(dir: u32, below: u32): bool {
  if (!isLive(dir) || load<u8>(rec(dir) + N_KIND) != KIND_DIR) return false;
  const r = rec(dir);
  if (below == 0) {
    store<u8>(r + N_FLAGS, load<u8>(r + N_FLAGS) & ~FLAG_BELOW);
    return true;
  }
  if (!isLive(below) || load<u8>(rec(below) + N_KIND) != KIND_DIR || firstChildOf(dir) != NONE) return false;
  merge(dir, below);
  return true;
}

function merge(dir: u32, below: u32): void {
  if (below == 0) return;
  // A plain directory node (a container is never a zip record): its ref is its own field.
  const r = rec(dir);
  store<u32>(r + N_REF, below);
  store<u8>(r + N_FLAGS, load<u8>(r + N_FLAGS) | FLAG_BELOW);
}

/** The lower directory container `dir` merges, 0 for none. */
export function belowDir(dir: u32): u32 {
  return isLive(dir) && load<u8>(rec(dir) + N_KIND) == KIND_DIR ? belowOf(dir) : 0;
}

/**
 * Child `name` of `parent` as the engine's per-component lookup wants it, in one call: its tag,
 * or its id with UNTAGGED set when it has none (a bulk-built lower name whose object is not made
 * yet), or 0 when absent — the encoding of a `walkNodes` result.
 */
export function lookupNode(parent: u32, p: usize, len: u32): u32 {
  const id = findMerged(parent, p, len);
  if (id == 0) return 0;
  const tag = tagOf(id);
  return tag != 0 ? tag : id | UNTAGGED;
}

/** listMerged's work area: a small hash of lower ids → their replacement, and the added names. */
let work: usize = 0;
let workCap: usize = 0;

function workFor(bytes: usize): usize {
  if (bytes > workCap) {
    if (work != 0) heap.free(work);
    workCap = bytes;
    work = heap.alloc(bytes);
  }
  return work;
}

/**
 * The names of container `dir` in a stable order, as node ids at the returned address (a count,
 * then the ids): the lower directory's names first, in its order, each replaced by the
 * container's name of the same spelling if there is one and left out under a whiteout; then the
 * container's own other names in the order they came. The container's k names are looked up in
 * the lower directory once (k probes), then its n names are listed against a table of k slots
 * that stays in cache: a probe of the container per lower name cost a cache miss each.
 */
export function listMerged(dir: u32): usize {
  const below = belowDir(dir);
  const own = isLive(dir) && load<u8>(rec(dir) + N_KIND) == KIND_DIR ? firstChildOf(dir) : NONE;
  let k: u32 = 0;
  for (let c = own; c != NONE; c = load<u32>(rec(c) + N_NEXT)) k++;
  let n: u32 = 0;
  if (below != 0) for (let c = firstChildOf(below); c != NONE; c = load<u32>(rec(c) + N_NEXT)) n++;
  const out = ensureOut((<usize>n + <usize>k + 1) << 2);
  // Slots: (lower id, its replacement or 0 for hidden), a power of two at most half full.
  let slots: u32 = 8;
  while (slots < k << 1) slots <<= 1;
  const mask = slots - 1;
  const table = workFor(((<usize>slots) << 3) + ((<usize>k) << 2));
  memory.fill(table, 0, (<usize>slots) << 3);
  const adds = table + ((<usize>slots) << 3);
  let added: u32 = 0;
  for (let c = own; c != NONE; c = load<u32>(rec(c) + N_NEXT)) {
    const r = rec(c);
    const lower = below == 0 ? 0 : find(below, <usize>load<u32>(r + N_NAME), <u32>load<u8>(r + N_NAMELEN));
    const hidden = load<u8>(r + N_KIND) == KIND_WHITEOUT;
    if (lower == 0) {
      if (!hidden) {
        store<u32>(adds + ((<usize>added) << 2), c);
        added++;
      }
      continue;
    }
    let i = (lower * 0x9e3779b1) & mask;
    while (load<u32>(table + ((<usize>i) << 3)) != 0) i = (i + 1) & mask;
    store<u32>(table + ((<usize>i) << 3), lower);
    store<u32>(table + ((<usize>i) << 3) + 4, hidden ? 0 : c);
  }
  let m: u32 = 0;
  if (below != 0) {
    for (let c = firstChildOf(below); c != NONE; c = load<u32>(rec(c) + N_NEXT)) {
      let shown = c;
      if (k != 0) {
        let i = (c * 0x9e3779b1) & mask;
        while (true) {
          const key = load<u32>(table + ((<usize>i) << 3));
          if (key == 0) break;
          if (key == c) {
            shown = load<u32>(table + ((<usize>i) << 3) + 4);
            break;
          }
          i = (i + 1) & mask;
        }
      }
      if (shown != 0) store<u32>(out + ((<usize>++m) << 2), shown);
    }
  }
  for (let j: u32 = 0; j < added; j++)
    store<u32>(out + ((<usize>++m) << 2), load<u32>(adds + ((<usize>j) << 2)));
  store<u32>(out, m);
  return out;
}

let scratch: usize = 0;

/**
 * Copies container `src`'s own names, in order, into the empty container `dst`, as the engine's
 * `EntryTable.set` would add them one by one — a tagged name keeps its tag (a directory's object
 * as a CONTAINER_LINK to its container, any other object as UPPER), an untagged one becomes a link
 * to its lower node (CONTAINER_LINK for a directory, LOWER_LINK otherwise), a whiteout stays one —
 * and the lower directory it merges. Per name that was a JS string decoded, encoded again and six
 * calls. Returns where the copied tags are (a count, then the tags: the engine counts each
 * reference once more), or 0 when `dst` is not an empty live directory or `src` not a live
 * directory.
 */
export function copyChildren(dst: u32, src: u32): usize {
  if (!isLive(dst) || load<u8>(rec(dst) + N_KIND) != KIND_DIR) return 0;
  if (!isLive(src) || load<u8>(rec(src) + N_KIND) != KIND_DIR || firstChildOf(dst) != NONE) return 0;
  let count: u32 = 0;
  for (let c = firstChildOf(src); c != NONE; c = load<u32>(rec(c) + N_NEXT)) count++;
  reserve(count);
  const out = ensureOut((<usize>count + 1) << 2);
  // insertNew may compact the names arena, which would move the source name: copy it out first.
  if (scratch == 0) scratch = heap.alloc(MAX_NAME);
  let tagged: u32 = 0;
  for (let c = firstChildOf(src); c != NONE; c = load<u32>(rec(c) + N_NEXT)) {
    const r = rec(c);
    const len = <u32>load<u8>(r + N_NAMELEN);
    memory.copy(scratch, <usize>load<u32>(r + N_NAME), len);
    const tag = tagOf(c);
    let kind = KIND_FILE;
    let layer: u32;
    let ref: u32;
    if (load<u8>(r + N_KIND) == KIND_WHITEOUT) {
      kind = KIND_WHITEOUT;
      layer = UPPER;
      ref = NO_REF;
    } else if (tag != 0) {
      if (ownLayer(c) == CONTAINER_LINK) {
        layer = CONTAINER_LINK;
        ref = ownRef(c);
      } else if (load<u8>(r + N_KIND) == KIND_DIR) {
        layer = CONTAINER_LINK;
        ref = c;
      } else {
        layer = UPPER;
        ref = NO_REF;
      }
      store<u32>(out + ((<usize>++tagged) << 2), tag);
    } else {
      const own = ownLayer(objectOf(c));
      const target = own == LOWER_LINK || own == CONTAINER_LINK ? ownRef(objectOf(c)) : c;
      layer = load<u8>(rec(target) + N_KIND) == KIND_DIR ? CONTAINER_LINK : LOWER_LINK;
      ref = target;
    }
    const id = insertNew(dst, scratch, len, hashName(dst, scratch, len), kind, 0, layer, ref);
    if (tag != 0) {
      setTag(id, tag);
      // The same object under the same tag: a symlink keeps the target the engine gave its name.
      copyTarget(c, id);
    }
  }
  merge(dst, belowOf(src));
  store<u32>(out, tagged);
  return out;
}

/**
 * The engine's path walk, in one call. Each component of `p[0..len)` is looked up in the current
 * container (and the lower directory it merges) and written at the returned address: its tag,
 * or, for a node without one, its id with UNTAGGED set (the engine makes its object then). A
 * directory's name leads to its container (CONTAINER_LINK) or is one (a bulk-built directory).
 * Empty and '.' components are skipped. Stops before '..' (the engine's chain of parents decides
 * where it leads) and a component over 255 bytes, and after a missing name (not written) or a
 * name that is not a directory. Returns where the result is: a count, then that many values (one
 * call, not a second one for outBase()).
 */
export function walkNodes(start: u32, p: usize, len: u32): usize {
  let cur = start;
  let count: u32 = 0;
  let i: u32 = 0;
  const out = ensureOut(((<usize>len >> 1) + 2) << 2);
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
    const child = findMerged(cur, p + begin, n);
    if (child == 0) break;
    count++;
    const tag = tagOf(child);
    store<u32>(out + ((<usize>count) << 2), tag != 0 ? tag : child | UNTAGGED);
    // Layer and ref through the accessors: a zip node has no fields for them (nodes.ts).
    if (ownLayer(child) == CONTAINER_LINK) cur = ownRef(child);
    else if (load<u8>(rec(child) + N_KIND) == KIND_DIR) cur = child;
    else break;
  }
  store<u32>(out, count);
  return out;
}
