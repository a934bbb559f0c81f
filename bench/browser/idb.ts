/**
 * Page module of the `idb-chromium` suite (bench/suites/idb-chromium.ts): the
 * same small-file workload on Vellum's IndexedDB upper and on its peers, each
 * round on fresh databases, sides interleaved round by round in one Chromium
 * page; and a 1-byte write into a 16 MiB lower file.
 *
 * Bytes put into IndexedDB are counted by wrapping `IDBObjectStore.prototype.put`
 * (and `add`) in this page, so a figure is what a side actually handed to the
 * database, not what it is assumed to store.
 */
import FS from '@isomorphic-git/lightning-fs';
import { MemoryLayer, Overlay } from '@vellum/core';
import { IndexedDBUpper } from '@vellum/core/idb';
import { CopyOnWrite, InMemory, mount, umount, fs as zenfs } from '@zenfs/core';
import { IndexedDB } from '@zenfs/dom';
import type { OpfsSideRequest } from './opfs-side.js';
import { checkRead, fileData } from './small-files-data.js';

/** The sides of the small-file figure. */
export type SmallFilesSide =
  | 'vellum-strict'
  | 'vellum-writeback'
  | 'vellum-opfs'
  | 'vellum-mirrored'
  | 'zenfs-cow'
  | 'lightning-fs'
  | 'idb-put';

/** Sides that need `FileSystemSyncAccessHandle`: measured in a dedicated worker (opfs-side.ts). */
const WORKER_SIDES = new Set<SmallFilesSide>(['vellum-opfs', 'vellum-mirrored']);

export const SIDES: readonly SmallFilesSide[] = [
  'vellum-strict',
  'vellum-writeback',
  'vellum-opfs',
  'vellum-mirrored',
  'zenfs-cow',
  'lightning-fs',
  'idb-put',
];

/** What the page counts; reset by each measurement. */
const counts = { puts: 0, bytes: 0, transactions: 0, readTransactions: 0 };

/**
 * Bytes of a value as handed to IndexedDB: binary data exactly (what a copy-up
 * figure is about), strings by length, 8 per number, walked without copying.
 */
function valueBytes(value: unknown, depth = 0): number {
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof Blob) return value.size;
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number') return 8;
  if (value === null || typeof value !== 'object' || depth > 8) return 0;
  let n = 0;
  if (Array.isArray(value)) for (const v of value) n += valueBytes(v, depth + 1);
  else for (const [k, v] of Object.entries(value)) n += k.length + valueBytes(v, depth + 1);
  return n;
}

/** Wraps `put`, `add` and `transaction` once, for the life of the page. */
function instrument(): void {
  const proto = IDBObjectStore.prototype as IDBObjectStore & { __counted?: true };
  if (proto.__counted) return;
  proto.__counted = true;
  const put = proto.put;
  const add = proto.add;
  proto.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    counts.puts++;
    counts.bytes += valueBytes(value);
    return put.call(this, value, key);
  };
  proto.add = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    counts.puts++;
    counts.bytes += valueBytes(value);
    return add.call(this, value, key);
  };
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (
    this: IDBDatabase,
    ...args: Parameters<IDBDatabase['transaction']>
  ) {
    if (args[1] === 'readwrite') counts.transactions++;
    else counts.readTransactions++;
    return transaction.apply(this, args);
  } as IDBDatabase['transaction'];
}

function resetCounts(): void {
  counts.puts = 0;
  counts.bytes = 0;
  counts.transactions = 0;
  counts.readTransactions = 0;
}

const deleteDatabase = (name: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
    r.onblocked = () => resolve();
  });

export interface OneByteResult {
  side: 'vellum' | 'zenfs-cow';
  /** Bytes handed to `IDBObjectStore.put`/`add` for the write (and what makes it stored). */
  bytesPut: number;
  puts: number;
  ms: number;
}

/** What one round of one side measured. */
export interface SmallFilesResult {
  side: SmallFilesSide;
  /** From the first write's call to the last write acknowledged (write-back: to `sync()` resolved). */
  writeMs: number;
  /** Reading every file back, one `readFile` at a time, on the same instance. */
  readMs: number;
  /**
   * Vellum: `close()`, which folds the journal into keyed records (the work a
   * strict run defers to idle time); lightning-fs: `flush()` of its superblock
   * (the directory tree it otherwise saves on a 500 ms debounce). 0 for the others.
   */
  closeMs: number;
  /** Vellum only: a new overlay on the workspace (as after a reload) reading every file back. */
  reopenReadMs: number;
  /** `put`/`add` requests and read-write transactions the writes (and the write-back barrier) issued. */
  puts: number;
  transactions: number;
  bytesPut: number;
}

interface SmallFilesFs {
  write(path: string, data: Uint8Array): Promise<void>;
  /** Called once after the last write (write-back: the barrier). */
  flush(): Promise<void>;
  read(path: string): Promise<Uint8Array>;
  /** What a page does before it goes (Vellum: fold the journal; lightning-fs: save the superblock). */
  close(): Promise<void>;
  /** Vellum: opens the workspace again, as a reload would. */
  reopen?(): Promise<(path: string) => Promise<Uint8Array>>;
  drop(): Promise<void>;
}

