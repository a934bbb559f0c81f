/**
 * `mustExist`: a saved workspace whose database is gone (deleted, or wiped by the browser after
 * finding its store corrupt) fails to open with ENOENT instead of opening empty, and creates
 * nothing on the way.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { databaseName } from '../src/idb/database.js';
import { IndexedDBUpper } from '../src/idb/index.js';
import { MemoryLayer, Overlay } from '../src/index.js';

const lower = (): MemoryLayer => MemoryLayer.fromTree({ 'base.txt': 'base' }, { id: 'base' });

/** An overlay over the one-file lower on workspace 'w' of `factory`. */
const openW = (factory: IDBFactory, mustExist?: boolean): Promise<Overlay> =>
  Overlay.create({ lowers: [lower()], upper: new IndexedDBUpper({ name: 'w', factory, mustExist }) });

async function databases(factory: IDBFactory): Promise<string[]> {
  return (await factory.databases()).map((d) => d.name ?? '');
}

describe('IndexedDBUpper mustExist', () => {
  it('opens a database that exists and shows what it holds', async () => {
    const factory = new IDBFactory();
    const first = await openW(factory);
    await first.writeFile('/saved.txt', 'kept');
    await first.close();
    const again = await openW(factory, true);
    expect(await again.readFile('/saved.txt', 'utf8')).toBe('kept');
    await again.close();
  });

  it('fails with ENOENT on a database that is gone, and leaves none behind', async () => {
    const factory = new IDBFactory();
    const first = await openW(factory);
    await first.writeFile('/saved.txt', 'kept');
    await first.close();
    await IndexedDBUpper.delete('w', { factory });
    expect(await databases(factory)).toEqual([]);

    const opening = openW(factory, true);
    await expect(opening).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open', path: databaseName('w') });
    await opening.catch((error: Error) => {
      expect(String((error.cause as Error).message)).toMatch(/does not exist/);
    });
    expect(await databases(factory)).toEqual([]);

    // Without the option the same name opens as a new, empty workspace (the silent case).
    const fresh = await openW(factory);
    await expect(fresh.readdir('/')).resolves.toEqual(['base.txt']);
    await fresh.close();
  });

  it('an open upper whose database is deleted under it fails its next commit with ENOENT', async () => {
    const factory = new IDBFactory();
    const made = await openW(factory);
    await made.close();
    const ov = await openW(factory, true);
    await IndexedDBUpper.delete('w', { factory });
    await expect(ov.writeFile('/late.txt', 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    // The refused write left the view as it was.
    await expect(ov.readdir('/')).resolves.toEqual(['base.txt']);
    expect(await databases(factory)).toEqual([]);
    await ov.close().catch(() => {});
  });
});
