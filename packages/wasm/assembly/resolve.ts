// The engine's read-only path walk in one call, symlinks included: `walkNodes` stops at every
// symlink and '..', leaving the engine one call per stretch; `resolveNodes` follows a symlink
// whose target the engine has set (symlinks.ts) and applies '..' to the directories it came
// through, with the kernel's rules as the engine's JS walk has them (lookup.ts): symlinks followed
// in every component but the last, and in the last with `follow` or a path ending in '/'; a
// symlink followed as the last whose target ends in '/' or '/.' wants a directory, as that path
// does (and one ending in '.' an existing one: 'missing/.' is ENOENT, not a missing last name);
// ELOOP after 40; an empty target is ENOENT; an absolute target starts again at the overlay's
// root (`root`, a container: several overlays share one index), a relative one in the symlink's
// directory; '..' goes back to the directory walked through — not the index parent, which for a
// lower name is its lower directory — and never above `root`.
import { CONTAINER_LINK, findMerged, LOWER_LINK, UNTAGGED } from './containers';
import { KIND_DIR, N_KIND, N_NAME, N_NAMELEN } from './layout';
import { isLive, MAX_NAME, ownLayer, ownRef } from './namespace';
import { rec } from './nodes';
import { ensureOut } from './out';
import { targetAddr, targetEntry, targetLen } from './symlinks';
import { tagOf } from './tags';

/** The path leads to a node: the result's value is its tag (or id | UNTAGGED), 0 for `root`. */
export const RESOLVE_FOUND: u32 = 0;
/** Only the last component is missing. */
export const RESOLVE_MISSING_LAST: u32 = 1;
export const RESOLVE_ENOENT: u32 = 2;
export const RESOLVE_ENOTDIR: u32 = 3;
export const RESOLVE_ELOOP: u32 = 4;
export const RESOLVE_ENAMETOOLONG: u32 = 5;
/**
 * Stopped at a non-directory the index cannot tell from a symlink (no target set) where that
 * matters: a component before the last, or the last one to be followed. The engine looks at its
 * object: a symlink's target is set and the walk asked again; anything else is ENOTDIR before
 * the last component or where a directory is wanted (a trailing slash in the path or in a target
 * followed as the last), and the result otherwise: the result's `last` says which.
 */
export const RESOLVE_NONDIR: u32 = 6;

/** Follow a symlink in the last component. */
export const RESOLVE_FOLLOW: u32 = 1;
/** Write the canonical path (the names of the directories walked through and of the result). */
export const RESOLVE_PATH: u32 = 2;

const MAX_HOPS: u32 = 40;

// The directories walked through, from `root`: (container, the name that led there) per level.
let dirs: usize = 0;
let dirsCap: u32 = 0;
// The rest of each path a symlink interrupted: (address, position, end). A rest is kept only if
// it holds another component, and a hop pushes at most one, so 41 entries are enough.
let segs: usize = 0;
const SEG_MAX: u32 = MAX_HOPS + 1;

let depth: u32 = 0;

function pushDir(container: u32, name: u32): void {
  if (depth + 1 >= dirsCap) {
    const next = dirsCap == 0 ? <u32>64 : dirsCap << 1;
    dirs = dirs == 0 ? heap.alloc((<usize>next) << 3) : heap.realloc(dirs, (<usize>next) << 3);
    dirsCap = next;
  }
  depth++;
  store<u32>(dirs + ((<usize>depth) << 3), container);
  store<u32>(dirs + ((<usize>depth) << 3) + 4, name);
}

/** Whether `a[i..end)` holds another component ('..' counts; empty and '.' ones do not). */
function moreAfter(a: usize, i: u32, end: u32): bool {
  while (i < end) {
    if (load<u8>(a + i) == 47) {
      i++;
      continue;
    }
    if (load<u8>(a + i) != 46) return true;
    if (i + 1 < end && load<u8>(a + i + 1) != 47) return true;
    i++;
  }
  return false;
}

/** Whether `a[0..len)` ends in '/' or '/.': its last name must then be a directory. */
function endsInSlash(a: usize, len: u32): bool {
  if (len == 0) return false;
  const c = load<u8>(a + len - 1);
  return c == 47 || (c == 46 && len >= 2 && load<u8>(a + len - 2) == 47);
}

/** Whether the last component of `a[0..len)`, trailing slashes aside, is '.' ('a/.', 'a/./'). */
function endsInDot(a: usize, len: u32): bool {
  let n = len;
  while (n > 0 && load<u8>(a + n - 1) == 47) n--;
  return n > 0 && load<u8>(a + n - 1) == 46 && (n == 1 || load<u8>(a + n - 2) == 47);
}

/** The value the engine reads for a node: its tag, or its id with UNTAGGED set. */
function engineValue(id: u32): u32 {
  const tag = tagOf(id);
  return tag != 0 ? tag : id | UNTAGGED;
}

/**
 * The target entry (symlinks.ts) of a non-directory name, or 0: its own, else, for a container's
 * untagged link to a lower node, the lower node's.
 */
function targetOf(id: u32): usize {
  const e = targetEntry(id);
  if (e != 0 || tagOf(id) != 0 || ownLayer(id) != LOWER_LINK) return e;
  return targetEntry(ownRef(id));
}

/**
 * Writes the result: status, value, node id, last, then (with RESOLVE_PATH) the canonical path's
 * length and bytes: '/', then the names of the directories on the stack and of `leaf` (0: none).
 */
