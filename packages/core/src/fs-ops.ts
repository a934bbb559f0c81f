/**
 * The bodies of the fs calls, written once for both faces of `Overlay`: the
 * promise API runs them inside `Namespace.mutate` with data reads that await the
 * layers, the synchronous API inside `Namespace.mutateSync` with data reads that
 * refuse to wait. A body returns its value, or a promise of it when a data step
 * had to wait (`Maybe`).
 */
import { asResult, decode } from './bytes.js';
import { addLink, makeDir, makeFile, makeSymlink } from './create.js';
import { FsError, RmDirectoryError } from './errors.js';
import {
  readData,
  readDataSync,
  truncateData,
  truncateDataSync,
  writeData,
  writeDataSync,
} from './file-data.js';
import type { DirNode, FileNode, Node } from './inode.js';
import type { Located } from './lookup.js';
import type { Namespace } from './namespace.js';
import type { OpenMode } from './open-flags.js';
import { joinPath, lastDots, splitPath } from './path.js';
import { removeName } from './remove.js';
import { type AttrChange, setAttr } from './setattr.js';
import { Dirent, Stats } from './stats.js';
import type { Txn } from './txn.js';

export type Maybe<T> = T | Promise<T>;

/** Runs `next` on a value now, or once its promise resolves. (Not named `then`: a module exporting `then` is a thenable to `import()`.) */
export function andThen<T, U>(value: Maybe<T>, next: (value: T) => Maybe<U>): Maybe<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** How file data is read and written: awaiting the layers, or not at all. */
export interface DataIo {
  read(ns: Namespace, node: FileNode, offset: number, length: number): Maybe<Uint8Array>;
  write(ns: Namespace, node: FileNode, data: Uint8Array, position: number, tx: Txn): Maybe<void>;
  truncate(ns: Namespace, node: FileNode, length: number, tx: Txn): Maybe<void>;
}
export const ASYNC_IO: DataIo = { read: readData, write: writeData, truncate: truncateData };
export const SYNC_IO: DataIo = { read: readDataSync, write: writeDataSync, truncate: truncateDataSync };

/**
 * `readdir`'s options: `Dirent`s instead of names, the whole tree, the names' encoding.
 *
 * @inline
 */
export type ReaddirOptions = { withFileTypes?: boolean; recursive?: boolean; encoding?: string | null };

export function locate(ns: Namespace, p: string, follow: boolean, syscall: string): Located {
  return ns.locate(p, { follow, syscall, display: p });
}

/** The last name itself, for a call that acts on it (see `WalkOptions.entry`). */
export function locateEntry(ns: Namespace, p: string, syscall: string): Located {
  return ns.locate(p, { follow: false, syscall, display: p, entry: true });
}

export function existing(
  ns: Namespace,
  p: string,
  follow: boolean,
  syscall: string,
): Located & { node: Node } {
  const loc = locate(ns, p, follow, syscall);
  if (loc.node === undefined) throw new FsError('ENOENT', syscall, p);
  return loc as Located & { node: Node };
}

/** The object a read-only call reaches, without the chain of parents writers need; ENOENT if none. */
export function reach(ns: Namespace, p: string, follow: boolean, syscall: string): Node {
  const node = ns.resolve(p, { follow, syscall, display: p });
  if (node === undefined) throw new FsError('ENOENT', syscall, p);
  return node;
}

// ── reading ───────────────────────────────────────────────────────────────

export function readFileOf(
  ns: Namespace,
  p: string,
  encoding: string | null | undefined,
  io: DataIo,
): Maybe<Uint8Array | string> {
  const node = reach(ns, p, true, 'open');
  if (node.kind === 'dir') throw new FsError('EISDIR', 'read');
  if (node.kind !== 'file') throw new FsError('ENOENT', 'open', p);
  return andThen(io.read(ns, node, 0, node.size), (bytes) =>
    encoding ? decode(bytes, encoding) : asResult(bytes),
  );
}

export function readdirOf(ns: Namespace, p: string, o: ReaddirOptions): string[] | Dirent[] {
  const node = reach(ns, p, true, 'scandir');
  if (node.kind !== 'dir') throw new FsError('ENOTDIR', 'scandir', p);
  const names: string[] = [];
  const dirents: Dirent[] = [];
  const list = (dir: DirNode, rel: string, parentPath: string): void => {
    const sorted = dir.names();
    // Names alone need no child object (a lower entry's is made on first use), and neither do
    // file types: the index answers a pristine lower name's kind and inode number. Only a
    // directory to descend into does.
    const types = o.withFileTypes ? typesByName(dir) : undefined;
    for (const name of sorted) {
      const relName = rel === '' ? name : `${rel}/${name}`;
      let isDir: boolean | undefined;
      if (types !== undefined) {
        const i = types.at.get(name) as number;
        const kind = types.kinds[i] as Node['kind'];
        isDir = kind === 'dir';
        dirents.push(new Dirent(name, parentPath, kind, types.inos[i] as number));
      } else names.push(relName);
      if (o.recursive && (isDir ?? dir.children.isDir(name))) {
        list(dir.children.get(name) as DirNode, relName, joinPath(parentPath, name));
      }
    }
  };
  list(node, '', p);
  return o.withFileTypes ? dirents : names;
}

