/**
 * What IndexedDBUpper promises beyond the semantics suite: one transaction per
 * operation with strict durability, a full quota is ENOSPC with nothing stored
 * and nothing changed, write-back groups and their barrier, delete, fsck.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { databaseName, STORE } from '../src/idb/database.js';
import { IndexedDBUpper, type IndexedDBUpperOptions } from '../src/idb/index.js';
import { chunkKey, direntKey, sizeKey } from '../src/idb/keys.js';
import { Overlay } from '../src/index.js';
import { layersOf, rejection, text } from './helpers.js';

const trees = [{ d: { f: 'lower f', sub: { g: 'lower g' } }, keep: 'k' }];

function workspace(options: Partial<IndexedDBUpperOptions> = {}) {
  const factory = new IDBFactory();
  const make = (extra: Partial<IndexedDBUpperOptions> = {}) =>
    new IndexedDBUpper({ name: 'w', factory, ...options, ...extra });
  const open = (upper = make()) => Overlay.create({ lowers: layersOf(trees), upper });
  return { factory, make, open };
}

/** Read-write transactions opened while `fn` runs, with their options. */
async function readWriteTransactions(fn: () => Promise<unknown>): Promise<unknown[]> {
  const spy = vi.spyOn(IDBDatabase.prototype, 'transaction');
  try {
    await fn();
    return spy.mock.calls.filter((c) => c[1] === 'readwrite').map((c) => c[2]);
  } finally {
    spy.mockRestore();
  }
}

/** Chunk bytes in a stored value: a chunk record, or a journal record (a list of changes). */
function storedBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (!Array.isArray(value)) return 0;
  let n = 0;
  for (const c of value as { data?: unknown }[]) if (c?.data instanceof Uint8Array) n += c.data.byteLength;
  return n;
}

/**
 * A quota of sorts: a put of more than `limit` bytes is stored, then the
 * transaction aborts with QuotaExceededError — asynchronously, through a failed
 * request, as a browser's quota check does — and everything in it rolls back.
 */
function quota(limit: number): void {
  for (const method of ['put', 'add'] as const) {
    const original = IDBObjectStore.prototype[method];
    vi.spyOn(IDBObjectStore.prototype, method).mockImplementation(function (
      this: IDBObjectStore,
      value: unknown,
      key?: IDBValidKey,
    ) {
      const request = original.call(this, value, key);
      if (storedBytes(value) > limit) {
        // fake-indexeddb's way of running one more request in this transaction.
        const tx = this.transaction as unknown as { _execRequestAsync(o: object): void };
        tx._execRequestAsync({
          source: this,
          operation: () => {
            throw new DOMException('over quota', 'QuotaExceededError');
          },
        });
      }
      return request;
    });
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('IndexedDBUpper', () => {
  it('commits one operation as one strict read-write transaction', async () => {
    const { open } = workspace();
    const ov = await open();
    await ov.writeFile('/d/sub/new', 'x');
    const rm = await readWriteTransactions(() => ov.rm('/d', { recursive: true }));
    expect(rm).toEqual([{ durability: 'strict' }]);
    const rename = await readWriteTransactions(() => ov.rename('/keep', '/kept'));
    expect(rename).toHaveLength(1);
  });

  it('a full quota is ENOSPC: nothing stored, the view unchanged, the overlay still usable', async () => {
    const { open } = workspace();
    const ov = await open();
    await ov.writeFile('/d/f', 'small');
    const before = await ov.readdir('/', { recursive: true });
    const usage = await ov.usage();
    quota(1000);
    // A copy-up of /d, a rename and a large chunk: all of it or none.
    const e = await rejection(ov.writeFile('/d/sub/big', new Uint8Array(5000)));
    expect(e.code).toBe('ENOSPC');
    expect(e.cause).toMatchObject({ name: 'QuotaExceededError' });
    expect(await ov.readdir('/', { recursive: true })).toEqual(before);
    expect(ov.origin('/d/sub')).toMatchObject({ layer: 0, copiedUp: false });
    expect(await ov.usage()).toEqual(usage);
    await ov.writeFile('/d/sub/small', 'fits');
    vi.restoreAllMocks();
    const again = await open();
    expect(await again.readdir('/d/sub')).toEqual(['g', 'small']);
    expect(await text(again, '/d/f')).toBe('small');
    expect((await again.fsck()).problems).toEqual([]);
  });

  it('stores a chunk given as a view of a larger buffer as its own bytes only', async () => {
    const { make } = workspace();
    const upper = make();
    const big = new Uint8Array(1 << 20).fill(3);
    await upper.commit([{ op: 'put-chunk', ino: 5, index: 0, data: big.subarray(10, 20) }]);
    // Journaled (read by an upper that loaded it), then folded into a chunk record: its own 10 bytes each time.
    for (const fold of [false, true]) {
      if (fold) await upper.compact();
      const reader = make();
      await reader.load();
      const back = await reader.readChunk(5, 0);
      expect(back?.byteLength).toBe(10);
      expect(back?.buffer.byteLength).toBe(10);
      expect((await upper.usage()).bytes).toBe(10);
    }
  });

  it('clear() is one transaction; delete() removes the workspace even with a connection open', async () => {
    const { open, make, factory } = workspace();
    const ov = await open();
    await ov.writeFile('/a', 'A');
    await ov.writeFile('/d/f', 'changed');
    expect(await readWriteTransactions(() => ov.reset())).toHaveLength(1);
    expect(await ov.usage()).toEqual({ bytes: 0, entries: 0 });
    await ov.writeFile('/b', 'B');
    await IndexedDBUpper.delete('w', { factory });
    const names = (await factory.databases()).map((d) => d.name);
    expect(names).not.toContain(databaseName('w'));
    const fresh = await open(make());
    expect(await fresh.changes()).toEqual([]);
  });

  it('fsck reports dangling entries, orphan chunks and chunk records out of step', async () => {
    const { open, factory } = workspace();
    const ov = await open();
    await ov.writeFile('/d/f', 'changed');
    expect(await ov.fsck()).toMatchObject({ ok: true, problems: [] });
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = factory.open(databaseName('w'));
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      store.put(999, direntKey(1, 'ghost'));
      store.put(new Uint8Array(4), chunkKey(12345, 0));
      store.put(4, sizeKey(12345, 0));
      store.put(new Uint8Array(3), chunkKey(777, 0));
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error);
    });
    db.close();
    const report = await ov.fsck();
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind).sort()).toEqual([
      'chunk-length',
      'dangling-dirent',
      'orphan-chunk',
      'orphan-chunk',
    ]);
  });
});

