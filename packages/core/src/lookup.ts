/**
 * Path walk over the merged namespace, symlinks followed in every component (ELOOP after 40),
 * `..` never above the overlay's root. Two forms with the same answers and errors:
 * - `resolve` / `resolveReal` for read-only calls: the object alone (and its canonical path),
 *   one wasm walk per stretch of the path between symlinks and '..';
 * - `locate` for writers: the chain of parents too, also one wasm walk per stretch of the path
 *   between symlinks and '..'.
 */

import type { EntryStore } from './entry-store.js';
import { FsError } from './errors.js';
import type { DirNode, Node } from './inode.js';
import { splitPath } from './path.js';

export const MAX_SYMLINK_HOPS = 40;
const MAX_NAME_BYTES = 255;

/**
 * Where a path leads. `dirs`/`names` are the real chain from the root to the
 * parent of the final name (after symlinks): `dirs[i]` is named `names[i]` in
 * `dirs[i - 1]`. For the root itself `dirs` is empty and `name` is ''.
 */
export interface Located {
  dirs: DirNode[];
  names: string[];
  name: string;
  node: Node | undefined;
  /** The path had a trailing slash: the final node must be a directory. */
  trailingSlash: boolean;
}

export interface WalkOptions {
  /** Follow a symlink in the final component. */
  follow: boolean;
  syscall: string;
  /** The path as the caller gave it, for error messages. */
  display: string;
}

/** Resolves `path` from `root`; throws ENOENT/ENOTDIR/ELOOP/ENAMETOOLONG like the kernel. */
export function locate(root: DirNode, path: string, opts: WalkOptions): Located {
  // The leading components, resolved in one wasm call; once a symlink or '..' changes what
  // follows, the rest is walked again from where it leads.
  const store = root.children.store;
  let found = root.children.walk(path);
  const ahead = store.walked;
  const plain = plainParts(path);
  if (plain !== null && found === plain.length - 1) {
    const last = store.found(ahead[found - 1] as number);
    if (last.kind !== 'symlink' || !opts.follow) return plainLocated(root, store, plain, last);
  }
  const todo = splitPath(path).reverse();
  const trailingSlash = todo.length > 0 && /\/\.?$/.test(path);
  const dirs: DirNode[] = [root];
  const names: string[] = [''];
  let hops = 0;
  let next = 0;
  let fast = true;

  while (todo.length > 0) {
    const part = todo.pop() as string;
    const cur = dirs[dirs.length - 1] as DirNode;
    if (part === '..') {
      fast = false;
      if (dirs.length > 1) {
        dirs.pop();
        names.pop();
      }
      continue;
    }
    if (part.length > MAX_NAME_BYTES / 3 && utf8Length(part) > MAX_NAME_BYTES) {
      throw walkError('ENAMETOOLONG', opts);
    }
    if (!fast) {
      // A symlink or '..' changed where the path goes: the rest of it, from here, in one walk.
      todo.push(part);
      found = cur.children.walk(restOf(todo));
      todo.pop();
      next = 0;
      fast = true;
    }
    let child: Node | undefined;
    // The walk lists every component up to a missing one, which it leaves out; it stops before
    // '..' (handled above, which walks again after it) and after a non-directory.
    if (next < found) child = store.found(ahead[next++] as number);
    const isLast = todo.length === 0;
    if (child === undefined) {
      if (isLast) return { dirs, names, name: part, node: undefined, trailingSlash };
      throw walkError('ENOENT', opts);
    }
    if (child.kind === 'symlink' && (!isLast || opts.follow || trailingSlash)) {
      fast = false;
      if (++hops > MAX_SYMLINK_HOPS) throw walkError('ELOOP', opts);
      if (child.target === '') throw walkError('ENOENT', opts);
      if (child.target.startsWith('/')) {
        dirs.length = 1;
        names.length = 1;
      }
      const target = splitPath(child.target);
      for (let i = target.length - 1; i >= 0; i--) todo.push(target[i] as string);
      continue;
    }
    if (child.kind === 'dir') {
      if (isLast) return { dirs, names, name: part, node: child, trailingSlash };
      dirs.push(child);
      names.push(part);
      continue;
    }
    if (!isLast || trailingSlash) throw walkError('ENOTDIR', opts);
    return { dirs, names, name: part, node: child, trailingSlash };
  }
  // The walk ended on a directory reached by `..`, `.` or a symlink to a directory.
  const node = dirs.pop() as DirNode;
  const name = names.pop() as string;
  return { dirs, names, name, node, trailingSlash };
}

