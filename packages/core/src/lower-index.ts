/**
 * Builds the merged view of the lowers once, in wasm: each layer, bottom first, is laid over the
 * ones below by the index's bulk build (`addZipLayer` for a zip whose directory already lives in
 * the index, `addLayer` with the entries of any other layer), whiteouts, opaque marks, hard links
 * and implicit parents applied there, under a directory of the shared index that stands for this
 * overlay's lowers. No JS object exists per lower entry: a name's object (FileNode, SymlinkNode,
 * DirNode) is made on first use from its node (kind, layer, ref, ordinal) and the layer's entry,
 * and kept through the node's tag.
 *
 * Inode numbers are what they always were (persisted uppers find lower objects by them):
 * `lowerInoBase(layer) + ordinal`, the ordinal counted by the build as the layer lists its
 * entries (an implicit parent where first needed), a merged directory taking its topmost layer's,
 * a hard link its target's.
 */
import {
  Flag,
  type IndexWarning,
  Kind,
  type NamespaceIndex,
  NO_REF,
  WasmFsError,
  type ZipDirectory,
} from '@vellum/wasm';
import { type BulkLower, bulkOf } from './bulk-lower.js';
import { EntryStore, linkTarget } from './entry-store.js';
import { FsError } from './errors.js';
import { DirNode, FileNode, lowerInoBase, type Node, ROOT_INO, SymlinkNode } from './inode.js';
import type { EntryMeta, LowerEntry, LowerLayer, UpperInode } from './layer.js';

/** The merged lowers: a read-only directory tree of shared nodes. */
export interface LowerIndex {
  root: DirNode;
  /** The wasm index holding every directory's names, of the lowers and of the live tree. */
  store: EntryStore;
  /** Lowers' objects by inode number, for reattaching upper records on open. */
  byIno(): { get(ino: number): Node | undefined };
  /** The lower directory at a path, if any (redirect targets). */
  dirAt(path: string): DirNode | null;
  /** This index's container of the merged lowers in the shared wasm index. */
  lowerRoot: number;
  /** What a node of this index is, without making its object: see {@link Identity}. */
  identity(id: number): Identity;
  /** The inode number of a node's object (no object made, no entry read). */
  inoAt(id: number): number;
}

/**
 * A lower object's inode number and what tells whether another stack holds the same entry:
 * its kind and, for a file, its content stamp (etag, else size and mtime), for a symlink its
 * target. A remount keeps an untouched path's number where the new stack's identity matches.
 */
export interface Identity {
  ino: number;
  kind: Kind;
  stamp: string;
}

/** Where a layer's entries come from when a node's object is made. */
type EntryOf = (ref: number) => LowerEntry;

/**
 * `keep` (a remount, or an open on lowers other than the upper's): the index of the stack this
 * one replaces, whose unchanged paths keep their numbers, and the numbers the upper's records
 * hold, which no other object may take (see `renumber`, `reservedBy`).
 */
