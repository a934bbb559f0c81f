/**
 * Snapshots in the IndexedDB upper, sharing chunk bytes with the live records.
 *
 * ```
 * ['S', id]                 a snapshot: its info, meta, inode and dirent records, and its
 *                           chunks as (ino, index, generation, length) — no bytes
 * ['p', ino, index]         the live chunk at that key is kept by snapshots: its generation
 * ['v', ino, index, gen]    a kept chunk's bytes, moved here when the live file overwrote or
 *                           dropped it (in the same transaction as that change)
 * ```
 *
 * A chunk's generation names the snapshot that first kept it; later snapshots of the same live
 * chunk share it. A snapshot's chunk is at `['c', ino, index]` while `['p', ino, index]` holds
 * its generation, else at `['v', ino, index, gen]`. So taking a snapshot writes records, never
 * chunk bytes, and each later change of a kept chunk moves one chunk once.
 */
import { FsError } from '../errors.js';
import type { SnapshotInfo, UpperChange, UpperDirent, UpperInode, UpperMeta } from '../layer.js';
import { getOrInsert } from '../map.js';
import { chunkKey, direntKey, inodeKey, kindRange, metaKey, parseKey, sizeKey } from './keys.js';

export const snapshotKey = (id: string): IDBValidKey => ['S', id];
export const pinKey = (ino: number, index: number): IDBValidKey => ['p', ino, index];
export const versionKey = (ino: number, index: number, gen: string): IDBValidKey => ['v', ino, index, gen];

/** One chunk of a snapshot: where it was, its generation, its length. */
type SnapChunk = [ino: number, index: number, gen: string, length: number];

/** What `['S', id]` holds. */
export interface SnapshotRecord {
  info: SnapshotInfo;
  meta: UpperMeta | undefined;
  inodes: UpperInode[];
  dirents: UpperDirent[];
  chunks: SnapChunk[];
}

/** The live chunks snapshots keep: inode → chunk index → generation. */
export type Pins = Map<number, Map<number, string>>;

/**
 * Runs `then` inside the success callback of the last of `requests` (the transaction is surely
 * still active there, so `then` may issue more requests); resolves with what `then` returns.
 */
export function afterAll<T>(
  requests: readonly IDBRequest[],
  then: (results: unknown[]) => Promise<T> | T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let left = requests.length;
    const fire = (): void => {
      try {
        Promise.resolve(then(requests.map((r) => r.result))).then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    };
    if (left === 0) {
      fire();
      return;
    }
    for (const request of requests) {
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        if (--left === 0) fire();
      };
    }
  });
}

/** The pins as stored. */
export function readPins(store: IDBObjectStore): Promise<Pins> {
  const keys = store.getAllKeys(kindRange('p'));
  const values = store.getAll(kindRange('p'));
  return afterAll([keys, values], ([k, v]) => {
    const pins: Pins = new Map();
    (k as IDBValidKey[]).forEach((key, i) => {
      const parsed = parseKey(key);
      if (parsed.tag === 'p')
        getOrInsert(pins, parsed.ino, () => new Map()).set(parsed.index, (v as string[])[i] as string);
    });
    return pins;
  });
}