/**
 * What a read-only call needs from a path: the object it leads to, or undefined when only the
 * last component is missing. The same answers and errors as {@link locate}, without the chain
 * of parents: a path costs one wasm walk (`EntryTable.walk`) per segment — the whole path, then
 * after each symlink followed or `..` the rest of it from the right directory — and makes only
 * the final name's object (and, past a symlink or `..`, those of the directories it must
 * return to).
 */
export function resolve(root: DirNode, path: string, opts: WalkOptions): Node | undefined {
  return resolveFrom(root, path, opts, null);
}

/**
 * {@link resolve}, and the canonical path of what it found (`realpath`): symlinks followed,
 * `.`/`..` applied. Throws ENOENT when the last component is missing.
 */
export function resolveReal(root: DirNode, path: string, opts: WalkOptions): { node: Node; path: string } {
  const names: string[] = [];
  const node = resolveFrom(root, path, opts, names);
  if (node === undefined) throw walkError('ENOENT', opts);
  return { node, path: `/${names.join('/')}` };
}

// Where `seek` found the component the walk stopped at, and what surrounds it. Module state
// rather than a result object: the walk is the hot path and allocates nothing for a plain path.
/** Start of the component after the listed ones. */
let compBegin = 0;
/** Just past it. */
let compEnd = 0;
/** Just past the last listed component (where the rest after a symlink starts). */
let listedEnd = 0;

/**
 * Finds the component after the first `listed` ones of `s` (empty and '.' components do not
 * count; '..' does). Returns false when there is none (the walk used up the path).
 */
function seek(s: string, listed: number): boolean {
  const n = s.length;
  let count = 0;
  let i = 0;
  listedEnd = 0;
  while (i < n) {
    if (s.charCodeAt(i) === 47 /* / */) {
      i++;
      continue;
    }
    const begin = i;
    while (i < n && s.charCodeAt(i) !== 47) i++;
    if (i - begin === 1 && s.charCodeAt(begin) === 46 /* . */) continue;
    if (count === listed) {
      compBegin = begin;
      compEnd = i;
      return true;
    }
    count++;
    listedEnd = i;
  }
  return false;
}

/** How many '..' components `skipUps` found. */
let ups = 0;

/**
 * Counts the '..' components `s` starts with (in `ups`; '.' and empty ones between them do not
 * matter) and returns where the rest of `s` starts.
 */
function skipUps(s: string): number {
  const n = s.length;
  let i = 0;
  let after = 0;
  ups = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 47) {
      i++;
      continue;
    }
    if (c !== 46) break;
    const next = i + 1 < n ? s.charCodeAt(i + 1) : 47;
    if (next === 47) {
      i++;
      continue;
    }
    if (next !== 46 || (i + 2 < n && s.charCodeAt(i + 2) !== 47)) break;
    i += 2;
    after = i;
    ups++;
  }
  return after;
}

/** Whether `s[from..]` holds another component ('..' counts, '.' and empty ones do not). */
function moreAfter(s: string, from: number): boolean {
  const n = s.length;
  for (let i = from; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 47) continue;
    if (c !== 46) return true;
    if (i + 1 < n && s.charCodeAt(i + 1) !== 47) return true;
    i++;
  }
  return false;
}

/** The first `count` components of `s` (see `seek`), appended to `out`. */
function pushNames(s: string, count: number, out: string[]): void {
  for (const part of splitPath(s)) {
    if (count-- === 0) return;
    out.push(part);
  }
}

/** The path ends in '/' or '/.': its last component must then be a directory (as in `locate`). */
function endsInSlash(path: string): boolean {
  const n = path.length;
  const c = path.charCodeAt(n - 1);
  return c === 47 || (c === 46 && n >= 2 && path.charCodeAt(n - 2) === 47);
}

