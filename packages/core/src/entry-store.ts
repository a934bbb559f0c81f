/**
 * Where every directory's entries live: the wasm namespace index of `@vellum/wasm`. Each
 * directory object owns one index directory (its container); each name in it is an index node
 * whose tag is a slot of this store's side table of objects. A name is resolved by one hash probe
 * in wasm (`lookupNode`), and no JS map of names exists.
 *
 * Containers, not one merged tree, because the engine's directories are copy-on-write: an upper
 * copy of a lower directory has names of its own while the lower directory stays as it was (it
 * decides whiteouts, redirects, `changes()`, `revert()` and replay), and both must answer
 * lookups at once. The upper copy's container holds only what changed and merges the lower
 * directory in wasm (`setBelow`): a lookup or walk that misses it, and meets no whiteout there,
 * goes on in the lower directory, so a copy-up of a directory costs one call whatever its size.
 */
import {
  CONTAINER_LINK,
  Kind,
  LOWER_LINK,
  NamespaceIndex,
  NO_REF,
  type ResolveStatus,
  UNTAGGED,
  UPPER,
} from '@vellum/wasm';
import { FsError } from './errors.js';
import { lowerInoBase, type Node } from './inode.js';

/**
 * The realm's one index, shared by every open overlay. Each instance reserves its own address
 * space (Chromium refuses new wasm memories after a few hundred, long before memory runs out), and
 * overlays that are never closed stay reachable through their upper's listeners: one instance per
 * overlay failed in the browser tests. Each overlay frees its own containers on close; the
 * instance, whose memory never shrinks, goes with the last open overlay.
 */
class SharedIndex {
  readonly index: NamespaceIndex;
  /** Open overlays using it. */
  users = 0;
  /** Names of containers under the index root: any unique name will do. */
  nextContainer = 0;
  #queue: Promise<unknown> = Promise.resolve();
  constructor(index: NamespaceIndex) {
    this.index = index;
  }

  /**
   * Runs `fn` when no other exclusive work on the index is in flight. A zip parse keeps its state
   * in the instance across the awaits of its reads, and the bulk build shares its warning list:
   * two overlays or layers opening at once must not interleave them.
   */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

let shared: Promise<SharedIndex> | null = null;

/**
 * A container name's target lower node, if it is a link to one made by `copyFrom` (else 0): an
 * untagged name with layer LOWER_LINK (a non-directory) or CONTAINER_LINK (a directory) stands for
 * the lower node its ref names, whose object is not made yet.
 */
export function linkTarget(index: NamespaceIndex, id: number): number {
  const layer = index.layer(id);
  return layer === LOWER_LINK || layer === CONTAINER_LINK ? index.ref(id) : 0;
}

async function acquire(): Promise<SharedIndex> {
  for (;;) {
    shared ??= NamespaceIndex.create().then((index) => new SharedIndex(index));
    const current = shared;
    try {
      const got = await current;
      if (!got.index.closed) {
        got.users++;
        return got;
      }
    } catch (error) {
      if (shared === current) shared = null;
      throw error;
    }
    if (shared === current) shared = null;
  }
}

/** A hold on the realm's shared index: it stays open until every holder has released it. */
export interface SharedIndexHold {
  readonly index: NamespaceIndex;
  /** See {@link SharedIndex.exclusive}. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Gives the hold back (once; later calls do nothing); the last one closes the instance. */
  release(): void;
}

/**
 * The realm's shared index for something other than an overlay that keeps data in it: a zip
 * layer's parsed directory lives there so that the lower index can be built from it in place.
 */
export async function holdSharedIndex(): Promise<SharedIndexHold> {
  const got = await acquire();
  let held = true;
  return {
    index: got.index,
    exclusive: (fn) => got.exclusive(fn),
    release() {
      if (!held) return;
      held = false;
      if (--got.users === 0) got.index.close();
    },
  };
}

/** One overlay's view of the shared index: its containers and its table of objects. */
export class EntryStore {
  readonly index: NamespaceIndex;
  readonly #shared: SharedIndex;
  /** Slot → object; slot 0 is "none" (an untagged node reads as tag 0). */
  readonly #objects: (Node | undefined)[] = [undefined];
  /** Slot → how many names refer to it; a slot is reused once no name does. */
  readonly #refs: number[] = [0];
  readonly #freeSlots: number[] = [];
  /** This overlay's live containers, freed together on close. */
  readonly #containers = new Set<number>();
  #closed = false;
  /**
   * What the last `EntryTable.walk` found, per component: a slot, or an untagged lower node's id
   * with UNTAGGED set (see `found`). Reused: a path walk allocates nothing.
   */
  readonly walked: number[] = [];
  /**
   * What the last `EntryTable.resolve` found: the value (as in `walked`; 0 for the root it
   * started at), the node id, and 1 if it is the last component. Reused like `walked`.
   */
  readonly resolved: number[] = [0, 0, 0];
  /**
   * Makes the object of a bulk-built lower node on first use (see lower-index.ts); the object is
   * then tagged on the node, so this runs once per node.
   */
  materialize: ((node: number) => Node) | undefined;
  get closed(): boolean {
    return this.#closed;
  }
  /**
   * A directory's container is released when its entry table is collected: an upper copy,
   * a directory replaced by `copyUp`, one removed for good (the undo log and open handles may
   * still hold it until then, so no earlier point is safe).
   */
  readonly #registry = new FinalizationRegistry<number>((container) => this.#release(container));

