/** Suites over IndexedDBUpper: a fresh database per upper, reopened by name as a reload would. */
import { promisifyRequest } from 'idb-keyval';
import { databaseName, STORE } from '../src/idb/database.js';
import { IndexedDBUpper, type IndexedDBUpperOptions } from '../src/idb/index.js';
import { parseKey } from '../src/idb/keys.js';
import { MemoryUpper, type UpperChange, type UpperInode, type UpperMeta } from '../src/index.js';
import type { UpperEnv } from './helpers.js';

let serial = 0;

export interface IdbEnv extends UpperEnv {
  /** Deletes every database this env made (browser tests leave nothing behind). */
  cleanup(): Promise<void>;
}

/** `options` (factory, durability, writeBack) apply to every upper made and reopened. */
export function idbEnv(label: string, options: Omit<IndexedDBUpperOptions, 'name'> = {}): IdbEnv {
  const names: string[] = [];
  const run = Math.random().toString(36).slice(2, 8);
  return {
    name: label,
    make: () => {
      const name = `test-${run}-${serial++}`;
      names.push(name);
      return new IndexedDBUpper({ ...options, name });
    },
    // A reload after the page synced (in write-back mode, what was not synced is not there).
    again: async (upper) => {
      if (!(upper instanceof IndexedDBUpper)) return upper;
      await upper.sync();
      return new IndexedDBUpper({ ...options, name: upper.name });
    },
    cleanup: async () => {
      for (const name of names.splice(0)) await IndexedDBUpper.delete(name, options);
    },
  };
}

/**
 * Everything a workspace's database holds at one instant, read in one
 * transaction into a MemoryUpper: what a page that crashed now would find on
 * reload, frozen so that later commits cannot change it under the comparison.
 */
export async function frozenImage(name: string, factory: IDBFactory): Promise<MemoryUpper> {
  const db = await promisifyRequest(factory.open(databaseName(name)));
  try {
    const tx = db.transaction(STORE, 'readonly');
    const store = tx.objectStore(STORE);
    const [keys, values] = await Promise.all([
      promisifyRequest(store.getAllKeys()),
      promisifyRequest(store.getAll()),
    ]);
    const changes: UpperChange[] = [];
    // The journal (one record per commit, not yet folded) goes over the keyed records, oldest first.
    const journal: UpperChange[] = [];
    keys.forEach((key, i) => {
      const k = parseKey(key);
      const value: unknown = values[i];
      if (k.tag === 'm') changes.push({ op: 'put-meta', meta: value as UpperMeta });
      else if (k.tag === 'i') changes.push({ op: 'put-inode', inode: value as UpperInode });
      else if (k.tag === 'd') {
        changes.push({
          op: 'put-dirent',
          dirent: { parent: k.parent, name: k.name, ino: value as number | null },
        });
      } else if (k.tag === 'c')
        changes.push({ op: 'put-chunk', ino: k.ino, index: k.index, data: value as Uint8Array });
      else if (k.tag === 'j') journal.push(...(value as UpperChange[]));
    });
    changes.push(...journal);
    const upper = new MemoryUpper();
    await upper.commit(changes);
    return upper;
  } finally {
    db.close();
  }
}
