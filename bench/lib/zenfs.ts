/**
 * Building the peer: ZenFS (@zenfs/core 2.x) `CopyOnWrite` over `InMemory` layers.
 *
 * What ZenFS offers (read from dist/backends/cow.js): `CopyOnWriteFS(readable, writable)`
 * takes exactly one readable and one writable FileSystem. Reads try the writable first
 * (`writable.stat`, falling back to `readable.stat` on any error), writes copy the whole
 * file up to the writable. Any FileSystem may be the readable, including another
 * CopyOnWriteFS, and the writable only has to lack the `no_write` attribute. So an
 * N-lower stack is built by nesting:
 *
 *   CoW(readable: CoW(readable: CoW(… L[N-1], writable: L[N-2]) …, writable: L[0]), writable: upper)
 *
 * i.e. N CopyOnWriteFS instances, where the inner ones use a pre-populated lower as their
 * "writable". Nothing is ever written through the inner ones in these benchmarks, so the
 * lower layers stay as built. For N = 1 it is the plain `CoW(L0, upper)` ZenFS documents.
 */
import {
  CopyOnWrite,
  type CopyOnWriteFS,
  constants,
  type FileSystem,
  Index,
  InMemoryStore,
  Inode,
  StoreFS,
} from '@zenfs/core';
import type { LayerContent } from './stack.js';

const DIR = { mode: 0o755, uid: 0, gid: 0 } as const;
const FILE = { mode: 0o644, uid: 0, gid: 0 } as const;

/** An InMemory file system together with its store, so stored bytes can be counted. */
export interface ZenMemory {
  readonly fs: StoreFS<InMemoryStore>;
  readonly store: InMemoryStore;
}

/**
 * Same as `InMemory.create({ label })` (dist/backends/memory.js: `new StoreFS(new
 * InMemoryStore(...))` then `checkRootSync()`), but keeps the store reference because
 * `StoreFS.store` is protected and the copy-up benchmark needs to measure it.
 */
export function zenMemory(label: string): ZenMemory {
  const store = new InMemoryStore(undefined, label);
  const fs = new StoreFS(store);
  fs.checkRootSync();
  return { fs, store };
}

/** Populates a fresh InMemory layer through its public sync API. */
export function zenLayer(content: LayerContent, label: string): ZenMemory {
  const layer = zenMemory(label);
  for (const dir of content.dirs) layer.fs.mkdirSync(dir, DIR);
  for (const file of content.files) {
    layer.fs.createFileSync(file.path, FILE);
    layer.fs.writeSync(file.path, file.data, 0);
  }
  return layer;
}

/**
 * The same layer as {@link zenLayer}, built in O(entries): every inode record and each
 * directory's listing are written once (`StoreFS.loadIndexSync`, the path `Fetch` uses for
 * its index), then each file's data through `writeSync`. `zenLayer` creates files one by
 * one, and each create re-encodes the parent's whole listing: 10,000 files in one
 * directory took 52 s, so a 100,000-name directory cannot be built that way.
 */
export function zenLayerIndexed(content: LayerContent, label: string): ZenMemory {
  const store = new InMemoryStore(undefined, label);
  const fs = new StoreFS(store);
  const index = new Index();
  // Store ids: an inode's record at `ino`, its data (a listing, or file bytes) at `data`.
  let next = 0;
  const add = (path: string, mode: number): void => {
    const ino = next;
    next += 2;
    index.set(
      path,
      new Inode({ ...(mode & constants.S_IFDIR ? DIR : FILE), mode, ino, data: ino + 1, nlink: 1 }),
    );
  };
  add('/', constants.S_IFDIR | DIR.mode);
  for (const dir of content.dirs) add(dir, constants.S_IFDIR | DIR.mode);
  for (const file of content.files) add(file.path, constants.S_IFREG | FILE.mode);
  fs.loadIndexSync(index);
  for (const file of content.files) fs.writeSync(file.path, file.data, 0);
  return { fs, store };
}

/** Nests CopyOnWrite as described above; `lowers[0]` is the top lower. */
export async function zenStack(lowers: readonly FileSystem[], upper: FileSystem): Promise<CopyOnWriteFS> {
  const bottom = lowers[lowers.length - 1];
  if (!bottom) throw new Error('zenStack needs at least one lower');
  let readable: FileSystem = bottom;
  for (let i = lowers.length - 2; i >= 0; i--) {
    readable = await CopyOnWrite.create({ readable, writable: lowers[i] as FileSystem });
  }
  return await CopyOnWrite.create({ readable, writable: upper });
}

export interface StoreBytes {
  /** Sum of the byte lengths of every value in the store (inodes, listings, file data). */
  readonly valueBytes: number;
  /** Sum of the distinct backing ArrayBuffers; catches views onto larger allocations. */
  readonly backingBytes: number;
  /** ZenFS's own estimate (`InMemoryStore.bytes`: 4 bytes per key + value bytes). */
  readonly zenfsBytes: number;
  readonly entries: number;
}

export function storeBytes(store: InMemoryStore): StoreBytes {
  let valueBytes = 0;
  let backingBytes = 0;
  const seen = new Set<ArrayBufferLike>();
  for (const value of store.values()) {
    valueBytes += value.byteLength;
    if (!seen.has(value.buffer)) {
      seen.add(value.buffer);
      backingBytes += value.buffer.byteLength;
    }
  }
  return { valueBytes, backingBytes, zenfsBytes: store.bytes, entries: store.size };
}