export async function buildLowerIndex(
  lowers: readonly LowerLayer[],
  defaults: EntryMeta,
  keep?: { index?: LowerIndex; reserved: ReadonlyMap<number, RecordOrigin> },
): Promise<LowerIndex> {
  const store = await EntryStore.create();
  const index = store.index;
  const entryOf: EntryOf[] = [];
  let top: number;
  let rootMeta = defaults;
  let rootCount = 0;
  try {
    top = store.lowerRoot();
    for (let layer = lowers.length - 1; layer >= 0; layer--) {
      const lower = lowers[layer] as LowerLayer;
      // A layer's listing is read first; its build then runs alone on the shared index.
      const listing = await listingOf(lower, store);
      const root = await store.exclusive(() => layLayer(lower, layer, listing, top, store, entryOf));
      // The root's metadata is the topmost layer's (its own entry, else the defaults), and a
      // layer listing the root opaque hides the root's lower contributions.
      rootMeta = root.meta ?? defaults;
      rootCount = root.opaque ? 1 : rootCount + 1;
    }
  } catch (error) {
    store.close();
    throw error;
  }
  const lowerRoot = top;
  const root = new DirNode(ROOT_INO, rootMeta, lowers.length > 0 ? 0 : 'upper', null, store, lowerRoot);
  root.lowerPath = '/';
  root.lowerCount = rootCount;
  root.subdirs = index.subdirCount(lowerRoot);
  store.attach(lowerRoot, root);
  const prefix = index.pathOf(lowerRoot).length;

  const natural = (object: number): number => lowerInoBase(index.layer(object)) + index.ordinal(object);
  const identityOf = (id: number, ino: number): Identity => {
    const kind = index.kind(id) as Kind;
    const ref = index.ref(id);
    if (kind === Kind.Dir || kind === Kind.Whiteout || ref === NO_REF) return { ino, kind, stamp: '' };
    const entry = (entryOf[index.layer(id)] as EntryOf)(ref);
    if (entry.kind === 'file') {
      return { ino, kind, stamp: entry.etag ?? `${entry.size}:${entry.mtimeMs}` };
    }
    return { ino, kind, stamp: entry.kind === 'symlink' ? `->${entry.target}` : '' };
  };
  const kept =
    keep === undefined
      ? undefined
      : renumber(index, lowerRoot, keep.index, keep.reserved, natural, (id) => identityOf(id, 0));
  const inoOf = (object: number): number => kept?.get(object) ?? natural(object);

  const make = (id: number): Node => {
    const layer = index.layer(id);
    const ref = index.ref(id);
    const ino = inoOf(id);
    const kind = index.kind(id);
    if (kind === Kind.Dir) {
      const meta = ref === NO_REF ? defaults : pickMeta((entryOf[layer] as EntryOf)(ref) as EntryMeta);
      const dir = new DirNode(ino, meta, layer, null, store, id);
      dir.lowerPath = index.pathOf(id).slice(prefix);
      dir.lowerCount = (index.flags(id) & Flag.Merged) !== 0 ? 2 : 1;
      dir.subdirs = index.subdirCount(id);
      return dir;
    }
    const entry = (entryOf[layer] as EntryOf)(ref);
    if (entry.kind === 'file') {
      const meta = pickMeta(entry);
      const node = new FileNode(ino, meta, layer, entry.size, {
        layer,
        ino,
        meta,
        nlink: entry.nlink ?? 1,
        path: entry.path,
        ref: entry.ref,
        size: entry.size,
        mtimeMs: entry.mtimeMs,
        ...(entry.etag === undefined ? {} : { etag: entry.etag }),
        from: lowers[layer],
      });
      node.nlink = entry.nlink ?? 1;
      return node;
    }
    if (entry.kind === 'symlink') {
      const meta = pickMeta(entry);
      return new SymlinkNode(ino, meta, layer, entry.target, {
        layer,
        ino,
        meta,
        nlink: 1,
        path: entry.path,
        ref: undefined,
        size: 0,
        mtimeMs: entry.mtimeMs,
        from: lowers[layer],
      });
    }
    throw new Error(`lower index node ${id} (${entry.path}) is a ${entry.kind}`);
  };
  /** Objects of hard-linked files whose first name a higher layer removed (their node has no tag). */
  const detached = new Map<number, Node>();
  store.materialize = (id: number): Node => {
    // A name an upper copy of a directory carried over: the lower node's object.
    const linked = linkTarget(index, id);
    if (linked !== 0) {
      const node = store.nodeObject(linked);
      store.attach(id, node);
      return node;
    }
    // Every name of one object (hard links) shares the object's node, and so its JS object.
    const object = index.object(id);
    if (object !== id && !index.isValid(object)) {
      let node = detached.get(object);
      if (node === undefined) {
        node = make(object);
        detached.set(object, node);
      }
      store.attach(id, node);
      return node;
    }
    const tagged = index.tag(object);
    const node = tagged !== 0 ? (store.object(tagged) as Node) : make(object);
    if (tagged === 0) store.attach(object, node);
    if (object !== id) store.attach(id, node);
    return node;
  };

  let inoMap: Map<number, number> | undefined;
  return {
    root,
    store,
    byIno() {
      if (!inoMap) {
        // Node ids by inode number, found once by a walk of the index; objects made when asked.
        const map = new Map<number, number>();
        const visit = (dir: number): void => {
          for (const id of index.children(dir)) {
            const object = index.object(id);
            map.set(inoOf(object), id);
            if (index.kind(id) === Kind.Dir) visit(id);
          }
        };
        visit(lowerRoot);
        inoMap = map;
      }
      const ids = inoMap;
      return {
        get: (ino) => {
          if (ino === ROOT_INO) return root;
          const id = ids.get(ino);
          return id === undefined ? undefined : store.nodeObject(id);
        },
      };
    },
    dirAt(path) {
      const id = index.lookupPath(path, lowerRoot);
      if (id === 0 || index.kind(id) !== Kind.Dir) return null;
      return store.nodeObject(id) as DirNode;
    },
    lowerRoot,
    identity(id) {
      const object = index.object(id);
      return identityOf(object, inoOf(object));
    },
    inoAt: (id) => inoOf(index.object(id)),
  };
}