function finish(status: u32, value: u32, id: u32, last: bool, flags: u32, leaf: u32): usize {
  let n: usize = 0;
  const withPath = (flags & RESOLVE_PATH) != 0 && (status == RESOLVE_FOUND || status == RESOLVE_NONDIR);
  if (withPath) {
    for (let k: u32 = 1; k <= depth; k++)
      n += <usize>load<u8>(rec(load<u32>(dirs + ((<usize>k) << 3) + 4)) + N_NAMELEN) + 1;
    if (leaf != 0) n += <usize>load<u8>(rec(leaf) + N_NAMELEN) + 1;
    if (n == 0) n = 1;
  }
  const out = ensureOut(20 + n);
  store<u32>(out, status);
  store<u32>(out + 4, value);
  store<u32>(out + 8, id);
  store<u32>(out + 12, last ? 1 : 0);
  store<u32>(out + 16, <u32>n);
  if (withPath) {
    let o = out + 20;
    store<u8>(o, 47); // the root's path, when nothing follows
    for (let k: u32 = 1; k <= depth + (leaf != 0 ? 1 : 0); k++) {
      const name = k <= depth ? load<u32>(dirs + ((<usize>k) << 3) + 4) : leaf;
      const r = rec(name);
      const len = <usize>load<u8>(r + N_NAMELEN);
      store<u8>(o, 47);
      memory.copy(o + 1, <usize>load<u32>(r + N_NAME), len);
      o += len + 1;
    }
  }
  return out;
}

/**
 * Resolves `p[0..len)` from container `root` in one call (see the top of this file). Returns the
 * address of the result: status (RESOLVE_*), value (the node's tag, or its id | UNTAGGED; 0 for
 * `root` itself), node id (RESOLVE_NONDIR and RESOLVE_FOUND of a non-directory), whether that
 * node is the answer (the last component, and no directory wanted), and with RESOLVE_PATH the canonical path's length and its bytes
 * (status FOUND or NONDIR). A `root` that is not a live directory is RESOLVE_ENOENT.
 */
export function resolveNodes(root: u32, p: usize, len: u32, flags: u32): usize {
  depth = 0;
  if (!isLive(root) || load<u8>(rec(root) + N_KIND) != KIND_DIR)
    return finish(RESOLVE_ENOENT, 0, 0, false, 0, 0);
  if (dirs == 0) {
    dirsCap = 64;
    dirs = heap.alloc((<usize>dirsCap) << 3);
    segs = heap.alloc(<usize>SEG_MAX * 12);
  }
  store<u32>(dirs, root);
  store<u32>(dirs + 4, 0);
  const follow = (flags & RESOLVE_FOLLOW) != 0;
  // A path ending in '/' or '/.' wants a directory: its last symlink is followed. So does one
  // whose last symlink's target ends so (the kernel's LOOKUP_DIRECTORY, kept down a chain).
  let slash = endsInSlash(p, len);
  // ... and exist, when the last component is '.': the name before it is not the last one.
  let dot = slash && endsInDot(p, len);
  let a = p;
  let i: u32 = 0;
  let end = len;
  let saved: u32 = 0;
  let hops: u32 = 0;
  while (true) {
    while (i < end && load<u8>(a + i) == 47) i++;
    if (i >= end) {
      if (saved == 0) break;
      saved--;
      const s = segs + <usize>saved * 12;
      a = <usize>load<u32>(s);
      i = load<u32>(s + 4);
      end = load<u32>(s + 8);
      continue;
    }
    const begin = i;
    while (i < end && load<u8>(a + i) != 47) i++;
    const n = i - begin;
    if (n == 1 && load<u8>(a + begin) == 46) continue;
    if (n == 2 && load<u16>(a + begin) == 0x2e2e) {
      if (depth > 0) depth--;
      continue;
    }
    if (n > MAX_NAME) return finish(RESOLVE_ENAMETOOLONG, 0, 0, false, 0, 0);
    const child = findMerged(load<u32>(dirs + ((<usize>depth) << 3)), a + begin, n);
    if (child == 0) {
      const last = saved == 0 && !moreAfter(a, i, end) && !dot;
      return finish(last ? RESOLVE_MISSING_LAST : RESOLVE_ENOENT, 0, 0, last, 0, 0);
    }
    // Layer and ref through the accessors: a zip node has no fields for them (nodes.ts).
    if (ownLayer(child) == CONTAINER_LINK) {
      pushDir(ownRef(child), child);
      continue;
    }
    if (load<u8>(rec(child) + N_KIND) == KIND_DIR) {
      pushDir(child, child);
      continue;
    }
    const last = saved == 0 && !moreAfter(a, i, end);
    if (last && !follow && !slash)
      return finish(RESOLVE_FOUND, engineValue(child), child, true, flags, child);
    const t = targetOf(child);
    // `last` tells the engine whether a non-directory is the answer, or must be a directory.
    if (t == 0) return finish(RESOLVE_NONDIR, engineValue(child), child, last && !slash, flags, child);
    if (++hops > MAX_HOPS) return finish(RESOLVE_ELOOP, 0, 0, false, 0, 0);
    const tlen = targetLen(t);
    if (tlen == 0) return finish(RESOLVE_ENOENT, 0, 0, false, 0, 0);
    if (last && endsInSlash(targetAddr(t), tlen)) {
      slash = true;
      if (!dot) dot = endsInDot(targetAddr(t), tlen);
    }
    if (moreAfter(a, i, end)) {
      const s = segs + <usize>saved * 12;
      store<u32>(s, <u32>a);
      store<u32>(s + 4, i);
      store<u32>(s + 8, end);
      saved++;
    }
    a = targetAddr(t);
    i = 0;
    end = tlen;
    if (load<u8>(a) == 47) depth = 0;
  }
  const top = load<u32>(dirs + ((<usize>depth) << 3) + 4);
  return finish(RESOLVE_FOUND, top == 0 ? 0 : engineValue(top), top, true, flags, 0);
}
