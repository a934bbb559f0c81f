/**
 * The names of an upper as they stand on disk, by the engine's inode numbers: which name in
 * which directory holds which object (or a whiteout), and where each object's names are. The
 * upper keeps one of these for the records it was given (what should be) and one for the disk
 * (what is), and moves the disk towards the records name by name.
 */

/** The parent of an object parked in the hold directory while a commit moves it. */
export const HOLD = -1;

/** A name: its directory's inode number and the name in it. */
export interface Link {
  readonly parent: number;
  readonly name: string;
}

const keyOf = (parent: number, name: string): string => `${parent}/${name}`;

export class NameTree {
  /** directory → name → object (`null`: a whiteout). */
  readonly #names = new Map<number, Map<string, number | null>>();
  /** object → its names, by `parent/name` key. */
  readonly #links = new Map<number, Map<string, Link>>();

  /** The names of directory `parent` (empty when it has none). */
  namesOf(parent: number): ReadonlyMap<string, number | null> {
    return this.#names.get(parent) ?? new Map();
  }

  /** What `name` in `parent` holds: an inode number, `null` for a whiteout, `undefined` for nothing. */
  get(parent: number, name: string): number | null | undefined {
    return this.#names.get(parent)?.get(name);
  }

  /** Every name of `ino`. */
  linksOf(ino: number): Link[] {
    return [...(this.#links.get(ino)?.values() ?? [])];
  }

  /** Whether `ino` has a name. */
  has(ino: number): boolean {
    return (this.#links.get(ino)?.size ?? 0) > 0;
  }

  /** Puts `ino` (or a whiteout) at `name` in `parent`, replacing what was there. */
  set(parent: number, name: string, ino: number | null): void {
    this.delete(parent, name);
    let names = this.#names.get(parent);
    if (names === undefined) {
      names = new Map();
      this.#names.set(parent, names);
    }
    names.set(name, ino);
    if (ino === null) return;
    let links = this.#links.get(ino);
    if (links === undefined) {
      links = new Map();
      this.#links.set(ino, links);
    }
    links.set(keyOf(parent, name), { parent, name });
  }

  /** Removes `name` from `parent`. */
  delete(parent: number, name: string): void {
    const names = this.#names.get(parent);
    const old = names?.get(name);
    if (old === undefined || names === undefined) return;
    names.delete(name);
    if (old !== null) this.#links.get(old)?.delete(keyOf(parent, name));
  }

  /** Forgets directory `parent`'s names (its own name stays). */
  dropDir(parent: number): void {
    for (const name of [...this.namesOf(parent).keys()]) this.delete(parent, name);
    this.#names.delete(parent);
  }

  /** Every directory that has names. */
  dirs(): number[] {
    return [...this.#names.keys()];
  }

  /**
   * The path of `ino` from the root (`root` itself is ''), through its first name; `undefined`
   * when it has none or hangs below an object without one (or in the hold).
   */
  pathOf(ino: number, root: number): string | undefined {
    const parts: string[] = [];
    let at = ino;
    for (let guard = 0; at !== root; guard++) {
      const first = this.#links.get(at)?.values().next().value;
      if (first === undefined || first.parent === HOLD || guard > 4096) return undefined;
      parts.push(first.name);
      at = first.parent;
    }
    return parts.reverse().join('/');
  }
}