/**
 * What an upper record says of the lower object it was copied from, so that the object it
 * names can be told from another one that happens to get its number: its kind, and for a file
 * or symlink its lower path and content stamp.
 */
export interface RecordOrigin {
  kind: 'file' | 'dir' | 'symlink';
  path?: string;
  stamp?: string;
}

/** The numbers an upper's records hold in the lowers' range, with what each names. */
export function reservedBy(records: Iterable<UpperInode>): Map<number, RecordOrigin> {
  const out = new Map<number, RecordOrigin>();
  for (const rec of records) {
    if (rec.ino < lowerInoBase(0)) continue; // born in the upper: never a lower object's number
    const origin: RecordOrigin = { kind: rec.kind };
    if (rec.originPath !== undefined) origin.path = rec.originPath;
    if (rec.originStamp !== undefined) origin.stamp = rec.originStamp;
    out.set(rec.ino, origin);
  }
  return out;
}

const KINDS: Record<number, RecordOrigin['kind']> = {
  [Kind.File]: 'file',
  [Kind.Dir]: 'dir',
  [Kind.Symlink]: 'symlink',
};
const bare = (path: string): string => path.replace(/^\/+/, '');

/**
 * The numbers the new index gives in place of the natural ones, by object node id. With the
 * replaced index (`old`, a remount), every path whose object has the same identity there keeps
 * that number (one walk of both trees in the shared wasm index, one lookup per name; no layer is
 * read). Any other object whose natural number is kept by another object, was another object's
 * in the replaced stack, or is held by an upper record (`reserved`) for another object (not
 * its kind, path and stamp) gets a free number from the top of its layer's range: two objects
 * never share one, even when a copied-up file outlived its lower object.
 */
function renumber(
  index: NamespaceIndex,
  root: number,
  old: LowerIndex | undefined,
  reserved: ReadonlyMap<number, RecordOrigin>,
  natural: (object: number) => number,
  identity: (id: number) => Identity,
): Map<number, number> {
  const kept = new Map<number, number>();
  const used = new Set<number>();
  /** Objects not kept, by their natural number, with their path: the ones that may collide. */
  const others = new Map<number, { object: number; path: string }>();
  const prefix = index.pathOf(root).length;
  const visit = (dir: number, oldDir: number): void => {
    for (const id of index.children(dir)) {
      const kind = index.kind(id);
      if (kind === Kind.Whiteout) continue;
      const object = index.object(id);
      const oldId = oldDir === 0 ? 0 : index.lookup(oldDir, index.name(id));
      let keptIno: number | undefined;
      if (old && oldId !== 0 && index.kind(oldId) === kind && !kept.has(object)) {
        const was = old.identity(oldId);
        const now = identity(object);
        if (was.stamp === now.stamp && !used.has(was.ino)) keptIno = was.ino;
      }
      if (keptIno !== undefined) {
        kept.set(object, keptIno);
        used.add(keptIno);
        others.delete(natural(object));
      } else if (!kept.has(object) && !others.has(natural(object))) {
        others.set(natural(object), { object, path: index.pathOf(id).slice(prefix) });
      }
      if (kind === Kind.Dir) visit(id, oldId !== 0 && index.kind(oldId) === Kind.Dir ? oldId : 0);
    }
  };
  visit(root, old ? old.lowerRoot : 0);
  const oldNumbers = new Set<number>();
  if (old) {
    const walkOld = (dir: number): void => {
      for (const id of index.children(dir)) {
        if (index.kind(id) === Kind.Whiteout) continue;
        oldNumbers.add(old.inoAt(id));
        if (index.kind(id) === Kind.Dir) walkOld(id);
      }
    };
    walkOld(old.lowerRoot);
  }
  /** Whether the object may keep its natural number `ino`. */
  const free = (ino: number, object: number, path: string): boolean => {
    if (used.has(ino) || oldNumbers.has(ino)) return false;
    const origin = reserved.get(ino);
    if (origin === undefined) return true;
    // The record's own object (the same entry, still there) keeps the number it always had. A
    // directory's record names no lower path, so no lower directory is taken for its own: the
    // merged directory shows the record's number anyway, and its lower one gets a free number.
    if (origin.kind === 'dir' || origin.kind !== KINDS[index.kind(object)]) return false;
    if (origin.path === undefined || bare(origin.path) !== bare(path)) return false;
    return origin.stamp === undefined || origin.stamp === identity(object).stamp;
  };
  const blocked = (n: number): boolean => used.has(n) || oldNumbers.has(n) || reserved.has(n);
  const taken = new Set<number>();
  for (const [ino, { object, path }] of others) {
    if (free(ino, object, path)) continue;
    let next = lowerInoBase(index.layer(object)) + 2 ** 32 - 1;
    while (blocked(next) || taken.has(next)) next--;
    taken.add(next);
    kept.set(object, next);
  }
  return kept;
}

