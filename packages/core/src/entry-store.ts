/**
 * Where every directory's entries live: the wasm namespace index of `@vellum/wasm`. Each
 * directory object owns one index directory (its container); each name in it is an index node
 * whose tag is a slot of this store's side table of objects. A name is resolved by one hash probe
 * in wasm (`lookupTag`), and no JS map of names exists.
 *
 * Containers, not one merged tree, because the engine's directories are copy-on-write: an upper
 * copy of a lower directory has names of its own while the lower directory stays as it was (it
 * decides whiteouts, redirects, `changes()`, `revert()` and replay), and both must answer
 * lookups at once.
 */
import { Kind, NamespaceIndex } from '@vellum/wasm';
import type { Node } from './inode.js';

export class EntryStore {
  readonly index: NamespaceIndex;
  /** Slot → object; slot 0 is "none" (an untagged node reads as tag 0). */
  readonly #objects: (Node | undefined)[] = [undefined];
  /** Slot → how many names refer to it; a slot is reused once no name does. */
  readonly #refs: number[] = [0];
  readonly #freeSlots: number[] = [];
  /** Names of containers under the index root: any unique name will do. */
  #nextContainer = 0;
  /**
   * A directory's container is released when its entry table is collected: an upper copy,
   * a directory replaced by `copyUp`, one removed for good (the undo log and open handles may
   * still hold it until then, so no earlier point is safe).
   */
  readonly #registry = new FinalizationRegistry<number>((container) => this.#release(container));

  private constructor(index: NamespaceIndex) {
    this.index = index;
  }

  static async create(): Promise<EntryStore> {
    return new EntryStore(await NamespaceIndex.create());
  }

  /** Drops the wasm instance and every object reference. */
  close(): void {
    this.index.close();
    this.#objects.length = 1;
    this.#refs.length = 1;
    this.#freeSlots.length = 0;
  }

  /** A new, empty container owned by `owner` (freed when `owner` is collected). */
  container(owner: object): number {
    const id = this.index.insert(this.index.root, (this.#nextContainer++).toString(36), { kind: Kind.Dir });
    this.#registry.register(owner, id);
    return id;
  }

  object(slot: number): Node | undefined {
    return this.#objects[slot];
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
    if (this.index.closed) return;
    for (const id of this.index.children(container)) this.unref(this.index.tag(id));
    this.index.remove(container, { recursive: true });
  }
}

/**
 * A directory's names, with the part of the `Map` interface the engine uses. Insertion order is
 * kept (the index's sibling lists), as a `Map`'s is: replacing a name keeps its place.
 */
export class EntryTable {
  readonly store: EntryStore;
  readonly #index: NamespaceIndex;
  readonly #id: number;

  constructor(store: EntryStore) {
    this.store = store;
    this.#index = store.index;
    this.#id = store.container(this);
  }

  get(name: string): Node | undefined {
    const slot = this.#index.lookupTag(this.#id, name);
    return slot === 0 ? undefined : this.store.object(slot);
  }

  has(name: string): boolean {
    return this.#index.lookupTag(this.#id, name) !== 0;
  }

  get size(): number {
    return this.#index.childCount(this.#id);
  }

  set(name: string, node: Node): void {
    const slot = this.store.ref(node);
    const id = this.#index.lookup(this.#id, name);
    if (id === 0) {
      this.#index.setTag(this.#index.insert(this.#id, name, { kind: Kind.File }), slot);
      return;
    }
    const old = this.#index.tag(id);
    this.#index.setTag(id, slot);
    this.store.unref(old);
  }

  delete(name: string): boolean {
    const id = this.#index.lookup(this.#id, name);
    if (id === 0) return false;
    const slot = this.#index.tag(id);
    this.#index.remove(id);
    this.store.unref(slot);
    return true;
  }

  clear(): void {
    for (const id of this.#index.children(this.#id)) {
      const slot = this.#index.tag(id);
      this.#index.remove(id);
      this.store.unref(slot);
    }
  }

  /** Every name of `other` added here (an upper copy of a directory starts with its lower's names). */
  copyFrom(other: EntryTable): void {
    for (const [name, node] of other.entries()) this.set(name, node);
  }

  keys(): string[] {
    return this.#index.children(this.#id).map((id) => this.#index.name(id));
  }

  values(): Node[] {
    return this.#index.children(this.#id).map((id) => this.store.object(this.#index.tag(id)) as Node);
  }

  entries(): [string, Node][] {
    return this.#index
      .children(this.#id)
      .map((id): [string, Node] => [this.#index.name(id), this.store.object(this.#index.tag(id)) as Node]);
  }

  [Symbol.iterator](): IterableIterator<[string, Node]> {
    return this.entries()[Symbol.iterator]();
  }
}
