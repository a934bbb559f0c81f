/**
 * The part of Emscripten's `FS` object (its JavaScript library `library_fs.js`) that a filesystem
 * type talks to. Emscripten ships no type declarations for it, so these describe what its FS calls
 * and what it offers, as far as this package uses them.
 */

/** Attributes Emscripten's `FS` hands to `setattr`: any subset, times in milliseconds. */
export interface EmscriptenAttr {
  /** New permission and type bits (`chmod`); only the permission bits are meant to change. */
  mode?: number;
  /** New length (`truncate`, `ftruncate`, `O_TRUNC`, `posix_fallocate`). */
  size?: number;
  /** New access time, ms since the epoch. */
  atime?: number;
  /** New modification time, ms since the epoch. */
  mtime?: number;
  /** New change time (Emscripten passes it with chmod in some versions; the overlay sets its own). */
  ctime?: number;
  /** True for `lchmod`/`lutimes`: act on a symlink itself. */
  dontFollow?: boolean;
}

/** What `getattr` returns: `struct stat` as Emscripten writes it into the program's memory. */
export interface EmscriptenStat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  atime: Date;
  mtime: Date;
  ctime: Date;
  blksize: number;
  blocks: number;
}

/** One name in Emscripten's in-memory name cache (`FS.FSNode`). */
export interface EmscriptenNode {
  /** Emscripten's own number for the node (the `d_ino` that `getdents` reports). */
  id: number;
  name: string;
  mode: number;
  parent: EmscriptenNode;
  mount: EmscriptenMount;
  node_ops: NodeOps;
  stream_ops: StreamOps;
}

/** A mounted instance: what `FS.mount(type, opts, mountpoint)` made. */
export interface EmscriptenMount {
  opts: unknown;
  mountpoint: string;
  root: EmscriptenNode;
}

/** An open file description (`FS.FSStream`); `shared` is common to every `dup` of it. */
export interface EmscriptenStream {
  fd: number | null;
  node: EmscriptenNode;
  path: string;
  flags: number;
  position: number;
  stream_ops: StreamOps;
  shared: Record<string, unknown>;
}

/** The operations Emscripten calls on a node (paths already resolved by `FS.lookupPath`). */
export interface NodeOps {
  getattr?(node: EmscriptenNode): EmscriptenStat;
  setattr?(node: EmscriptenNode, attr: EmscriptenAttr): void;
  lookup?(parent: EmscriptenNode, name: string): EmscriptenNode;
  mknod?(parent: EmscriptenNode, name: string, mode: number, dev: number): EmscriptenNode;
  rename?(oldNode: EmscriptenNode, newDir: EmscriptenNode, newName: string): void;
  unlink?(parent: EmscriptenNode, name: string): void;
  rmdir?(parent: EmscriptenNode, name: string): void;
  readdir?(node: EmscriptenNode): string[];
  symlink?(parent: EmscriptenNode, newName: string, oldPath: string): EmscriptenNode | undefined;
  readlink?(node: EmscriptenNode): string;
}

/** What `mmap` answers: where the mapping lives in the program's memory. */
export interface MmapResult {
  ptr: number;
  /** True when `ptr` was allocated for the mapping (Emscripten frees it on `munmap`). */
  allocated: boolean;
}

/** The operations Emscripten calls on an open stream. */
export interface StreamOps {
  getattr?(stream: EmscriptenStream): EmscriptenStat;
  setattr?(stream: EmscriptenStream, attr: EmscriptenAttr): void;
  open?(stream: EmscriptenStream): void;
  close?(stream: EmscriptenStream): void;
  dup?(stream: EmscriptenStream): void;
  read?(
    stream: EmscriptenStream,
    buffer: ArrayBufferView,
    offset: number,
    length: number,
    position: number,
  ): number;
  write?(
    stream: EmscriptenStream,
    buffer: ArrayBufferView,
    offset: number,
    length: number,
    position: number,
    canOwn?: boolean,
  ): number;
  llseek?(stream: EmscriptenStream, offset: number, whence: number): number;
  mmap?(stream: EmscriptenStream, length: number, position: number, prot: number, flags: number): MmapResult;
  msync?(
    stream: EmscriptenStream,
    buffer: Uint8Array,
    offset: number,
    length: number,
    mmapFlags: number,
  ): number;
}

/** A filesystem type as `FS.mount` takes it. */
export interface EmscriptenFsType {
  mount(mount: EmscriptenMount): EmscriptenNode;
}

/** Emscripten's `FS.ErrnoError`: a failure with an errno of Emscripten's numbering. */
export type ErrnoErrorConstructor = new (errno: number) => Error & { errno: number };

/**
 * Emscripten's `FS` object, as far as a filesystem type needs it (Pyodide: `pyodide.FS`).
 *
 * @example
 * ```ts
 * import { loadPyodide } from 'pyodide';
 * const pyodide = await loadPyodide();
 * const FS: EmscriptenFS = pyodide.FS;
 * ```
 */
export interface EmscriptenFS {
  ErrnoError: ErrnoErrorConstructor;
  createNode(parent: EmscriptenNode | null, name: string, mode: number, dev: number): EmscriptenNode;
  destroyNode(node: EmscriptenNode): void;
  lookupNode(parent: EmscriptenNode, name: string): EmscriptenNode;
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  isLink(mode: number): boolean;
  mount(type: EmscriptenFsType, opts: object, mountpoint: string): EmscriptenNode;
  unmount(mountpoint: string): void;
  mkdirTree(path: string, mode?: number): void;
  analyzePath(path: string): { exists: boolean };
}

/**
 * What `mmap` needs from the program's module to give it memory: Emscripten's `mmapAlloc` is
 * internal, so the mapping is allocated with the module's exported `memalign` (Pyodide:
 * `pyodide._module`).
 */
export interface EmscriptenMemory {
  _memalign(alignment: number, size: number): number;
  HEAPU8: Uint8Array;
}
