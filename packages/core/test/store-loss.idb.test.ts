/**
 * Detection of a lost or rolled-back IndexedDB (issue 21): the commit mark kept in OPFS (here
 * the in-memory stand-in) against the database (fake-indexeddb). A workspace whose database is
 * missing, empty or older than its mark fails to open with EIO naming the last commit, creates
 * nothing, and opens only with `create: true`.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { promisifyRequest } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { CommitMarkFile, decodeMark, MARKS_DIR } from '../src/commit-mark.js';
import { databaseName, STORE } from '../src/idb/database.js';
import { IndexedDBUpper, type IndexedDBUpperOptions } from '../src/idb/index.js';
import { FsError, MemoryLayer, Overlay, openUpper, StoreLossError } from '../src/index.js';
import { OpfsStandIn } from './opfs-stand-in.js';

const lower = (): MemoryLayer => MemoryLayer.fromTree({ 'base.txt': 'base' }, { id: 'base' });

interface World {
  factory: IDBFactory;
  opfs: OpfsStandIn;
  open(options?: Partial<IndexedDBUpperOptions>): Promise<Overlay>;
  upper(options?: Partial<IndexedDBUpperOptions>): IndexedDBUpper;
}

function world(): World {
  const factory = new IDBFactory();
  const opfs = new OpfsStandIn();
  const upper = (options: Partial<IndexedDBUpperOptions> = {}) =>
    new IndexedDBUpper({ name: 'w', factory, opfs: opfs.getDirectory, ...options });
  return {
    factory,
    opfs,
    upper,
    open: (options) => Overlay.create({ lowers: [lower()], upper: upper(options) }),
  };
}

const databases = async (factory: IDBFactory): Promise<string[]> =>
  (await factory.databases()).map((d) => d.name ?? '');

/** Every record of workspace 'w' (what a copy of the browser's files would hold). */
async function image(factory: IDBFactory): Promise<[IDBValidKey[], unknown[]]> {
  const db = await promisifyRequest(factory.open(databaseName('w')));
  try {
    const store = db.transaction(STORE, 'readonly').objectStore(STORE);
    return await Promise.all([promisifyRequest(store.getAllKeys()), promisifyRequest(store.getAll())]);
  } finally {
    db.close();
  }
}

