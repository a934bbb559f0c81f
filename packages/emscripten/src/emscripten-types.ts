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
  /** Device number. */
  dev: number;
  /** Inode number (the overlay's, stable across copy-up). */
  ino: number;
  /** File type and permission bits. */
  mode: number;
  /** Number of hard links. */
  nlink: number;
  /** Owner's user id. */
  uid: number;
  /** Owner's group id. */
  gid: number;
  /** Device a special file stands for (0 here). */
  rdev: number;
  /** Size in bytes. */
  size: number;
  /** Last access. */
  atime: Date;
  /** Last change of the contents. */
  mtime: Date;
  /** Last change of the contents or metadata. */
  ctime: Date;
  /** Preferred I/O block size. */
  blksize: number;
  /** 512-byte blocks the size takes. */
  blocks: number;
}

/** One name in Emscripten's in-memory name cache (`FS.FSNode`). */
export interface EmscriptenNode {
  /** Emscripten's own number for the node (the `d_ino` that `getdents` reports). */
  id: number;
  /** Its name in its parent directory. */
  name: string;
  /** File type and permission bits, as last seen. */
  mode: number;
  /** The directory holding it (the root is its own parent). */
  parent: EmscriptenNode;
  /** The mount it belongs to. */
  mount: EmscriptenMount;
  /** The operations Emscripten calls on it. */
  node_ops: NodeOps;
  /** The operations Emscripten calls on its open streams. */
  stream_ops: StreamOps;
}

/** A mounted instance: what `FS.mount(type, opts, mountpoint)` made. */
export interface EmscriptenMount {
  /** The options given to `FS.mount`. */
  opts: unknown;
  /** The mount point's path. */
  mountpoint: string;
  /** The mount's root node. */
  root: EmscriptenNode;
}

/** An open file description (`FS.FSStream`); `shared` is common to every `dup` of it. */
export interface EmscriptenStream {
  /** Its descriptor number; `null` once closed. */
  fd: number | null;
  /** The node it was opened on. */
  node: EmscriptenNode;
  /** The path it was opened by. */
  path: string;
  /** Its open flags (Linux numbering: O_WRONLY 1, O_RDWR 2, O_APPEND 1024, …). */
  flags: number;
  /** The current offset. */
  position: number;
  /** The operations Emscripten calls on it. */
  stream_ops: StreamOps;
  /** State common to the stream and its dups (`dup`, `dup2`). */
  shared: Record<string, unknown>;
}

/** The operations Emscripten calls on a node (paths already resolved by `FS.lookupPath`). *
 * @example
 * ```ts
 * const root = pyodide.FS.lookupPath('/home/pyodide/work').node as EmscriptenNode;
 * const ops: NodeOps = root.node_ops;
 * ops.readdir?.(root); // ['.', '..', 'data.csv', …]
 * ```
 */
export interface NodeOps {
  /** `stat`. */
  getattr?(node: EmscriptenNode): EmscriptenStat;
  /** `chmod`, `utimes`, `truncate`. */
  setattr?(node: EmscriptenNode, attr: EmscriptenAttr): void;
  /** A name in a directory not in the name cache yet. */
  lookup?(parent: EmscriptenNode, name: string): EmscriptenNode;
  /** Creates a file or directory. */
  mknod?(parent: EmscriptenNode, name: string, mode: number, dev: number): EmscriptenNode;
  /** Renames or moves a name. */
  rename?(oldNode: EmscriptenNode, newDir: EmscriptenNode, newName: string): void;
  /** Removes a non-directory. */
  unlink?(parent: EmscriptenNode, name: string): void;
  /** Removes an empty directory. */
  rmdir?(parent: EmscriptenNode, name: string): void;
  /** A directory's names, `.` and `..` included. */
  readdir?(node: EmscriptenNode): string[];
  /** Creates a symlink. */
  symlink?(parent: EmscriptenNode, newName: string, oldPath: string): EmscriptenNode | undefined;
  /** A symlink's target. */
  readlink?(node: EmscriptenNode): string;
}

/** What `mmap` answers: where the mapping lives in the program's memory. */
export interface MmapResult {
  /** The mapping's address in the program's memory. */
  ptr: number;
  /** True when `ptr` was allocated for the mapping (Emscripten frees it on `munmap`). */
  allocated: boolean;
}

