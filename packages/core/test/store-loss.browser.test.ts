/**
 * Detection of a lost IndexedDB in Chromium: the real database, the commit mark in the real
 * origin private file system, written from a page (no sync access handles here: `createWritable`).
 */
import { describe, expect, it } from 'vitest';
import { IndexedDBUpper } from '../src/idb/index.js';
import { FsError, MemoryLayer, Overlay, StoreLossError } from '../src/index.js';

const lower = () => MemoryLayer.fromTree({ 'base.txt': 'base' }, { id: 'base' });
const open = (name: string, create?: boolean) =>
  Overlay.create({ lowers: [lower()], upper: new IndexedDBUpper({ name, create }) });

const deleteDatabase = (name: string) =>
  new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(`vellum-upper:${name}`);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });

describe('IndexedDBUpper in Chromium: a database the browser lost', () => {
  it('fails to open with EIO store-lost naming the last commit, creates nothing, and opens with create: true', async () => {
    const name = `loss-${crypto.randomUUID()}`;
    const ov = await open(name);
    await ov.writeFile('/a.txt', 'a');
    await ov.writeFile('/b.txt', 'b');
    await ov.close();
    await deleteDatabase(name);

    const error = await open(name).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FsError);
    expect(error).toMatchObject({ code: 'EIO', syscall: 'open' });
    const cause = (error as FsError).cause as StoreLossError;
    expect(cause).toBeInstanceOf(StoreLossError);
    expect(cause).toMatchObject({ kind: 'store-lost', lastSeq: 2, foundSeq: 0 });
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).not.toContain(`vellum-upper:${name}`);

    const fresh = await open(name, true);
    expect(await fresh.readdir('/')).toEqual(['base.txt']);
    await fresh.writeFile('/c.txt', 'c');
    await fresh.close();
    const again = await open(name);
    expect(await again.readdir('/')).toEqual(['base.txt', 'c.txt']);
    await again.close();
    await IndexedDBUpper.delete(name);
    // Deleted on purpose: the mark went with it, and the name opens as a new workspace.
    const reborn = await open(name);
    expect(await reborn.readdir('/')).toEqual(['base.txt']);
    await reborn.close();
    await IndexedDBUpper.delete(name);
  });
});