/** Puts an earlier image back: the database rolled back to it. */
async function restore(factory: IDBFactory, [keys, values]: [IDBValidKey[], unknown[]]): Promise<void> {
  const db = await promisifyRequest(factory.open(databaseName('w')));
  try {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    store.clear();
    keys.forEach((key, i) => {
      store.put(values[i], key);
    });
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** What Chromium does to a store it finds corrupt at startup: the database is deleted. */
const wipe = (factory: IDBFactory) => promisifyRequest(factory.deleteDatabase(databaseName('w')));

const markOf = (opfs: OpfsStandIn) =>
  new CommitMarkFile(opfs.getDirectory, `idb:${databaseName('w')}`).read();

/** The loss an open failed with: EIO, syscall open, the store's name, a StoreLossError cause. */
async function lossOf(opening: Promise<unknown>): Promise<StoreLossError> {
  const error = await opening.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FsError);
  expect(error).toMatchObject({ code: 'EIO', syscall: 'open', path: databaseName('w') });
  const cause = (error as FsError).cause;
  expect(cause).toBeInstanceOf(StoreLossError);
  return cause as StoreLossError;
}

describe('IndexedDBUpper: the commit mark outside the database', () => {
  it('moves with every commit, and a reopen of the same database opens', async () => {
    const { open, opfs } = world();
    const ov = await open();
    expect(await markOf(opfs)).toBeUndefined();
    await ov.writeFile('/a.txt', 'a');
    await ov.writeFile('/b.txt', 'b');
    const before = Date.now();
    await ov.mkdir('/d');
    await ov.sync(); // the marks of what is stored are written
    const mark = await markOf(opfs);
    expect(mark?.seq).toBe(3);
    expect(mark?.timeMs).toBeGreaterThanOrEqual(before - 5);
    await ov.close();
    const again = await open();
    expect(await again.readdir('/')).toEqual(['a.txt', 'b.txt', 'base.txt', 'd']);
    await again.writeFile('/c.txt', 'c');
    await again.sync();
    expect((await markOf(opfs))?.seq).toBe(4);
    await again.close();
  });

  it('a database the browser deleted: EIO store-lost naming the last commit; nothing is created', async () => {
    const { open, opfs, factory } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await ov.writeFile('/b.txt', 'b');
    await ov.close();
    const mark = await markOf(opfs);
    await wipe(factory);

    const cause = await lossOf(open());
    expect(cause).toMatchObject({ kind: 'store-lost', lastSeq: 2, foundSeq: 0, lastTimeMs: mark?.timeMs });
    expect(cause.message).toMatch(/store-lost: the store 'vellum-upper:w' is gone .* commit #2 of \d{4}-/);
    expect(await databases(factory)).toEqual([]);
    // Again and again: the loss is not forgotten by failing once.
    await lossOf(open());
    expect(await databases(factory)).toEqual([]);
  });

  it('an empty database where the mark says commits were: store-lost', async () => {
    const { open, factory } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await ov.close();
    await wipe(factory);
    // Something (an older version of the app, another library) made the database again, empty.
    const made = factory.open(databaseName('w'), 1);
    made.onupgradeneeded = () => made.result.createObjectStore(STORE);
    (await promisifyRequest(made)).close();
    expect(await lossOf(open())).toMatchObject({ kind: 'store-lost', lastSeq: 1, foundSeq: 0 });
  });

  it('a database older than its mark: store-rolled-back, found and last commit named', async () => {
    const { open, factory } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await ov.writeFile('/b.txt', 'b');
    const old = await image(factory);
    await ov.writeFile('/c.txt', 'c');
    await ov.close();
    await restore(factory, old);
    const cause = await lossOf(open());
    expect(cause).toMatchObject({ kind: 'store-rolled-back', lastSeq: 3, foundSeq: 2 });
    expect(cause.message).toMatch(/rolled back: it holds commits up to #2 only/);
  });

  it('keeps counting through compaction, large direct commits and reset; a rollback past a fold is seen', async () => {
    const { open, factory, opfs } = world();
    const ov = await open({ journal: { idleMs: 60_000 } });
    await ov.writeFile('/a.txt', 'a');
    await ov.writeFile('/big.bin', new Uint8Array(100_000)); // direct: keyed at once, journal folded
    const afterBig = await image(factory);
    await ov.sync();
    expect((await markOf(opfs))?.seq).toBe(2);
    await ov.writeFile('/b.txt', 'b');
    await ov.close(); // folds: no journal left, only the ['q'] record says how far the store got
    const folded = await image(factory);
    expect(folded[0].some((k) => JSON.stringify(k) === '["j",3]')).toBe(false);

    const again = await open();
    await again.writeFile('/c.txt', 'c');
    await again.sync();
    expect((await markOf(opfs))?.seq).toBe(4);
    await again.reset(); // clear() is a commit of its own
    await again.sync();
    expect((await markOf(opfs))?.seq).toBe(5);
    await again.close();
    const cleared = await open();
    expect(await cleared.readdir('/')).toEqual(['base.txt']);
    await cleared.close();

    await restore(factory, folded);
    expect(await lossOf(open())).toMatchObject({ kind: 'store-rolled-back', lastSeq: 5, foundSeq: 3 });
    await restore(factory, afterBig);
    expect(await lossOf(open())).toMatchObject({ kind: 'store-rolled-back', lastSeq: 5, foundSeq: 2 });
  });

  it('create: true opens what is left (here nothing), and the mark starts over from there', async () => {
    const { open, factory, opfs } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await ov.close();
    await wipe(factory);
    await lossOf(open());
    const fresh = await open({ create: true });
    expect(await fresh.readdir('/')).toEqual(['base.txt']);
    await fresh.writeFile('/new.txt', 'n');
    await fresh.sync();
    expect((await markOf(opfs))?.seq).toBe(1);
    await fresh.close();
    const again = await open();
    expect(await again.readdir('/')).toEqual(['base.txt', 'new.txt']);
    await again.close();
  });

  it('create: true on a rolled-back database keeps what it holds and moves the mark back to it', async () => {
    const { open, factory, opfs } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    const old = await image(factory);
    await ov.writeFile('/b.txt', 'b');
    await ov.close();
    await restore(factory, old);
    const kept = await open({ create: true });
    expect(await kept.readdir('/')).toEqual(['a.txt', 'base.txt']);
    await kept.sync();
    expect((await markOf(opfs))?.seq).toBe(1);
    await kept.close();
    await (await open()).close();
  });

  it('IndexedDBUpper.delete forgets the mark: the name opens as a new workspace', async () => {
    const { open, factory, opfs } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await ov.close();
    await IndexedDBUpper.delete('w', { factory, opfs: opfs.getDirectory });
    expect(await markOf(opfs)).toBeUndefined();
    const fresh = await open();
    expect(await fresh.readdir('/')).toEqual(['base.txt']);
    await fresh.close();
  });

  it('an open upper whose database is deleted under it fails its next commit with store-lost, view kept', async () => {
    const { open, factory } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await wipe(factory);
    const cause = await lossOf(ov.writeFile('/late.txt', 'x'));
    expect(cause).toMatchObject({ kind: 'store-lost', lastSeq: 1 });
    expect(await ov.readdir('/')).toEqual(['a.txt', 'base.txt']);
    expect(await databases(factory)).toEqual([]);
    await ov.close().catch(() => {});
  });

  it('a mark torn by a crash falls back to the slot before it: no false alarm', async () => {
    const { open, opfs } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await ov.writeFile('/b.txt', 'b');
    await ov.writeFile('/c.txt', 'c');
    await ov.close();
    const file = await (await (await opfs.getDirectory()).getDirectoryHandle(MARKS_DIR)).getFileHandle(
      encodeURIComponent(`idb:${databaseName('w')}`),
    );
    const bytes = new Uint8Array(await (await file.getFile()).arrayBuffer());
    expect(decodeMark(bytes)?.seq).toBe(3);
    // Commit 3 is in slot 1: spoil one byte of it, as a torn write would.
    const access = await file.createSyncAccessHandle?.();
    access?.write(new Uint8Array([(bytes[24 + 7] ?? 0) ^ 0xff]), { at: 24 + 7 });
    access?.flush();
    access?.close();
    expect(await markOf(opfs)).toMatchObject({ seq: 2 });
    const again = await open();
    expect(await again.readdir('/')).toEqual(['a.txt', 'b.txt', 'base.txt', 'c.txt']);
    await again.close();
    // The open moved the mark up to what the store holds.
    expect((await markOf(opfs))?.seq).toBe(3);
  });

  it('write-back: the mark follows each group commit; a reload after sync() opens', async () => {
    const { open, opfs } = world();
    const ov = await open({ writeBack: { delayMs: 1 } });
    for (let i = 0; i < 20; i++) await ov.writeFile(`/f${i}.txt`, `${i}`);
    await ov.sync();
    const mark = await markOf(opfs);
    expect(mark?.seq).toBeGreaterThanOrEqual(1);
    expect(mark?.seq).toBeLessThanOrEqual(20);
    await ov.close();
    const again = await open();
    expect((await again.readdir('/')).length).toBe(21);
    await again.close();
  });

  it('a mark that cannot be written does not fail the stored commit; check() reports it', async () => {
    const { open, opfs } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    opfs.failWrites = () => {
      throw new DOMException('the origin is over its quota', 'QuotaExceededError');
    };
    await ov.writeFile('/b.txt', 'b');
    expect(await ov.readFile('/b.txt', 'utf8')).toBe('b');
    const { problems } = await ov.fsck();
    expect(problems).toEqual([expect.objectContaining({ kind: 'commit-mark' })]);
    expect(problems[0]?.message).toMatch(/QuotaExceededError|quota/);
    opfs.failWrites = undefined;
    await ov.writeFile('/c.txt', 'c');
    expect((await ov.fsck()).problems).toEqual([]);
    expect((await markOf(opfs))?.seq).toBe(3);
    await ov.close();
  });

  it('strictMark: each operation resolves only once its mark is written', async () => {
    const { open, opfs } = world();
    const ov = await open({ strictMark: true });
    let marksWritten = 0;
    opfs.failWrites = (file) => {
      if (file.startsWith('idb')) marksWritten++;
    };
    await ov.writeFile('/a.txt', 'a');
    expect(marksWritten).toBe(1);
    expect((await markOf(opfs))?.seq).toBe(1);
    await ov.writeFile('/b.txt', 'b');
    expect(marksWritten).toBe(2);
    await ov.close();
  });

  it('snapshots: restoring one is a numbered commit; reopening after it opens, a lost database is still seen', async () => {
    const { open, factory } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    const snap = await ov.snapshot('before b');
    await ov.writeFile('/b.txt', 'b');
    await ov.restore(snap.id);
    expect(await ov.readdir('/')).toEqual(['a.txt', 'base.txt']);
    await ov.reset();
    await ov.close();
    const again = await open();
    expect(await again.readdir('/')).toEqual(['base.txt']);
    await again.restore(snap.id);
    expect(await again.readdir('/')).toEqual(['a.txt', 'base.txt']);
    await again.close();
    expect(await (await open()).readdir('/')).toEqual(['a.txt', 'base.txt']);
    await wipe(factory);
    expect(await lossOf(open())).toMatchObject({ kind: 'store-lost' });
  });

  it('a read-only upper checks the mark but never writes it', async () => {
    const { open, opfs, factory } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await ov.close();
    const old = await image(factory);
    const w2 = await open();
    await w2.writeFile('/b.txt', 'b');
    await w2.close();
    await restore(factory, old);
    await lossOf(open({ readOnly: true }));
    expect((await markOf(opfs))?.seq).toBe(2);
  });

  it("a descriptor ({ type: 'idb', name }) gets the OPFS root from the open context, and detects the same", async () => {
    const { factory, opfs } = world();
    const context = { indexedDB: factory, opfs: opfs.getDirectory };
    const ov = await Overlay.create({
      lowers: [lower()],
      upper: await openUpper({ type: 'idb', name: 'w' }, context),
    });
    await ov.writeFile('/a.txt', 'a');
    await ov.close();
    await wipe(factory);
    const opening = openUpper({ type: 'idb', name: 'w' }, context).then((upper) =>
      Overlay.create({ lowers: [lower()], upper }),
    );
    expect(await lossOf(opening)).toMatchObject({ kind: 'store-lost', lastSeq: 1 });
  });

  it('without an OPFS root (opfs: false) there is no mark, and a lost database opens empty as before', async () => {
    const { open, factory, opfs } = world();
    const ov = await open({ opfs: false });
    await ov.writeFile('/a.txt', 'a');
    await ov.close();
    expect(await markOf(opfs)).toBeUndefined();
    await wipe(factory);
    const fresh = await open({ opfs: false });
    expect(await fresh.readdir('/')).toEqual(['base.txt']);
    await fresh.close();
  });
});