/** Every key the workspace's database holds, read on a connection of its own. */
async function storedKeys(factory: IDBFactory, name = 'w'): Promise<IDBValidKey[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = factory.open(databaseName(name));
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const r = db.transaction(STORE, 'readonly').objectStore(STORE).getAllKeys();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  } finally {
    db.close();
  }
}

const journalKeys = (keys: IDBValidKey[]) => keys.filter((k) => Array.isArray(k) && k[0] === 'j');

/** `put`/`add` requests issued while `fn` runs. */
async function writeRequests(fn: () => Promise<unknown>): Promise<number> {
  const put = vi.spyOn(IDBObjectStore.prototype, 'put');
  const add = vi.spyOn(IDBObjectStore.prototype, 'add');
  try {
    await fn();
    return put.mock.calls.length + add.mock.calls.length;
  } finally {
    put.mockRestore();
    add.mockRestore();
  }
}

describe('IndexedDBUpper, journal', () => {
  it('stores a new file as one request in one transaction, and folds the journal into keyed records', async () => {
    const { open, make, factory } = workspace({ journal: { idleMs: 60_000 } });
    const upper = make();
    const ov = await open(upper);
    expect(await writeRequests(() => ov.writeFile('/d/sub/new', 'x'))).toBe(1);
    expect(await writeRequests(() => ov.rename('/keep', '/kept'))).toBe(1);
    expect(journalKeys(await storedKeys(factory))).toHaveLength(2);
    const before = await ov.readdir('/', { recursive: true });
    // A reload replays the journal over the keyed records.
    const replayed = await open(make());
    expect(await replayed.readdir('/', { recursive: true })).toEqual(before);
    expect(await text(replayed, '/d/sub/new')).toBe('x');
    expect(await replayed.usage()).toEqual(await ov.usage());
    await upper.compact();
    expect(journalKeys(await storedKeys(factory))).toEqual([]);
    const folded = await open(make());
    expect(await folded.readdir('/', { recursive: true })).toEqual(before);
    expect(await text(folded, '/d/sub/new')).toBe('x');
    expect(await folded.usage()).toEqual(await ov.usage());
    expect((await folded.fsck()).problems).toEqual([]);
  });

  it('folds by itself once idle, and at once when full', async () => {
    const { open, make, factory } = workspace({ journal: { idleMs: 20, maxRecords: 3 } });
    const ov = await open(make());
    await ov.writeFile('/a', 'A');
    expect(journalKeys(await storedKeys(factory))).toHaveLength(1);
    await vi.waitFor(async () => expect(journalKeys(await storedKeys(factory))).toEqual([]), {
      timeout: 2000,
    });
    for (let i = 0; i < 3; i++) await ov.writeFile(`/f${i}`, `${i}`);
    await ov.stat('/'); // the fold queued behind the third commit
    await vi.waitFor(async () => expect(journalKeys(await storedKeys(factory))).toEqual([]), {
      timeout: 100,
    });
    expect(await text(await open(make()), '/f2')).toBe('2');
  });

  it('a commit of more data than directBytes is stored keyed, with the journal folded in', async () => {
    const { open, make, factory } = workspace({ journal: { idleMs: 60_000, directBytes: 1000 } });
    const ov = await open(make());
    await ov.writeFile('/small', 'journaled');
    expect(journalKeys(await storedKeys(factory))).toHaveLength(1);
    await ov.writeFile('/big', new Uint8Array(5000).fill(7));
    expect(journalKeys(await storedKeys(factory))).toEqual([]);
    const again = await open(make());
    expect(await text(again, '/small')).toBe('journaled');
    expect((await again.readFile('/big'))[4999]).toBe(7);
    expect((await again.fsck()).problems).toEqual([]);
  });

  it('a commit holding a chunk of directChunk bytes or more is stored keyed (data written once)', async () => {
    const { open, make, factory } = workspace({ journal: { idleMs: 60_000 } });
    const ov = await open(make());
    await ov.writeFile('/small', 'journaled');
    const put = vi.spyOn(IDBObjectStore.prototype, 'put');
    await ov.writeFile('/chunk', new Uint8Array(40_000).fill(9));
    const chunkPuts = put.mock.calls.filter(([value]) => value instanceof Uint8Array);
    // Its chunk once, keyed; the journal (the small file) folded in by the same transaction.
    expect(chunkPuts.map(([value]) => (value as Uint8Array).byteLength).sort((a, b) => a - b)).toEqual([
      9, 40_000,
    ]);
    expect(put.mock.calls.some(([value]) => Array.isArray(value))).toBe(false);
    put.mockRestore();
    expect(journalKeys(await storedKeys(factory))).toEqual([]);
    expect((await (await open(make())).readFile('/chunk'))[39_999]).toBe(9);
  });

  it("an upper never folds journal records another one folded already (that would undo the other's later changes)", async () => {
    const { open, make } = workspace({ journal: { idleMs: 60_000 } });
    const first = make();
    const ov = await open(first);
    await ov.writeFile('/x', 'made by the first upper');
    // A reload that never closed the first overlay: it deletes /x and folds the journal.
    const second = make();
    const ov2 = await open(second);
    await ov2.unlink('/x');
    await second.compact();
    // The first one's journal (creating /x) is no longer stored: folding it must not bring /x back.
    await first.compact();
    const third = await open(make());
    expect(await third.readdir('/')).toEqual(['d', 'keep']);
    expect((await third.fsck()).problems).toEqual([]);
  });

  it('fsck reports a journal record that is not a list of changes', async () => {
    const { open, factory } = workspace();
    const ov = await open();
    await ov.writeFile('/d/f', 'changed');
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = factory.open(databaseName('w'));
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put({ not: 'changes' }, ['j', 1e9]);
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error);
    });
    db.close();
    // The overlay still opens (the record cannot be replayed, so it is left out); fsck names it.
    const report = await (await open()).fsck();
    expect(report.problems).toEqual([
      { kind: 'bad-record', message: 'journal record ["j",1000000000] is not a list of changes' },
    ]);
  });
});

