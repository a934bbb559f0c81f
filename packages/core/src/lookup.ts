/**
 * Path walk over the merged namespace, symlinks followed in every component (ELOOP after 40),
 * `..` never above the overlay's root. Two forms with the same answers and errors:
 * - `resolve` / `resolveReal` for read-only calls: the object alone (and its canonical path),
 *   one wasm call for the whole path, symlinks and '..' included (a symlink whose target the
 *   index does not hold yet costs one call more, once);
 * - `locate` for writers: the chain of parents too, also one wasm walk per stretch of the path
 *   between symlinks and '..'.
 */

import { Resolve, ResolveFlag } from '@vellum/wasm';
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
  /**
   * An open with O_CREAT: a last name with a trailing slash (the path's, or that of a target
   * followed as the last) is EISDIR before it is looked up, as in the kernel's open.
   */
  create?: boolean;
  /**
   * The call acts on the last name itself (mkdir, symlink, link's new name, unlink, rmdir,
   * rename: the kernel's LOOKUP_PARENT calls). A trailing slash neither follows a symlink there
   * nor refuses a non-directory: the caller reads `trailingSlash` and answers as its syscall
   * does. ('name/.' still walks `name` as a directory: '.' is the last name then.)
   */
  entry?: boolean;
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
  // The last name must be a directory: the path ends in '/' or '/.', or so does the target of a
  // symlink followed as the last (the kernel's LOOKUP_DIRECTORY, kept down a chain of them).
  let trailingSlash = todo.length > 0 && endsInSlash(path);
  // ... and exist: the path ends in '.', which makes the name before it not the last one.
  let dotLast = trailingSlash && endsInDot(path);
  // Whether a trailing slash follows the last symlink and refuses a non-directory there.
  const slashWalks = opts.entry !== true;
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
    if (isLast && trailingSlash && opts.create === true && !dotLast) {
      throw new FsError('EISDIR', opts.syscall, opts.display);
    }
    if (child === undefined) {
      if (isLast && !dotLast) return { dirs, names, name: part, node: undefined, trailingSlash };
      throw walkError('ENOENT', opts);
    }
    if (child.kind === 'symlink' && (!isLast || opts.follow || (trailingSlash && (slashWalks || dotLast)))) {
      fast = false;
      if (++hops > MAX_SYMLINK_HOPS) throw walkError('ELOOP', opts);
      if (child.target === '') throw walkError('ENOENT', opts);
      if (isLast && endsInSlash(child.target)) {
        trailingSlash = true;
        dotLast ||= endsInDot(child.target);
      }
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
    if (!isLast || (trailingSlash && (slashWalks || dotLast))) throw walkError('ENOTDIR', opts);
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
 * of parents, in one wasm call (`EntryTable.resolve`): the index follows symlinks whose targets
 * it holds and applies '..' itself. A symlink it holds no target for yet (a lower one not
 * followed before) is handed back once: its target is given to the index and the walk asked
 * again. Makes only the final name's object.
 */
export function resolve(root: DirNode, path: string, opts: WalkOptions): Node | undefined {
  return resolveFrom(root, path, opts, opts.follow ? ResolveFlag.Follow : 0);
}

/**
 * {@link resolve}, and the canonical path of what it found (`realpath`): symlinks followed,
 * `.`/`..` applied, made in the same wasm call from the names of the directories walked through.
 * Throws ENOENT when the last component is missing.
 */
export function resolveReal(root: DirNode, path: string, opts: WalkOptions): { node: Node; path: string } {
  const node = resolveFrom(root, path, opts, (opts.follow ? ResolveFlag.Follow : 0) | ResolveFlag.Path);
  if (node === undefined) throw walkError('ENOENT', opts);
  return { node, path: realPath };
}

/** The canonical path `resolveFrom` found when asked for it (ResolveFlag.Path). */
let realPath = '/';

/**
 * Every symlink a walk can meet before ELOOP (41), each handed back at most once, and the walk
 * that follows them all: more rounds mean the index did not keep a target it was given.
 */
const MAX_ROUNDS = MAX_SYMLINK_HOPS + 2;

function resolveFrom(root: DirNode, path: string, opts: WalkOptions, flags: number): Node | undefined {
  const table = root.children;
  const store = table.store;
  const out = store.resolved;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const status = table.resolve(path, flags);
    if (status === Resolve.Found) {
      // The path first: making the object may call the index, which reuses its output.
      if ((flags & ResolveFlag.Path) !== 0) realPath = store.index.resolvedPath();
      const value = out[0] as number;
      return value === 0 ? root : store.found(value);
    }
    if (status === Resolve.NonDir) {
      // A non-directory the index cannot tell from a symlink without a target (an upper name,
      // or a lower symlink not followed before).
      if ((flags & ResolveFlag.Path) !== 0) realPath = store.index.resolvedPath();
      const last = out[2] === 1;
      const id = out[1] as number;
      const node = store.found(out[0] as number);
      if (node.kind === 'symlink') {
        store.index.setTarget(id, node.target);
        continue;
      }
      // Not the answer: a name before the last, or a last one that must be a directory.
      if (!last) throw walkError('ENOTDIR', opts);
      return node;
    }
    if (status === Resolve.MissingLast) return undefined;
    throw walkError(RESOLVE_CODES[status] ?? 'ENOENT', opts);
  }
  throw new FsError('EIO', opts.syscall, opts.display, undefined, {
    cause: new Error('the index did not keep the symlink targets it was given'),
  });
}

const RESOLVE_CODES: Record<number, 'ENOENT' | 'ENOTDIR' | 'ELOOP' | 'ENAMETOOLONG'> = {
  [Resolve.NoEnt]: 'ENOENT',
  [Resolve.NotDir]: 'ENOTDIR',
  [Resolve.Loop]: 'ELOOP',
  [Resolve.NameTooLong]: 'ENAMETOOLONG',
};

/** The path ends in '/' or '/.': its last component must then be a directory (as in resolve.ts). */
function endsInSlash(path: string): boolean {
  const n = path.length;
  const c = path.charCodeAt(n - 1);
  return c === 47 || (c === 46 && n >= 2 && path.charCodeAt(n - 2) === 47);
}

/** The last component of a path ending in '/' or '/.' is '.' (as in 'a/.' or 'a/./'). */
function endsInDot(path: string): boolean {
  let n = path.length;
  while (n > 0 && path.charCodeAt(n - 1) === 47) n--;
  return n > 0 && path.charCodeAt(n - 1) === 46 && (n === 1 || path.charCodeAt(n - 2) === 47);
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