/** The kept live chunks that `changes` overwrite or drop (coalesced changes, as a fold applies them). */
export function keptTouched(changes: readonly UpperChange[], pins: Pins): SnapChunk[] {
  const out: SnapChunk[] = [];
  const seen = new Set<string>();
  const add = (ino: number, index: number, gen: string): void => {
    const key = `${ino}/${index}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([ino, index, gen, 0]);
  };
  for (const c of changes) {
    if (c.op === 'put-chunk' || c.op === 'drop-chunk') {
      const gen = pins.get(c.ino)?.get(c.index);
      if (gen !== undefined) add(c.ino, c.index, gen);
    } else if (c.op === 'drop-inode') {
      for (const [index, gen] of pins.get(c.ino) ?? []) add(c.ino, index, gen);
    }
  }
  return out;
}

/**
 * Moves kept live chunks to their version keys (issued before the changes that overwrite them,
 * so each `get` reads the old bytes), and forgets their pins. Resolves once every request is
 * issued; `pins` is updated by the caller once the transaction committed.
 */
export function moveKept(
  store: IDBObjectStore,
  kept: readonly SnapChunk[],
): Promise<Map<string, Uint8Array>> {
  const gets = kept.map(([ino, index]) => store.get(chunkKey(ino, index)));
  return afterAll(gets, (values) => {
    const moved = new Map<string, Uint8Array>();
    kept.forEach(([ino, index, gen], i) => {
      const bytes = values[i] as Uint8Array | undefined;
      if (bytes !== undefined) {
        store.put(bytes, versionKey(ino, index, gen));
        moved.set(`${ino}/${index}/${gen}`, bytes);
      }
      store.delete(pinKey(ino, index));
    });
    return moved;
  });
}

export function unpin(pins: Pins, kept: readonly SnapChunk[]): void {
  for (const [ino, index] of kept) {
    const byIndex = pins.get(ino);
    byIndex?.delete(index);
    if (byIndex?.size === 0) pins.delete(ino);
  }
}

/**
 * A new snapshot id, after every stored one in string order (so listing sorts by id): the time
 * in base 36, then a counter for snapshots taken within one millisecond.
 */
export function nextId(stored: readonly IDBValidKey[], now: number): string {
  let time = now.toString(36).padStart(10, '0');
  let count = 0;
  for (const key of stored) {
    const k = parseKey(key);
    if (k.tag !== 'S') continue;
    const [t = '', c = ''] = k.id.split('-');
    if (t > time) {
      time = t;
      count = Number.parseInt(c, 36) + 1;
    } else if (t === time) count = Math.max(count, Number.parseInt(c, 36) + 1);
  }
  return `${time}-${count.toString(36).padStart(4, '0')}`;
}

/** Freezes the keyed records (the journal folded first by the caller) as a new snapshot. */
export function takeSnapshot(
  store: IDBObjectStore,
  pins: Pins,
  label: string | undefined,
): Promise<{ info: SnapshotInfo; pinned: SnapChunk[] }> {
  const requests = [
    store.getAllKeys(kindRange('S')),
    store.get(metaKey()),
    store.getAll(kindRange('i')),
    store.getAllKeys(kindRange('d')),
    store.getAll(kindRange('d')),
    store.getAllKeys(kindRange('s')),
    store.getAll(kindRange('s')),
  ];
  return afterAll(requests, ([snapshotKeys, meta, inodes, direntKeys, direntValues, sizeKeys, sizes]) => {
    const createdMs = Date.now();
    const id = nextId(snapshotKeys as IDBValidKey[], createdMs);
    const dirents: UpperDirent[] = [];
    (direntKeys as IDBValidKey[]).forEach((key, i) => {
      const k = parseKey(key);
      if (k.tag === 'd')
        dirents.push({ parent: k.parent, name: k.name, ino: (direntValues as (number | null)[])[i] ?? null });
    });
    const chunks: SnapChunk[] = [];
    const pinned: SnapChunk[] = [];
    (sizeKeys as IDBValidKey[]).forEach((key, i) => {
      const k = parseKey(key);
      if (k.tag !== 's') return;
      const length = (sizes as number[])[i] as number;
      const gen = pins.get(k.ino)?.get(k.index);
      if (gen === undefined) {
        // First kept by this snapshot: the live chunk stays where it is, now pinned.
        store.put(id, pinKey(k.ino, k.index));
        pinned.push([k.ino, k.index, id, length]);
        chunks.push([k.ino, k.index, id, length]);
      } else chunks.push([k.ino, k.index, gen, length]);
    });
    const records = (inodes as UpperInode[]).length + dirents.length;
    const info: SnapshotInfo = {
      id,
      createdMs,
      records,
      chunks: chunks.length,
      ...(label === undefined ? {} : { label }),
    };
    const record: SnapshotRecord = {
      info,
      meta: meta as UpperMeta | undefined,
      inodes: inodes as UpperInode[],
      dirents,
      chunks,
    };
    store.put(record, snapshotKey(id));
    return { info, pinned };
  });
}

export function pinAll(pins: Pins, chunks: readonly SnapChunk[]): void {
  for (const [ino, index, gen] of chunks) getOrInsert(pins, ino, () => new Map()).set(index, gen);
}

const LIVE = ['m', 'i', 'd', 'c', 's', 'p', 'j'] as const;

/** Deletes every live record (not the snapshots, nor the chunk versions they keep). */
export function deleteLive(store: IDBObjectStore): void {
  for (const tag of LIVE) store.delete(kindRange(tag));
}

/** Every kept live chunk, for a change that replaces them all (restore, clear). */
export function allKept(pins: Pins): SnapChunk[] {
  const out: SnapChunk[] = [];
  for (const [ino, byIndex] of pins) for (const [index, gen] of byIndex) out.push([ino, index, gen, 0]);
  return out;
}

/**
 * Makes snapshot `id` the live records in this transaction: the kept live chunks moved to their
 * versions first, every live record deleted, the snapshot's records and chunks written back
 * (each chunk from the bytes just moved or from its version key, which it then leaves), and the
 * restored chunks pinned again. Resolves with the restored chunks (the new pins).
 */
export function restoreSnapshotIn(
  store: IDBObjectStore,
  pins: Pins,
  id: string,
  meta: UpperMeta,
): Promise<SnapChunk[]> {
  const get = store.get(snapshotKey(id));
  return afterAll([get], ([value]) => {
    const record = value as SnapshotRecord | undefined;
    if (record === undefined) throw new FsError('ENOENT', 'restore', id);
    return moveKept(store, allKept(pins)).then((moved) => {
      deleteLive(store);
      store.put({ ...meta, nextIno: Math.max(meta.nextIno, record.meta?.nextIno ?? 0) }, metaKey());
      for (const rec of record.inodes) store.put(rec, inodeKey(rec.ino));
      for (const d of record.dirents) store.put(d.ino, direntKey(d.parent, d.name));
      const missing = record.chunks.filter(([ino, index, gen]) => !moved.has(`${ino}/${index}/${gen}`));
      const gets = missing.map(([ino, index, gen]) => store.get(versionKey(ino, index, gen)));
      return afterAll(gets, (values) => {
        const found = new Map(moved);
        missing.forEach(([ino, index, gen], i) => {
          const bytes = values[i] as Uint8Array | undefined;
          if (bytes !== undefined) found.set(`${ino}/${index}/${gen}`, bytes);
        });
        for (const [ino, index, gen] of record.chunks) {
          const bytes = found.get(`${ino}/${index}/${gen}`);
          if (bytes === undefined) {
            throw new FsError('EIO', 'restore', id, undefined, {
              cause: new Error(`snapshot '${id}': chunk ${ino}/${index} (generation ${gen}) is missing`),
            });
          }
          store.put(bytes, chunkKey(ino, index));
          store.put(bytes.byteLength, sizeKey(ino, index));
          store.put(gen, pinKey(ino, index));
          // Live again under its pin: its version copy would only be a second copy.
          store.delete(versionKey(ino, index, gen));
        }
        return record.chunks;
      });
    });
  });
}

/** The snapshots' infos, oldest first. */
export function listIn(store: IDBObjectStore): Promise<SnapshotInfo[]> {
  const all = store.getAll(kindRange('S'));
  return afterAll([all], ([records]) =>
    (records as SnapshotRecord[])
      .map((r) => r.info)
      .sort((a, b) => a.createdMs - b.createdMs || (a.id < b.id ? -1 : 1)),
  );
}

/**
 * Forgets snapshot `id`: its record, the chunk versions no other snapshot refers to, and the
 * pins of live chunks no other snapshot keeps. Resolves with the pins to forget.
 */
export function dropIn(store: IDBObjectStore, pins: Pins, id: string): Promise<SnapChunk[]> {
  const all = store.getAll(kindRange('S'));
  return afterAll([all], ([records]) => {
    const list = records as SnapshotRecord[];
    const record = list.find((r) => r.info.id === id);
    if (record === undefined) throw new FsError('ENOENT', 'dropSnapshot', id);
    const used = new Set<string>();
    for (const other of list) {
      if (other !== record) for (const [ino, index, gen] of other.chunks) used.add(`${ino}/${index}/${gen}`);
    }
    const unpinned: SnapChunk[] = [];
    for (const chunk of record.chunks) {
      const [ino, index, gen] = chunk;
      if (used.has(`${ino}/${index}/${gen}`)) continue;
      store.delete(versionKey(ino, index, gen));
      if (pins.get(ino)?.get(index) === gen) {
        store.delete(pinKey(ino, index));
        unpinned.push(chunk);
      }
    }
    store.delete(snapshotKey(id));
    return unpinned;
  });
}