describe('IndexedDBUpper, write-back', () => {
  it('acknowledges at once, commits in groups, and sync() makes all of it durable', async () => {
    const { open, make } = workspace({ writeBack: { delayMs: 5, maxOps: 64 } });
    const ov = await open();
    const transactions = await readWriteTransactions(async () => {
      for (let i = 0; i < 200; i++) await ov.writeFile(`/d/f${i}`, `content ${i}`);
      // Visible at once in this overlay, data included, before any sync.
      expect(await text(ov, '/d/f199')).toBe('content 199');
      await ov.sync();
    });
    expect(transactions.length).toBeLessThanOrEqual(200 / 64 + 2);
    const again = await open(make({ writeBack: false }));
    expect(await again.readdir('/d')).toHaveLength(202);
    expect(await text(again, '/d/f123')).toBe('content 123');
    expect((await again.fsck()).problems).toEqual([]);
  });

  it('a failed group: sync() is ENOSPC, the store keeps what came before, writes are refused until reset', async () => {
    const { open, make } = workspace({ writeBack: { delayMs: 1000, maxOps: 1000 } });
    const ov = await open();
    await ov.writeFile('/before', 'stored');
    await ov.sync();
    quota(1000);
    await ov.writeFile('/small', 'queued');
    await ov.writeFile('/big', new Uint8Array(5000));
    expect((await rejection(ov.sync())).code).toBe('ENOSPC');
    expect((await rejection(ov.writeFile('/later', 'x'))).code).toBe('EIO');
    vi.restoreAllMocks();
    const stored = await open(make({ writeBack: false }));
    expect(await stored.readdir('/')).toEqual(['before', 'd', 'keep']);
    await ov.reset();
    await ov.writeFile('/after', 'works');
    await ov.sync();
    expect(await (await open(make({ writeBack: false }))).readdir('/')).toEqual(['after', 'd', 'keep']);
  });
});

describe('Overlay.close', () => {
  it('commits what write-back still holds, closes the connection, and a reopen sees everything', async () => {
    const { make, open } = workspace({ writeBack: { delayMs: 60_000 } });
    const upper = make();
    const ov = await open(upper);
    await ov.writeFile('/queued', 'not yet stored');
    await ov.close();
    const again = await open(make({ writeBack: false }));
    expect(await text(again, '/queued')).toBe('not yet stored');
    await again.close();
  });
});