let seq = 0;

const vellumLowers = () => [MemoryLayer.fromTree({ d: {} }, { id: 'bench-lower', mtimeMs: 1 })];

async function openSide(side: SmallFilesSide, db: string): Promise<SmallFilesFs> {
  switch (side) {
    case 'vellum-strict':
    case 'vellum-writeback': {
      const upper = new IndexedDBUpper({ name: db, writeBack: side === 'vellum-writeback' });
      const ov = await Overlay.create({ lowers: vellumLowers(), upper });
      let again: Overlay | undefined;
      return {
        write: (p, d) => ov.writeFile(p, d),
        flush: () => ov.sync(),
        read: (p) => ov.readFile(p),
        close: () => ov.close(),
        reopen: async () => {
          again = await Overlay.create({ lowers: vellumLowers(), upper: new IndexedDBUpper({ name: db }) });
          const reader = again;
          return (p) => reader.readFile(p);
        },
        drop: async () => {
          await again?.close();
          await IndexedDBUpper.delete(db);
        },
      };
    }
    case 'zenfs-cow': {
      const readable = await InMemory.create({ label: 'bench-lower' });
      readable.mkdirSync('/d', { mode: 0o755, uid: 0, gid: 0 });
      const writable = await IndexedDB.create({ storeName: db });
      const cow = await CopyOnWrite.create({ readable, writable });
      const at = `/${db}`;
      mount(at, cow);
      return {
        write: (p, d) => zenfs.promises.writeFile(at + p, d),
        flush: async () => {},
        read: async (p) => new Uint8Array(await zenfs.promises.readFile(at + p)),
        close: async () => {},
        drop: async () => {
          umount(at);
          // StoreFS keeps its store protected; the connection must close for the delete to go through.
          (writable as unknown as { store: { db: IDBDatabase } }).store.db.close();
          await deleteDatabase(db);
        },
      };
    }
    case 'lightning-fs': {
      const lfs = new FS(db, { wipe: true });
      await lfs.promises.mkdir('/d');
      return {
        write: (p, d) => lfs.promises.writeFile(p, d),
        flush: async () => {},
        read: async (p) => (await lfs.promises.readFile(p)) as Uint8Array,
        // Its directory tree is saved on a 500 ms debounce; flush() is its barrier.
        close: () => lfs.promises.flush(),
        drop: async () => {
          // It closes its connection after 500 ms without calls; the delete waits for that.
          await deleteDatabase(db);
          await deleteDatabase(`${db}_lock`);
        },
      };
    }
    case 'vellum-opfs':
    case 'vellum-mirrored':
      throw new Error(`${side} runs in its worker (opfs-side.ts), not in the page`);
    case 'idb-put': {
      // idb-keyval's `set`: one read-write transaction with one put per file, default durability.
      const conn = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(db, 1);
        r.onupgradeneeded = () => r.result.createObjectStore('kv');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const done = (tx: IDBTransaction) =>
        new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onabort = () => reject(tx.error);
        });
      return {
        write: (p, d) => {
          const tx = conn.transaction('kv', 'readwrite');
          tx.objectStore('kv').put(d, p);
          return done(tx);
        },
        flush: async () => {},
        read: (p) =>
          new Promise((resolve, reject) => {
            const r = conn.transaction('kv', 'readonly').objectStore('kv').get(p);
            r.onsuccess = () => resolve(r.result as Uint8Array);
            r.onerror = () => reject(r.error);
          }),
        close: async () => {},
        drop: async () => {
          conn.close();
          await deleteDatabase(db);
        },
      };
    }
  }
}

/**
 * One round of one side: `n` files of `size` bytes written one `await` at a
 * time into `/d` (then the write-back barrier), read back one at a time, the
 * side closed, and (Vellum) the workspace reopened and read back again.
 */
export async function smallFiles(side: SmallFilesSide, n: number, size: number): Promise<SmallFilesResult> {
  if (WORKER_SIDES.has(side)) return inWorker({ side: side as OpfsSideRequest['side'], n, size });
  instrument();
  const db = `bench-${side}-${Date.now()}-${seq++}`;
  const fs = await openSide(side, db);
  const data = Array.from({ length: n }, (_, i) => fileData(i, size));
  const path = (i: number) => `/d/f${i}.bin`;
  try {
    resetCounts();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fs.write(path(i), data[i] as Uint8Array);
    await fs.flush();
    const t1 = performance.now();
    const { puts, bytes, transactions } = counts;
    for (let i = 0; i < n; i++) checkRead(side, i, await fs.read(path(i)), size);
    const t2 = performance.now();
    await fs.close();
    const t3 = performance.now();
    let reopenReadMs = 0;
    if (fs.reopen) {
      const t4 = performance.now();
      const read = await fs.reopen();
      for (let i = 0; i < n; i++) checkRead(`${side} reopened`, i, await read(path(i)), size);
      reopenReadMs = performance.now() - t4;
    }
    return {
      side,
      writeMs: t1 - t0,
      readMs: t2 - t1,
      closeMs:
        side === 'vellum-strict' || side === 'vellum-writeback' || side === 'lightning-fs' ? t3 - t2 : 0,
      reopenReadMs,
      puts,
      transactions,
      bytesPut: bytes,
    };
  } finally {
    await fs.drop();
  }
}