/** A directory's kinds and inode numbers (`EntryTable.types`), found by name. */
function typesByName(dir: DirNode): { at: Map<string, number>; kinds: Node['kind'][]; inos: number[] } {
  const { names, kinds, inos } = dir.children.types();
  const at = new Map<string, number>();
  for (let i = 0; i < names.length; i++) at.set(names[i] as string, i);
  return { at, kinds, inos };
}

export function readlinkOf(ns: Namespace, p: string): string {
  const node = reach(ns, p, false, 'readlink');
  if (node.kind !== 'symlink') throw new FsError('EINVAL', 'readlink', p);
  return node.target;
}

export function realpathOf(ns: Namespace, p: string): string {
  return ns.resolveReal(p, { follow: true, syscall: 'realpath', display: p }).path;
}

export function statOf(ns: Namespace, p: string, follow: boolean): Stats {
  return new Stats(reach(ns, p, follow, follow ? 'stat' : 'lstat'));
}

// ── creating ──────────────────────────────────────────────────────────────

export function mkdirOp(
  ns: Namespace,
  tx: Txn,
  p: string,
  mode: number,
  recursive: boolean,
): string | undefined {
  if (!recursive) {
    // 'name/' is EEXIST for whatever the name holds, a symlink or a file as well.
    const loc = locateEntry(ns, p, 'mkdir');
    if (loc.node !== undefined) throw new FsError('EEXIST', 'mkdir', p);
    makeDir(ns, loc, mode, tx);
    return undefined;
  }
  // Like Node, `mkdir -p` works on the lexically normalized path.
  const parts = normalize(p);
  const full = joinPath('/', parts.join('/'));
  let first: string | undefined;
  let at = '/';
  for (const name of parts) {
    at = joinPath(at, name);
    let loc = ns.locate(at, { follow: false, syscall: 'mkdir', display: p });
    if (loc.node?.kind === 'symlink') {
      // Node's mkdir -p: mkdir says EEXIST, then stat follows the link. Nothing is made through
      // it: a dangling one (or one to 'missing/') is ENOENT, one to 'file/' ENOTDIR.
      loc = ns.locate(at, { follow: true, syscall: 'mkdir', display: p });
      if (loc.node === undefined) throw new FsError('ENOENT', 'mkdir', p);
    }
    if (loc.node === undefined) {
      makeDir(ns, loc, mode, tx);
      first ??= at;
    } else if (loc.node.kind !== 'dir') {
      throw new FsError(at === full ? 'EEXIST' : 'ENOTDIR', 'mkdir', p);
    }
  }
  return first;
}

/** The object an open with these flags reaches, created or copied up as the flags say. */
export function openForWrite(ns: Namespace, p: string, mode: OpenMode, perm: number, tx: Txn): Node {
  // With O_CREAT a trailing slash is EISDIR whatever the name holds (the walk says it).
  const loc = ns.locate(p, { follow: !mode.exclusive, syscall: 'open', display: p, create: mode.create });
  if (loc.node === undefined) {
    if (!mode.create) throw new FsError('ENOENT', 'open', p);
    return makeFile(ns, loc, perm, tx);
  }
  if (mode.exclusive) throw new FsError('EEXIST', 'open', p);
  if (loc.node.kind === 'dir') {
    if (mode.write) throw new FsError('EISDIR', 'open', p);
    return loc.node;
  }
  if (!mode.write) return loc.node;
  return ns.copyUp(loc, tx, true);
}

/** An open for writing, with its truncate (O_TRUNC stamps mtime even on an empty file, as the kernel does). */
export function openOp(
  ns: Namespace,
  tx: Txn,
  p: string,
  mode: OpenMode,
  perm: number,
  io: DataIo,
): Maybe<Node> {
  const node = openForWrite(ns, p, mode, perm, tx);
  if (!mode.truncate || node.kind !== 'file') return node;
  return andThen(io.truncate(ns, node, 0, tx), () => node);
}

/** open + write + close as one transaction: an observer never sees the file half-written. */
export function writeWholeOp(
  ns: Namespace,
  tx: Txn,
  p: string,
  bytes: Uint8Array,
  mode: OpenMode,
  perm: number,
  io: DataIo,
): Maybe<void> {
  return andThen(openOp(ns, tx, p, mode, perm, io), (node) => {
    if (node.kind !== 'file') throw new FsError('EISDIR', 'open', p);
    return io.write(ns, node, bytes, mode.append ? node.size : 0, tx);
  });
}

