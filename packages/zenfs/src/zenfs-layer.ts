/** `zenfsLayer`: any ZenFS `FileSystem` (InMemory, WebAccess, Fetch, …) as a read-only Vellum lower. */
import type { LowerEntry, LowerLayer } from '@vellum/core';
import type { FileSystem } from '@zenfs/core';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;

/** How {@link zenfsLayer} names and roots the layer. */
export interface ZenfsLayerOptions {
  /**
   * The content's identity (an upper records the ids of the lowers it was built
   * on). Default: the filesystem's name and label, which says nothing of its
   * content: give a version or digest when an upper outlives the page.
   */
  id?: string;
  /** The directory of `fs` that becomes the layer's root (default `/`). */
  root?: string;
}

interface FileRef {
  path: string;
  size: number;
}

const decoder = new TextDecoder();
const join = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);

/**
 * A ZenFS filesystem as a lower: listed once (a walk of `readdir` and `stat`),
 * then read by range. Sync reads are answered where the filesystem's own
 * `readSync` is (InMemory, anything ZenFS has preloaded); elsewhere the engine
 * reports EAGAIN naming this layer. The filesystem must not change under the overlay.
 *
 * @example
 * ```ts
 * import { InMemory } from '@zenfs/core';
 * const base = InMemory.create({});
 * base.mkdirSync('/src', { mode: 0o755, uid: 0, gid: 0 });
 * const backend = new OverlayBackend({ lowers: [zenfsLayer(base)], upper: new MemoryUpper() });
 * ```
 */
export function zenfsLayer(fs: FileSystem, options: ZenfsLayerOptions = {}): LowerLayer {
  const root = options.root ?? '/';
  const at = (path: string): string => (root === '/' ? path : path === '/' ? root : root + path);
  return {
    id: options.id ?? `zenfs:${fs.name}:${fs.label ?? ''}:${root}`,
    entries: () => walk(fs, at),
    async read(ref: unknown, offset: number, length: number): Promise<Uint8Array> {
      const { path, size } = ref as FileRef;
      const end = Math.min(size, offset + length);
      const out = new Uint8Array(Math.max(0, end - offset));
      if (out.byteLength > 0) await fs.read(at(path), out, offset, end);
      return out;
    },
    readSync(ref: unknown, offset: number, length: number): Uint8Array | undefined {
      const { path, size } = ref as FileRef;
      const end = Math.min(size, offset + length);
      const out = new Uint8Array(Math.max(0, end - offset));
      try {
        if (out.byteLength > 0) fs.readSync(at(path), out, offset, end);
      } catch {
        // An async-only filesystem (or a part it has not preloaded): the engine reports EAGAIN.
        return undefined;
      }
      return out;
    },
  };
}

/** The whole listing, then each file's link count from the names found (not the filesystem's nlink, which may count names outside `root`). */
async function* walk(fs: FileSystem, at: (path: string) => string): AsyncGenerator<LowerEntry> {
  const entries = await list(fs, at);
  const links = new Map<string, number>();
  for (const e of entries) if (e.kind === 'hardlink') links.set(e.linkOf, (links.get(e.linkOf) ?? 1) + 1);
  for (const e of entries) yield e.kind === 'file' ? { ...e, nlink: links.get(e.path) ?? 1 } : e;
}

async function list(fs: FileSystem, at: (path: string) => string): Promise<LowerEntry[]> {
  const out: LowerEntry[] = [];
  /** The first path of each multiply-linked inode: later names are hard links to it. */
  const firstName = new Map<number, string>();
  const pending = ['/'];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    for (const name of await fs.readdir(at(dir))) {
      const path = join(dir, name);
      const st = await fs.stat(at(path));
      const meta = {
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        atimeMs: st.atimeMs,
        mtimeMs: st.mtimeMs,
        ctimeMs: st.ctimeMs,
        birthtimeMs: st.birthtimeMs,
      };
      const type = st.mode & S_IFMT;
      if (type === S_IFDIR) {
        out.push({ ...meta, path, kind: 'dir' });
        pending.push(path);
      } else if (type === S_IFLNK) {
        // ZenFS stores a symlink's target as its contents.
        const bytes = new Uint8Array(st.size);
        await fs.read(at(path), bytes, 0, st.size);
        out.push({ ...meta, path, kind: 'symlink', target: decoder.decode(bytes) });
      } else if (type === S_IFREG) {
        const first = st.nlink > 1 ? firstName.get(st.ino) : undefined;
        if (first !== undefined) {
          out.push({ path, kind: 'hardlink', linkOf: first });
          continue;
        }
        if (st.nlink > 1) firstName.set(st.ino, path);
        const ref: FileRef = { path, size: st.size };
        out.push({ ...meta, path, kind: 'file', size: st.size, ref });
      }
      // Devices, FIFOs and sockets have no place in a lower layer: left out.
    }
  }
  return out;
}