/** One round of an OPFS side, measured in a dedicated worker of its own. */
function inWorker(request: OpfsSideRequest): Promise<SmallFilesResult> {
  const worker = new Worker(new URL('./opfs-side.ts', import.meta.url), { type: 'module' });
  return new Promise<SmallFilesResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<SmallFilesResult | { error: string }>) => {
      if ('error' in event.data) reject(new Error(event.data.error));
      else resolve(event.data);
    };
    worker.onerror = (event) => reject(new Error(`${request.side}: the worker failed: ${event.message}`));
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

/**
 * `rounds` rounds of every side in `sides`, the order rotating from round to
 * round, so that load from other processes lands on every side of a round
 * alike; per-round ratios are then meaningful on a busy machine.
 */
export async function smallFilesRounds(
  sides: readonly SmallFilesSide[],
  rounds: number,
  n: number,
  size: number,
): Promise<Record<string, SmallFilesResult[]>> {
  const out: Record<string, SmallFilesResult[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(k + r) % sides.length] as SmallFilesSide;
      const result = await smallFiles(side, n, size);
      let mine = out[side];
      if (mine === undefined) {
        mine = [];
        out[side] = mine;
      }
      mine.push(result);
    }
  }
  return out;
}

const MiB = 1024 * 1024;
const BIG = 16 * MiB;
const AT = 8 * MiB + 12_345;

/** The 16 MiB lower file: distinct bytes, so a wrong copy-up or read-back is caught. */
function bigFile(): Uint8Array {
  const data = new Uint8Array(BIG);
  for (let i = 0; i < BIG; i++) data[i] = (i * 7 + (i >>> 12)) & 0xff;
  data[AT] = 0xa5 ^ 0xff;
  return data;
}

function checkBig(side: string, got: Uint8Array, original: Uint8Array): void {
  if (got.byteLength !== BIG) throw new Error(`${side}: size ${got.byteLength} after the write`);
  if (got[AT] !== 0xa5) throw new Error(`${side}: the written byte reads ${got[AT]}`);
  for (const i of [0, AT - 1, AT + 1, BIG - 1]) {
    if (got[i] !== original[i]) throw new Error(`${side}: byte ${i} changed`);
  }
}

/**
 * Open a 16 MiB lower file `r+`, write 1 byte in its middle, close it (Vellum:
 * and the overlay, folding any journal): the bytes and requests handed to
 * IndexedDB for it, counted at `IDBObjectStore.put`/`add`.
 */
export async function oneByte(side: 'vellum' | 'zenfs-cow'): Promise<OneByteResult> {
  instrument();
  const original = bigFile();
  const db = `bench-1b-${side}-${Date.now()}-${seq++}`;
  if (side === 'vellum') {
    const lowers = () => [
      MemoryLayer.fromEntries([{ path: '/big.bin', kind: 'file', data: original }], { id: 'big' }),
    ];
    const ov = await Overlay.create({ lowers: lowers(), upper: new IndexedDBUpper({ name: db }) });
    try {
      resetCounts();
      const t0 = performance.now();
      const fh = await ov.open('/big.bin', 'r+');
      await fh.write(new Uint8Array([0xa5]), 0, 1, AT);
      await fh.close();
      await ov.close();
      const ms = performance.now() - t0;
      const { bytes, puts } = counts;
      const again = await Overlay.create({ lowers: lowers(), upper: new IndexedDBUpper({ name: db }) });
      checkBig(side, await again.readFile('/big.bin'), original);
      await again.close();
      return { side, bytesPut: bytes, puts, ms };
    } finally {
      await IndexedDBUpper.delete(db);
    }
  }
  const readable = await InMemory.create({ label: 'big' });
  await readable.createFile('/big.bin', { mode: 0o644, uid: 0, gid: 0 });
  await readable.write('/big.bin', original, 0);
  const writable = await IndexedDB.create({ storeName: db });
  const at = `/${db}`;
  mount(at, await CopyOnWrite.create({ readable, writable }));
  try {
    resetCounts();
    const t0 = performance.now();
    const fh = await zenfs.promises.open(`${at}/big.bin`, 'r+');
    await fh.write(new Uint8Array([0xa5]), 0, 1, AT);
    await fh.close();
    const ms = performance.now() - t0;
    const { bytes, puts } = counts;
    checkBig(side, new Uint8Array(await zenfs.promises.readFile(`${at}/big.bin`)), original);
    return { side, bytesPut: bytes, puts, ms };
  } finally {
    umount(at);
    (writable as unknown as { store: { db: IDBDatabase } }).store.db.close();
    await deleteDatabase(db);
  }
}
