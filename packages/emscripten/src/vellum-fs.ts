import type {
  EmscriptenAttr,
  EmscriptenFS,
  EmscriptenFsType,
  EmscriptenMemory,
  EmscriptenMount,
  EmscriptenNode,
  EmscriptenStat,
  EmscriptenStream,
  NodeOps,
  StreamOps,
} from './emscripten-types.js';
import { EMSCRIPTEN_ERRNO, errnoCall } from './errno.js';
import type { SyncFs, SyncStats } from './sync-fs.js';

/**
 * What `FS.mount(VellumFS, opts, mountpoint)` takes.
 *
 * @example
 * ```ts
 * const opts: VellumMountOptions = { fs: ov, root: '/lesson-1' };
 * ```
 */
export interface VellumMountOptions {
  /** The overlay (or another {@link SyncFs}) every call goes to. */
  fs: SyncFs;
  /** The overlay directory shown at the mount point; `'/'` by default. */
  root?: string;
  /**
   * The program's module, for `mmap` (Pyodide: `pyodide._module`). Without it `mmap` of a file on
   * the mount fails with ENODEV, as it does on a filesystem that cannot map.
   */
  memory?: EmscriptenMemory;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const O_ACCMODE = 3;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const SEEK_CUR = 1;
const SEEK_END = 2;
/** `mmap`'s MAP_PRIVATE: changes to the mapping are never written back. */
const MAP_PRIVATE = 2;
const WASM_PAGE = 65536;

/** The open overlay descriptor of a stream, common to all its dups (Emscripten's `stream.shared`). */
interface SharedHandle {
  vellumFd?: number;
  vellumRefs?: number;
}

function optionsOf(
  mount: EmscriptenMount,
): Required<Pick<VellumMountOptions, 'fs' | 'root'>> & VellumMountOptions {
  return mount.opts as Required<Pick<VellumMountOptions, 'fs' | 'root'>> & VellumMountOptions;
}

/** The node's path in the overlay: Emscripten keeps names and parents, the overlay takes paths. */
function overlayPath(node: EmscriptenNode): string {
  const names: string[] = [];
  let n = node;
  while (n.parent !== n) {
    names.push(n.name);
    n = n.parent;
  }
  const root = optionsOf(n.mount).root;
  const rel = names.reverse().join('/');
  if (rel === '') return root;
  return root.endsWith('/') ? root + rel : `${root}/${rel}`;
}

function childPath(parent: EmscriptenNode, name: string): string {
  const dir = overlayPath(parent);
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function toStat(stats: SyncStats): EmscriptenStat {
  return {
    dev: stats.dev,
    ino: stats.ino,
    mode: stats.mode,
    nlink: stats.nlink,
    uid: stats.uid,
    gid: stats.gid,
    rdev: stats.rdev,
    size: stats.size,
    atime: stats.atime,
    mtime: stats.mtime,
    ctime: stats.ctime,
    blksize: stats.blksize,
    blocks: stats.blocks,
  };
}

/**
 * Makes the Emscripten filesystem type that shows a Vellum overlay: every call Emscripten makes
 * (lookup, stat, open, read, write, rename, …) goes to the overlay's synchronous API at once, and
 * no copy of the tree is kept in MEMFS. Emscripten keeps only its cache of names (`FS.nameTable`);
 * a node's mode there is refreshed by every `stat`.
 *
 * Emscripten's FS resolves paths itself (symlinks included, an absolute target from the program's
 * root, as the kernel does for an overlay mount), so the overlay is always asked about a resolved
 * path of the mount, with `lstat`.
 *
 * @param FS - the program's Emscripten `FS` (Pyodide: `pyodide.FS`)
 * @returns the type to give `FS.mount`, with {@link VellumMountOptions}
 *
 * @example
 * ```ts
 * import { loadPyodide } from 'pyodide';
 * import { MemoryLayer, MemoryUpper, Overlay } from '@vellum/core';
 * import { createVellumFS } from '@vellum/emscripten';
 * const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree({ 'data.csv': 'a,b\n1,2\n' })], upper: new MemoryUpper() });
 * const pyodide = await loadPyodide();
 * pyodide.FS.mkdirTree('/home/pyodide/work');
 * pyodide.FS.mount(createVellumFS(pyodide.FS), { fs: ov }, '/home/pyodide/work');
 * pyodide.runPython("open('/home/pyodide/work/out.txt', 'w').write('hi')");
 * await ov.changes(); // [{ path: '/out.txt', type: 'file', change: 'added' }]
 * ```
 */
export function createVellumFS(FS: EmscriptenFS): EmscriptenFsType {
  /**
   * A file `mknod` just created, still open: `FS.open` creates a file with `mknod` and opens it
   * as the very next call, so the creation's descriptor is handed to that open instead of being
   * closed and opened again (two synchronous round trips fewer per new file in way (b)). Any other
   * call first closes it (`os.mknod` alone, or `FS.create`, never opens it).
   */
  let created: { node: EmscriptenNode; fs: SyncFs; fd: number } | undefined;
  const closeCreated = (): void => {
    const c = created;
    if (!c) return;
    created = undefined;
    try {
      c.fs.closeSync(c.fd);
    } catch {
      // Nothing else holds this descriptor: whatever the close answered, it is gone.
    }
  };
  const call = <T>(body: () => T): T => {
    closeCreated();
    return errnoCall(FS, body);
  };
  const fsOf = (node: EmscriptenNode): SyncFs => optionsOf(node.mount).fs;
  const fail = (code: keyof typeof EMSCRIPTEN_ERRNO): never => {
    throw new FS.ErrnoError(EMSCRIPTEN_ERRNO[code]);
  };

  function makeNode(parent: EmscriptenNode | null, name: string, mode: number): EmscriptenNode {
    const node = FS.createNode(parent, name, mode, 0);
    node.node_ops = nodeOps;
    node.stream_ops = streamOps;
    return node;
  }

  /** A stat that also brings Emscripten's cached mode up to date (another client may have changed it). */
  function statNode(node: EmscriptenNode): EmscriptenStat {
    const stats = call(() => fsOf(node).lstatSync(overlayPath(node)));
    node.mode = stats.mode;
    return toStat(stats);
  }

  function setNodeAttr(node: EmscriptenNode, attr: EmscriptenAttr): void {
    const fs = fsOf(node);
    const path = overlayPath(node);
    call(() => {
      if (attr.mode !== undefined) {
        const perm = attr.mode & 0o7777;
        if (attr.dontFollow) fs.lchmodSync(path, perm);
        else fs.chmodSync(path, perm);
        node.mode = (node.mode & S_IFMT) | perm;
      }
      if (attr.atime !== undefined || attr.mtime !== undefined) {
        // Emscripten may set one of the two (utimensat with UTIME_OMIT): keep the other.
        const now = attr.atime === undefined || attr.mtime === undefined ? fs.lstatSync(path) : undefined;
        const atime = attr.atime !== undefined ? new Date(attr.atime) : (now as SyncStats).atime;
        const mtime = attr.mtime !== undefined ? new Date(attr.mtime) : (now as SyncStats).mtime;
        if (attr.dontFollow) fs.lutimesSync(path, atime, mtime);
        else fs.utimesSync(path, atime, mtime);
      }
      if (attr.size !== undefined) fs.truncateSync(path, attr.size);
    });
  }

  const nodeOps: NodeOps = {
    getattr: statNode,
    setattr: setNodeAttr,
    lookup(parent, name) {
      const stats = call(() => fsOf(parent).lstatSync(childPath(parent, name)));
      return makeNode(parent, name, stats.mode);
    },
    mknod(parent, name, mode) {
      const fs = fsOf(parent);
      const path = childPath(parent, name);
      const type = mode & S_IFMT;
      const perm = mode & 0o7777;
      // The node's mode is the type and the asked permissions, without a stat: Emscripten checks
      // only the type (it ignores permissions), and `getattr` brings the umask's effect in.
      if (type === S_IFDIR) {
        call(() => fs.mkdirSync(path, { mode: perm }));
        return makeNode(parent, name, mode);
      }
      if (type !== S_IFREG) return fail('EPERM'); // no device files, FIFOs or sockets in an overlay
      // O_CREAT|O_EXCL|O_RDWR: made by one overlay operation, refused if it exists, kept open for
      // the open that follows (see `created`).
      const fd = call(() => fs.openSync(path, O_CREAT | O_EXCL | O_RDWR, perm));
      const node = makeNode(parent, name, mode);
      created = { node, fs, fd };
      return node;
    },
    rename(oldNode, newDir, newName) {
      const fs = fsOf(oldNode);
      const from = overlayPath(oldNode);
      const to = childPath(newDir, newName);
      // A name the rename replaces must leave Emscripten's cache with it, or a later lookup of
      // newName would find the replaced node (FS.rename does not drop it itself).
      let replaced: EmscriptenNode | undefined;
      try {
        replaced = FS.lookupNode(newDir, newName);
      } catch {
        replaced = undefined;
      }
      call(() => fs.renameSync(from, to));
      if (replaced && replaced !== oldNode) FS.destroyNode(replaced);
      oldNode.name = newName;
    },
    unlink(parent, name) {
      call(() => fsOf(parent).unlinkSync(childPath(parent, name)));
    },
    rmdir(parent, name) {
      call(() => fsOf(parent).rmdirSync(childPath(parent, name)));
    },
    readdir(node) {
      return ['.', '..', ...call(() => fsOf(node).readdirSync(overlayPath(node)))];
    },
    symlink(parent, newName, oldPath) {
      const fs = fsOf(parent);
      const path = childPath(parent, newName);
      call(() => fs.symlinkSync(oldPath, path));
      return makeNode(parent, newName, S_IFLNK | 0o777);
    },
    readlink(node) {
      return call(() => fsOf(node).readlinkSync(overlayPath(node)));
    },
  };

  const shared = (stream: EmscriptenStream): SharedHandle => stream.shared as SharedHandle;
  /** The overlay descriptor of an open file; directories and symlinks have none. */
  const fdOf = (stream: EmscriptenStream): number => {
    const fd = shared(stream).vellumFd;
    return fd === undefined ? fail('EBADF') : fd;
  };
  const bytesOf = (buffer: ArrayBufferView, offset: number, length: number): Uint8Array =>
    new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length);

  const streamOps: StreamOps = {
    getattr(stream) {
      const fd = shared(stream).vellumFd;
      if (fd === undefined) return statNode(stream.node);
      // By descriptor: a file unlinked while open still answers, as on Linux.
      return toStat(call(() => fsOf(stream.node).fstatSync(fd)));
    },
    setattr(stream, attr) {
      const fd = shared(stream).vellumFd;
      if (fd === undefined) return setNodeAttr(stream.node, attr);
      const fs = fsOf(stream.node);
      call(() => {
        if (attr.mode !== undefined) fs.fchmodSync(fd, attr.mode & 0o7777);
        if (attr.atime !== undefined || attr.mtime !== undefined) {
          const now = fs.fstatSync(fd);
          fs.futimesSync(
            fd,
            attr.atime !== undefined ? new Date(attr.atime) : now.atime,
            attr.mtime !== undefined ? new Date(attr.mtime) : now.mtime,
          );
        }
        if (attr.size !== undefined) fs.ftruncateSync(fd, attr.size);
      });
    },
    open(stream) {
      if (!FS.isFile(stream.node.mode)) return; // a directory stream lists by path (getdents → readdir)
      let fd: number;
      if (created?.node === stream.node) {
        // The file this FS.open created: its descriptor is open for reading and writing, and
        // FS.read/FS.write check the stream's own access mode before calling us.
        fd = created.fd;
        created = undefined;
      } else {
        // FS.open has already truncated (setattr) the file; O_APPEND is applied by FS.write, which
        // seeks to the end first, so the descriptor only needs its access mode.
        fd = call(() => fsOf(stream.node).openSync(overlayPath(stream.node), stream.flags & O_ACCMODE));
      }
      shared(stream).vellumFd = fd;
      shared(stream).vellumRefs = 1;
    },
    dup(stream) {
      const handle = shared(stream);
      if (handle.vellumFd !== undefined) handle.vellumRefs = (handle.vellumRefs ?? 0) + 1;
    },
    close(stream) {
      const handle = shared(stream);
      if (handle.vellumFd === undefined) return;
      handle.vellumRefs = (handle.vellumRefs ?? 1) - 1;
      if (handle.vellumRefs > 0) return;
      const fd = handle.vellumFd;
      handle.vellumFd = undefined;
      call(() => fsOf(stream.node).closeSync(fd));
    },
    read(stream, buffer, offset, length, position) {
      const fd = fdOf(stream);
      return call(() => fsOf(stream.node).readSync(fd, bytesOf(buffer, offset, length), 0, length, position));
    },
    write(stream, buffer, offset, length, position) {
      const fd = fdOf(stream);
      return call(() =>
        fsOf(stream.node).writeSync(fd, bytesOf(buffer, offset, length), 0, length, position),
      );
    },
    llseek(stream, offset, whence) {
      let position = offset;
      if (whence === SEEK_CUR) position += stream.position;
      else if (whence === SEEK_END && FS.isFile(stream.node.mode)) {
        const fd = fdOf(stream);
        position += call(() => fsOf(stream.node).fstatSync(fd)).size;
      }
      if (position < 0) fail('EINVAL');
      return position;
    },
    mmap(stream, length, position, _prot, _flags) {
      if (!FS.isFile(stream.node.mode)) fail('ENODEV');
      const memory = optionsOf(stream.node.mount).memory;
      if (!memory) return fail('ENODEV');
      // A copy in the program's memory, page-aligned as Emscripten's own mmapAlloc does; shared
      // mappings are written back by msync (and by munmap, which calls it).
      const size = Math.ceil(length / WASM_PAGE) * WASM_PAGE;
      const ptr = memory._memalign(WASM_PAGE, size);
      if (!ptr) return fail('ENODEV');
      const heap = memory.HEAPU8;
      heap.fill(0, ptr, ptr + size);
      streamOps.read?.(stream, heap, ptr, length, position);
      return { ptr, allocated: true };
    },
    msync(stream, buffer, offset, length, mmapFlags) {
      if (mmapFlags & MAP_PRIVATE) return 0;
      streamOps.write?.(stream, buffer, 0, length, offset);
      return 0;
    },
  };

  return {
    mount(mount: EmscriptenMount): EmscriptenNode {
      const opts = mount.opts as Partial<VellumMountOptions> | undefined;
      if (!opts || typeof opts.fs?.lstatSync !== 'function') {
        const error = new TypeError(
          'VellumFS: FS.mount needs { fs: overlay } (an Overlay from @vellum/core, or another SyncFs)',
        ) as TypeError & { code: string };
        error.code = 'ERR_INVALID_ARG_TYPE';
        throw error;
      }
      const root = opts.root ?? '/';
      (mount.opts as VellumMountOptions).root = root;
      const stats = call(() => (opts.fs as SyncFs).lstatSync(root));
      if ((stats.mode & S_IFMT) !== S_IFDIR) fail('ENOTDIR');
      return makeNode(null, '/', stats.mode);
    },
  };
}