function resolveFrom(
  root: DirNode,
  path: string,
  opts: WalkOptions,
  names: string[] | null,
): Node | undefined {
  const store = root.children.store;
  const walked = store.walked;
  // The directories from the root to `dir` (`walked` values; 0 is the root), kept once a
  // symlink or '..' makes the walk go on: '..' pops one, never the root. Not made for a plain path.
  let chain: number[] | null = null;
  let dir = root;
  let rest = path;
  let hops = 0;
  for (;;) {
    // Leading '..' components go up here: the walk would stop at each of them.
    const from = skipUps(rest);
    if (ups > 0) {
      if (chain !== null) {
        // Pops, not a `length` store: that is a slow builtin call (3% of a stat through a symlink).
        for (let n = ups; n > 0 && chain.length > 1; n--) {
          chain.pop();
          names?.pop();
        }
        dir = dirOf(root, store, chain);
      }
      rest = rest.slice(from);
    }
    const listed = dir.children.walk(rest);
    const more = seek(rest, listed);
    let at = dir;
    if (listed > 0) {
      const last = store.found(walked[listed - 1] as number);
      if (last.kind !== 'dir') {
        // The walk stops after a non-directory: the end of the path, or a symlink to go through.
        const isLast = !more;
        if (last.kind === 'symlink' && (!isLast || opts.follow || endsInSlash(path))) {
          if (++hops > MAX_SYMLINK_HOPS) throw walkError('ELOOP', opts);
          if (last.target === '') throw walkError('ENOENT', opts);
          const after = rest.slice(listedEnd);
          if (last.target.charCodeAt(0) === 47) {
            chain = [0];
            if (names !== null) names.length = 0;
          } else {
            chain ??= [0];
            for (let i = 0; i < listed - 1; i++) chain.push(walked[i] as number);
            if (names !== null) pushNames(rest, listed - 1, names);
          }
          rest = last.target + after;
          dir = dirOf(root, store, chain);
          continue;
        }
        if (!isLast || endsInSlash(path)) throw walkError('ENOTDIR', opts);
        if (names !== null) pushNames(rest, listed, names);
        return last;
      }
      at = last;
    }
    if (!more) {
      if (names !== null) pushNames(rest, listed, names);
      return at;
    }
    // The walk stopped before a component of `at`: '..', a name too long, or a missing name.
    const isDotDot =
      compEnd - compBegin === 2 && rest.charCodeAt(compBegin) === 46 && rest.charCodeAt(compBegin + 1) === 46;
    if (isDotDot) {
      chain ??= [0];
      for (let i = 0; i < listed; i++) chain.push(walked[i] as number);
      if (names !== null) pushNames(rest, listed, names);
      // The loop's start takes this '..' and any after it, and moves `dir` up.
      rest = rest.slice(compBegin);
      continue;
    }
    const len = compEnd - compBegin;
    if (len > MAX_NAME_BYTES / 3 && utf8Length(rest.slice(compBegin, compEnd)) > MAX_NAME_BYTES) {
      throw walkError('ENAMETOOLONG', opts);
    }
    if (moreAfter(rest, compEnd)) throw walkError('ENOENT', opts);
    return undefined;
  }
}

/** The directory at the end of a resolve chain. */
function dirOf(root: DirNode, store: EntryStore, chain: number[]): DirNode {
  const value = chain[chain.length - 1] as number;
  return value === 0 ? root : (store.found(value) as DirNode);
}

/** The components still to walk (`todo` holds them last first), as a relative path. */
function restOf(todo: string[]): string {
  let rest = todo[todo.length - 1] as string;
  for (let i = todo.length - 2; i >= 0; i--) rest += `/${todo[i]}`;
  return rest;
}

/**
 * The components of a path the walk resolves without help: absolute, no empty, '.' or '..'
 * component (nor any name starting with '.': not worth telling apart here), no trailing
 * slash. `['', 'a', 'b']` for '/a/b'; null for any other path.
 */
function plainParts(path: string): string[] | null {
  // One pass over the char codes: `includes`/`split` cost more than the whole wasm walk here.
  const n = path.length;
  if (n < 2 || path.charCodeAt(0) !== 47 /* / */) return null;
  const parts: string[] = [''];
  let start = 1;
  for (let i = 1; i < n; i++) {
    const c = path.charCodeAt(i);
    if (i === start && (c === 47 || c === 46) /* . */) return null;
    if (c === 47) {
      parts.push(path.slice(start, i));
      start = i + 1;
    }
  }
  if (start === n) return null;
  parts.push(path.slice(start));
  return parts;
}

/**
 * What the full walk returns for a plain path whose every component the wasm walk found (all
 * but the last are then directories, and the last is not a symlink to follow).
 */
function plainLocated(root: DirNode, store: EntryStore, parts: string[], node: Node): Located {
  const n = parts.length - 1;
  const dirs: DirNode[] = [root];
  const ahead = store.walked;
  for (let i = 0; i < n - 1; i++) dirs.push(store.found(ahead[i] as number) as DirNode);
  // `parts` starts with '' (the root's name, before the first slash): it becomes `names`.
  const name = parts.pop() as string;
  return { dirs, names: parts, name, node, trailingSlash: false };
}

// A module function, not a closure per walk: the walk is the hot path, and a
// closure per call cost a fifth of it under tsx/Vitest (esbuild's keepNames wraps it).
function walkError(code: 'ENOENT' | 'ENOTDIR' | 'ELOOP' | 'ENAMETOOLONG', opts: WalkOptions): FsError {
  return new FsError(code, opts.syscall, opts.display);
}

/** Bytes of `s` in UTF-8: the kernel's limit and the index's are on bytes, not UTF-16 units. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The parent directory of a located name (the root's parent is itself). */
export function parentOf(loc: Located): DirNode {
  return loc.dirs[loc.dirs.length - 1] as DirNode;
}