/** The operations Emscripten calls on an open stream. *
 * @example
 * ```ts
 * const stream = pyodide.FS.open('/home/pyodide/work/data.csv', 'r') as EmscriptenStream;
 * const ops: StreamOps = stream.stream_ops;
 * ops.llseek?.(stream, 0, 2); // the file's size
 * ```
 */
export interface StreamOps {
  /** `fstat`. */
  getattr?(stream: EmscriptenStream): EmscriptenStat;
  /** `fchmod`, `futimes`, `ftruncate`. */
  setattr?(stream: EmscriptenStream, attr: EmscriptenAttr): void;
  /** Opens the stream. */
  open?(stream: EmscriptenStream): void;
  /** Closes the stream. */
  close?(stream: EmscriptenStream): void;
  /** A stream was duplicated (`dup`). */
  dup?(stream: EmscriptenStream): void;
  /** Reads at a position; returns the bytes read. */
  read?(
    stream: EmscriptenStream,
    buffer: ArrayBufferView,
    offset: number,
    length: number,
    position: number,
  ): number;
  /** Writes at a position; returns the bytes written. */
  write?(
    stream: EmscriptenStream,
    buffer: ArrayBufferView,
    offset: number,
    length: number,
    position: number,
    canOwn?: boolean,
  ): number;
  /** The new offset for a seek. */
  llseek?(stream: EmscriptenStream, offset: number, whence: number): number;
  /** Maps a file range into the program's memory. */
  mmap?(stream: EmscriptenStream, length: number, position: number, prot: number, flags: number): MmapResult;
  /** Writes a mapped range back. */
  msync?(
    stream: EmscriptenStream,
    buffer: Uint8Array,
    offset: number,
    length: number,
    mmapFlags: number,
  ): number;
}

/** A filesystem type as `FS.mount` takes it. *
 * @example
 * ```ts
 * const type: EmscriptenFsType = VellumFS(pyodide.FS);
 * pyodide.FS.mount(type, { fs: ov }, '/home/pyodide/work');
 * ```
 */
export interface EmscriptenFsType {
  /** Makes the root node of a new mount. */
  mount(mount: EmscriptenMount): EmscriptenNode;
}

/** Emscripten's `FS.ErrnoError`: a failure with an errno of Emscripten's numbering. */
export type ErrnoErrorConstructor = new (
  errno: number,
) => Error & {
  /** The errno, Emscripten's numbering (ENOENT is 44). */
  errno: number;
};

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
  /** The error class Emscripten turns into the program's `errno`. */
  ErrnoError: ErrnoErrorConstructor;
  /** Makes a node and puts it in the name cache. */
  createNode(parent: EmscriptenNode | null, name: string, mode: number, dev: number): EmscriptenNode;
  /** Removes a node from the name cache. */
  destroyNode(node: EmscriptenNode): void;
  /** A name in a directory: from the name cache, else from its filesystem's `lookup`. */
  lookupNode(parent: EmscriptenNode, name: string): EmscriptenNode;
  /** Whether a mode is a directory's. */
  isDir(mode: number): boolean;
  /** Whether a mode is a regular file's. */
  isFile(mode: number): boolean;
  /** Whether a mode is a symlink's. */
  isLink(mode: number): boolean;
  /** Mounts a filesystem type at a path. */
  mount(type: EmscriptenFsType, opts: object, mountpoint: string): EmscriptenNode;
  /** Unmounts what is mounted at a path. */
  unmount(mountpoint: string): void;
  /** Makes a directory and its missing parents. */
  mkdirTree(path: string, mode?: number): void;
  /** Whether a path exists, among other facts. */
  analyzePath(path: string): {
    /** Whether the path names something. */
    exists: boolean;
  };
}

/**
 * What `mmap` needs from the program's module to give it memory: Emscripten's `mmapAlloc` is
 * internal, so the mapping is allocated with the module's exported `memalign` (Pyodide:
 * `pyodide._module`).
 *
 * @example
 * ```ts
 * const memory = (pyodide as unknown as { _module: EmscriptenMemory })._module;
 * mountOverlay(pyodide.FS, ov, '/home/pyodide/work', { memory });
 * ```
 */
export interface EmscriptenMemory {
  /** `memalign(alignment, size)`: allocates in the program's memory. */
  _memalign(alignment: number, size: number): number;
  /** The program's memory as bytes. */
  HEAPU8: Uint8Array;
}