  private constructor(shared: SharedIndex) {
    this.#shared = shared;
    this.index = shared.index;
  }

  static async create(): Promise<EntryStore> {
    return new EntryStore(await acquire());
  }

  /** See {@link SharedIndex.exclusive}: the bulk build of the lowers runs under it. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.#shared.exclusive(fn);
  }

  /** Frees this overlay's containers and object references; the last overlay drops the instance. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const container of this.#containers) this.index.remove(container, { recursive: true });
    this.#containers.clear();
    this.#objects.length = 1;
    this.#refs.length = 1;
    this.#freeSlots.length = 0;
    if (--this.#shared.users === 0) this.index.close();
  }

  /** A container for one overlay's lowers, laid by the bulk build; freed on close. */
  lowerRoot(): number {
    if (this.#closed) throw new Error('the overlay is closed');
    const name = (this.#shared.nextContainer++).toString(36);
    const id = this.index.insert(this.index.root, name, { kind: Kind.Dir });
    this.#containers.add(id);
    return id;
  }

  /** A new, empty container owned by `owner` (freed when `owner` is collected). */
  container(owner: object): number {
    if (this.#closed) throw new Error('the overlay is closed');
    const name = (this.#shared.nextContainer++).toString(36);
    const id = this.index.insert(this.index.root, name, { kind: Kind.Dir });
    this.#containers.add(id);
    this.#registry.register(owner, id);
    return id;
  }

  object(slot: number): Node | undefined {
    return this.#objects[slot];
  }

  /** The object of one `walked` value: a slot, or an untagged lower node made now. */
  found(value: number): Node {
    if (value >= UNTAGGED) return this.nodeObject(value - UNTAGGED);
    return this.#objects[value] as Node;
  }

  /** The object of index node `id`: its tag's, or (a bulk-built lower node) made and tagged now. */
  nodeObject(id: number): Node {
    const slot = this.index.tag(id);
    if (slot !== 0) return this.#objects[slot] as Node;
    if (this.materialize === undefined) throw new Error(`index node ${id} has no object`);
    return this.materialize(id);
  }

  /** Tags lower node `id` with `node` (one more name refers to it; lower names live until close). */
  attach(id: number, node: Node): void {
    this.index.setTag(id, this.ref(node));
  }

  /** The slot naming `node`, counted once more. */
  ref(node: Node): number {
    let slot = node.slot;
    if (slot === 0) {
      slot = this.#freeSlots.pop() ?? this.#objects.length;
      this.#objects[slot] = node;
      this.#refs[slot] = 0;
      node.slot = slot;
    }
    this.#refs[slot] = (this.#refs[slot] as number) + 1;
    return slot;
  }

  /** One more name refers to `slot` (which names an object already). */
  refSlot(slot: number): void {
    this.#refs[slot] = (this.#refs[slot] as number) + 1;
  }

  /** One name fewer refers to `slot`; the last one frees it. */
  unref(slot: number): void {
    const left = (this.#refs[slot] as number) - 1;
    this.#refs[slot] = left;
    if (left > 0) return;
    const node = this.#objects[slot];
    if (node !== undefined) node.slot = 0;
    this.#objects[slot] = undefined;
    this.#freeSlots.push(slot);
  }

  #release(container: number): void {
    if (this.#closed) return;
    this.#containers.delete(container);
    for (const id of this.index.children(container)) {
      const slot = this.index.tag(id);
      if (slot !== 0) this.unref(slot);
    }
    this.index.remove(container, { recursive: true });
  }
}

/**
 * A directory's names, with the part of the `Map` interface the engine uses. An upper copy of a
 * lower directory merges it (`mergeOver`): its container holds only the names that changed (added,
 * replaced, and a whiteout node per lower name removed), and lookups, walks and listings fall
 * through to the lower directory in wasm — so copying a directory up costs the same whatever its
 * size. Listing order is stable: the lower directory's order, then names added here.
 */
export class EntryTable {
  readonly store: EntryStore;
  readonly #index: NamespaceIndex;
  /** This directory's container in the index. */
  readonly id: number;
  /** A bulk-built lower directory's own node (it is its own container), else false. */
  readonly #lower: boolean;
  /** The lower directory this container merges (0: none). */
  #below = 0;
  /** Whiteout nodes in the container: lower names removed here. */
  #hidden = 0;
  /** Names of the container that replace a lower name of the same spelling. */
  #replacing = 0;

  /**
   * A new container, or (`lower`) a bulk-built lower directory's node, which holds its names
   * itself and lives as long as the overlay's lowers.
   */
  constructor(store: EntryStore, lower?: number) {
    this.store = store;
    this.#index = store.index;
    this.#lower = lower !== undefined;
    this.id = lower ?? store.container(this);
  }

  /**
   * The slots of the leading components of `path` below this directory, in one wasm call: a
   * directory's name links to its container, so the walk crosses directories without JS. It
   * stops before '..', after a missing name (not listed) and after a non-directory (listed).
   * Returns how many; the slots are in `store.walked` until the next walk.
   */
  walk(path: string): number {
    if (this.store.closed) throw closedError();
    return this.#index.walkNodes(this.id, path, this.store.walked);
  }

  /**
   * The whole read-only walk of `path` from this directory (an overlay's root) in one wasm call,
   * symlinks whose targets the index holds followed there (`NamespaceIndex.resolveNodes`; flags
   * `ResolveFlag`). Returns the status; the result is in `store.resolved`.
   */
  resolve(path: string, flags: number): ResolveStatus {
    if (this.store.closed) throw closedError();
    return this.#index.resolveNodes(this.id, path, flags, this.store.resolved);
  }

  get(name: string): Node | undefined {
    // A closed overlay's container ids may already name another overlay's directories.
    if (this.store.closed) throw closedError();
    // One wasm call: a slot, or a lower name whose object is made now, or nothing.
    const value = this.#index.lookupNode(this.id, name);
    return value === 0 ? undefined : this.store.found(value);
  }

  has(name: string): boolean {
    if (this.store.closed) throw closedError();
    return this.#index.lookupNode(this.id, name) !== 0;
  }

  /** Whether `name` is a directory, without making a lower entry's object to find out. */
  isDir(name: string): boolean {
    if (this.store.closed) throw closedError();
    const value = this.#index.lookupNode(this.id, name);
    if (value === 0) return false;
    if (value < UNTAGGED) return this.store.object(value)?.kind === 'dir';
    const id = value - UNTAGGED;
    return this.#index.kind(linkTarget(this.#index, id) || id) === Kind.Dir;
  }

  get size(): number {
    if (this.store.closed) throw closedError();
    const own = this.#index.childCount(this.id);
    if (this.#below === 0) return own;
    // Each whiteout hides a lower name and is not one; each replacement counts once.
    return this.#index.childCount(this.#below) + own - 2 * this.#hidden - this.#replacing;
  }

  set(name: string, node: Node): void {
    if (this.store.closed) throw closedError();
    const slot = this.store.ref(node);
    // A directory's name links to its container: `walk` continues there.
    const layer = node.kind === 'dir' ? CONTAINER_LINK : UPPER;
    const ref = node.kind === 'dir' ? node.children.id : NO_REF;
    let id = this.#index.lookup(this.id, name);
    if (id !== 0 && this.#index.kind(id) === Kind.Whiteout) {
      // The lower name comes back, as this object.
      this.#index.remove(id);
      this.#hidden--;
      this.#replacing++;
      id = 0;
    } else if (id === 0 && this.#below !== 0 && this.#index.lookup(this.#below, name) !== 0) {
      this.#replacing++;
    }
    if (id === 0) {
      id = this.#index.insert(this.id, name, { kind: Kind.File, layer, ref });
      this.#index.setTag(id, slot);
      // A symlink's target, for walks that follow it without asking the engine.
      if (node.kind === 'symlink') this.#index.setTarget(id, node.target);
      return;
    }
    const old = this.#index.tag(id);
    // A new tag drops the target the index held for the name's old object.
    this.#index.setTag(id, slot);
    this.#index.setSource(id, layer, ref);
    if (node.kind === 'symlink') this.#index.setTarget(id, node.target);
    // An untagged name (a lower link) held no slot.
    if (old !== 0) this.store.unref(old);
  }

  delete(name: string): boolean {
    if (this.store.closed) throw closedError();
    const id = this.#index.lookup(this.id, name);
    const below = this.#below !== 0 && this.#index.lookup(this.#below, name) !== 0;
    if (id !== 0) {
      if (this.#index.kind(id) === Kind.Whiteout) return false;
      const slot = this.#index.tag(id);
      this.#index.remove(id);
      if (slot !== 0) this.store.unref(slot);
      if (below) this.#replacing--;
    } else if (!below) {
      return false;
    }
    if (below) {
      this.#index.insert(this.id, name, { kind: Kind.Whiteout });
      this.#hidden++;
    }
    return true;
  }

  clear(): void {
    if (this.store.closed) throw closedError();
    for (const id of this.#index.children(this.id)) {
      const slot = this.#index.tag(id);
      this.#index.remove(id);
      if (slot !== 0) this.store.unref(slot);
    }
    this.#mergeNothing();
  }

  #list(): number[] {
    if (this.store.closed) throw closedError();
    return this.#below === 0 ? this.#index.children(this.id) : this.#index.listMerged(this.id);
  }

  #mergeNothing(): void {
    if (this.#below !== 0) this.#index.setBelow(this.id, 0);
    this.#below = 0;
    this.#hidden = 0;
    this.#replacing = 0;
  }

  /**
   * This empty table starts as a copy of `other` (an upper copy of a directory starts with its
   * lower's names). Over a lower directory that is one wasm call (`setBelow`) whatever its size:
   * the container merges it. Over another container its own names are copied in one call
   * (`copyChildren`: links to lower nodes stay links, whiteouts stay whiteouts) and it merges
   * what that one merges; each name with an object counts one more reference to it.
   */
  copyFrom(other: EntryTable): void {
    if (this.store.closed) throw closedError();
    if (other.#lower) {
      if (this.#index.childCount(this.id) !== 0) {
        throw new FsError('ENOTEMPTY', 'copyup', undefined, undefined, {
          cause: new Error('a directory copied up starts empty'),
        });
      }
      this.#index.setBelow(this.id, other.id);
      this.#below = other.id;
      return;
    }
    for (const slot of this.#index.copyChildren(this.id, other.id)) this.store.refSlot(slot);
    this.#below = other.#below;
    this.#hidden = other.#hidden;
    this.#replacing = other.#replacing;
  }

  /**
   * What removing every name below this directory (`deep`) or reverting its own names must look
   * at, in one wasm call (`visits`): the names whose object exists (the engine made it: tagged)
   * or may exist or be shared through another name (hard links), and files their layer lists
   * with more than one link; `deep` adds, after its names, each directory below whose object
   * exists. Each is a slot or an untagged node's id (`store.found`). Every other name is a
   * pristine lower entry: no object, nothing to record when it goes, so none is made for it.
   */
  visits(deep: boolean): number[] {
    if (this.store.closed) throw closedError();
    return this.#index.visits(this.id, deep);
  }

  /**
   * The names of this directory that may differ from the lower directory it merges, in one wasm
   * call (`touched`), as index node ids: its container's own names, whiteouts included (each
   * hides the lower name of its spelling), and the merged lower names whose object exists or may
   * be shared (hard links). Every other name is a pristine lower entry, equal to the lowers'.
   */
  touched(): number[] {
    if (this.store.closed) throw closedError();
    return this.#index.touched(this.id);
  }

  /**
   * This directory's names with their kind and inode number, in one wasm call (`types`), making
   * no object for a pristine lower name: the index knows its kind, and its inode number is
   * `lowerInoBase(layer) + ordinal` of the node whose object it would be (lower-index.ts). A name
   * with an object answers with it (a copy-up or replacement may have changed both); a hard link
   * untagged so far has its object made, which may be shared or detached. Order: `keys()`'s.
   */
  types(): { names: string[]; kinds: Node['kind'][]; inos: number[] } {
    if (this.store.closed) throw closedError();
    const { names, rows } = this.#index.types(this.id);
    const kinds = new Array<Node['kind']>(names.length);
    const inos = new Array<number>(names.length);
    for (let i = 0; i < names.length; i++) {
      const r = i * 4;
      const kind = rows[r + 1] as number;
      if (kind === 0) {
        const node = this.store.found(rows[r] as number);
        kinds[i] = node.kind;
        inos[i] = node.ino;
      } else {
        kinds[i] = kind === Kind.Dir ? 'dir' : kind === Kind.Symlink ? 'symlink' : 'file';
        inos[i] = lowerInoBase(rows[r + 2] as number) + (rows[r + 3] as number);
      }
    }
    return { names, kinds, inos };
  }

  keys(): string[] {
    return this.#list().map((id) => this.#index.name(id));
  }

  values(): Node[] {
    return this.#list().map((id) => this.store.nodeObject(id));
  }

  entries(): [string, Node][] {
    return this.#list().map((id): [string, Node] => [this.#index.name(id), this.store.nodeObject(id)]);
  }

  [Symbol.iterator](): IterableIterator<[string, Node]> {
    return this.entries()[Symbol.iterator]();
  }
}

function closedError(): FsError {
  return new FsError('EBADF', 'lookup', undefined, undefined, { cause: new Error('the overlay is closed') });
}