/**
 * Lays one layer under `top`. Returns what the layer says of the root itself (bulk builds leave
 * the root's own entry to the caller).
 */
/** A layer's table to lay in place, or its listed entries. */
type Listing = { table: ZipDirectory; bulk: BulkLower } | { entries: LowerEntry[] };

async function listingOf(layer: LowerLayer, store: EntryStore): Promise<Listing> {
  const bulk = bulkOf(layer);
  const table = bulk?.table(store.index);
  if (bulk !== undefined && table !== undefined) return { table, bulk };
  const listed: LowerEntry[] = [];
  const listing = layer.entries();
  // A synchronous listing (memory) is read without a promise and a turn per entry.
  if (Symbol.iterator in listing) for (const entry of listing) listed.push(entry);
  else for await (const entry of listing) listed.push(entry);
  return { entries: listed };
}

function layLayer(
  layer: LowerLayer,
  at: number,
  listing: Listing,
  top: number,
  store: EntryStore,
  entryOf: EntryOf[],
): { meta: EntryMeta | undefined; opaque: boolean } {
  const index = store.index;
  if ('table' in listing) {
    const { table, bulk } = listing;
    entryOf[at] = (ref) => bulk.entry(ref);
    for (const w of build(layer, () => index.addZipLayer(at, table, top))) {
      // As when the engine read the listing itself: a path through a file of the same layer.
      if (w.code === 'ENOTDIR')
        throw layerError(layer, bulk.entry(w.ref).path, 'a path goes through a non-directory');
    }
    return { meta: undefined, opaque: false };
  }
  const listed = listing.entries;
  entryOf[at] = (ref) => listed[ref] as LowerEntry;
  let root: { meta: EntryMeta | undefined; opaque: boolean } = { meta: undefined, opaque: false };
  const warnings = build(layer, () =>
    index.addLayer(
      at,
      listed.map((e, ref) => {
        if (e.kind === 'dir' && isRoot(e.path)) root = { meta: pickMeta(e), opaque: e.opaque === true };
        if (e.kind === 'hardlink') return { path: e.path, kind: e.kind, ref, linkOf: e.linkOf };
        // A file whose layer gives more than one link is flagged: removing one of its names
        // leaves a record (see remove.ts), even where a higher layer hid its other names.
        if (e.kind === 'file') return { path: e.path, kind: e.kind, ref, nlink: e.nlink ?? 1 };
        return { path: e.path, kind: e.kind, ref, opaque: e.kind === 'dir' && e.opaque === true };
      }),
      top,
    ),
  );
  for (const w of warnings) {
    if (w.code === 'EINVAL') {
      const link = listed[w.ref];
      const target = link?.kind === 'hardlink' ? link.linkOf : '?';
      throw layerError(
        layer,
        link?.path ?? '/',
        `hard link to '${target}', which is not a file of this layer`,
      );
    }
  }
  return root;
}

/** Runs one layer's build, its index errors as the engine reports a bad layer (EIO). */
function build(layer: LowerLayer, fn: () => readonly IndexWarning[]): readonly IndexWarning[] {
  try {
    return fn();
  } catch (error) {
    if (error instanceof WasmFsError) {
      const why = error.cause instanceof Error ? error.cause.message : error.message;
      throw new FsError('EIO', 'open', undefined, undefined, {
        cause: new Error(`lower '${layer.id}': ${why}`, { cause: error }),
      });
    }
    throw error;
  }
}

function isRoot(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c !== 47 && !(c === 46 && (i + 1 === path.length || path.charCodeAt(i + 1) === 47))) return false;
  }
  return true;
}

function pickMeta(e: EntryMeta): EntryMeta {
  return {
    mode: e.mode & 0o7777,
    uid: e.uid,
    gid: e.gid,
    atimeMs: e.atimeMs,
    mtimeMs: e.mtimeMs,
    ctimeMs: e.ctimeMs,
    birthtimeMs: e.birthtimeMs,
  };
}

function layerError(layer: LowerLayer, path: string, why: string): FsError {
  return new FsError('EIO', 'open', path, undefined, { cause: new Error(`lower '${layer.id}': ${why}`) });
}