export function symlinkOp(ns: Namespace, tx: Txn, target: string, p: string): void {
  const loc = locateEntry(ns, p, 'symlink');
  if (loc.node !== undefined) throw new FsError('EEXIST', 'symlink', target, p);
  // A new non-directory cannot be named 'name/' (the kernel: ENOENT).
  if (loc.trailingSlash) throw new FsError('ENOENT', 'symlink', target, p);
  makeSymlink(ns, loc, target, tx);
}

export function linkOp(ns: Namespace, tx: Txn, from: string, to: string): void {
  const relabel = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof FsError) throw new FsError(error.code, 'link', from, to);
      throw error;
    }
  };
  // The kernel's order of checks: the source, then the new name, then the source's type.
  const src = relabel(() => existing(ns, from, false, 'link'));
  const dst = relabel(() => locateEntry(ns, to, 'link'));
  if (dst.node !== undefined) throw new FsError('EEXIST', 'link', from, to);
  if (dst.trailingSlash) throw new FsError('ENOENT', 'link', from, to);
  if (src.node.kind === 'dir') throw new FsError('EPERM', 'link', from, to);
  const node = ns.copyUp(src, tx, false);
  // The source's copy-up may have replaced directories the destination walk saw.
  addLink(
    ns,
    relabel(() => locateEntry(ns, to, 'link')),
    node,
    tx,
  );
}

// ── removing ──────────────────────────────────────────────────────────────

export function unlinkOp(ns: Namespace, tx: Txn, p: string): void {
  const loc = locateEntry(ns, p, 'unlink');
  if (loc.node === undefined) throw new FsError('ENOENT', 'unlink', p);
  if (loc.node.kind === 'dir') throw new FsError('EISDIR', 'unlink', p);
  // 'name/' of a symlink is the symlink itself, which is no directory.
  if (loc.trailingSlash) throw new FsError('ENOTDIR', 'unlink', p);
  removeName(ns, loc, tx);
}

export function rmdirOp(ns: Namespace, tx: Txn, p: string): void {
  const loc = locateEntry(ns, p, 'rmdir');
  // 'd/.' is EINVAL and 'd/sub/..' ENOTEMPTY whatever they name (the kernel's do_rmdir).
  const dots = lastDots(p);
  if (dots !== '') throw new FsError(dots === '.' ? 'EINVAL' : 'ENOTEMPTY', 'rmdir', p);
  if (loc.node === undefined) throw new FsError('ENOENT', 'rmdir', p);
  if (loc.dirs.length === 0) throw new FsError('EBUSY', 'rmdir', p);
  if (loc.node.kind !== 'dir') throw new FsError('ENOTDIR', 'rmdir', p);
  if (loc.node.children.size > 0) throw new FsError('ENOTEMPTY', 'rmdir', p);
  removeName(ns, loc, tx);
}

export function rmOp(
  ns: Namespace,
  tx: Txn,
  p: string,
  options: { recursive?: boolean; force?: boolean } = {},
): void {
  const loc = locate(ns, p, false, 'lstat');
  if (loc.node === undefined) {
    if (options.force) return;
    throw new FsError('ENOENT', 'lstat', p);
  }
  if (loc.node.kind === 'dir') {
    if (!options.recursive) throw new RmDirectoryError(p);
    // Node's rm: lstat('link/') follows to the directory, then rmdir('link/') finds the
    // symlink itself: ENOTDIR, and nothing is removed.
    if (loc.trailingSlash && locateEntry(ns, p, 'rmdir').node?.kind === 'symlink') {
      throw new FsError('ENOTDIR', 'rmdir', p);
    }
    if (loc.dirs.length === 0) throw new FsError('EBUSY', 'rm', p);
  }
  removeName(ns, loc, tx);
}

// ── metadata ──────────────────────────────────────────────────────────────

export function setAttrOp(
  ns: Namespace,
  tx: Txn,
  p: string,
  follow: boolean,
  syscall: string,
  change: AttrChange,
): void {
  setAttr(ns, existing(ns, p, follow, syscall), change, tx);
}

export function truncateOp(ns: Namespace, tx: Txn, p: string, len: number, io: DataIo): Maybe<void> {
  const loc = existing(ns, p, true, 'open');
  if (loc.node.kind === 'dir') throw new FsError('EISDIR', 'open', p);
  const node = ns.copyUp(loc, tx, true);
  return node.kind === 'file' ? io.truncate(ns, node, len, tx) : undefined;
}

/** `..` and `.` resolved lexically, as Node's `path.resolve` does for `mkdir -p`. */
function normalize(p: string): string[] {
  const out: string[] = [];
  for (const part of splitPath(p)) {
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}
