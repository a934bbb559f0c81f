/**
 * The merged namespace index of a whole overlay stack, held in wasm memory: node records,
 * names as UTF-8 in an arena, a (parent, name) hash table, children in insertion order.
 * Node ids are plain numbers, stable for the life of the node.
 */
import { BatchWriter, type IndexEntry } from './batch.js';
import { Core } from './core.js';
import { indexError, type WasmErrorCode, WasmFsError } from './errors.js';
import { E, Kind, NO_REF, type ResolveStatus, ROOT, UPPER, Walk, type WalkStatus } from './layout.js';
import { parseZip, type ZipDirectory, type ZipSource } from './zip-directory.js';

/** How a node is created. `layer`/`ref` say which layer's entry serves it. */
export interface NodeInit {
  readonly kind: Kind;
  /** Defaults to {@link UPPER}. */
  readonly layer?: number;
  /** Defaults to {@link NO_REF}. */
  readonly ref?: number;
  readonly flags?: number;
}

/** A problem with one entry of a layer that did not stop the build. */
export interface IndexWarning {
  readonly layer: number;
  /** The entry's reference (for a zip layer: its index in the directory). */
  readonly ref: number;
  readonly code: WasmErrorCode;
  readonly message: string;
}

/** Where a walk stopped (see {@link NamespaceIndex.walk}). */
export interface WalkResult {
  readonly status: WalkStatus;
  /** Ok: the node; MissingLast: the parent directory; Symlink: the symlink; NotDir: the non-directory. */
  readonly node: number;
  /** The directory holding the component where the walk stopped. */
  readonly parent: number;
  /** What follows the component where the walk stopped ('' if nothing). */
  readonly rest: string;
  /** The component where the walk stopped (Missing*, Symlink). */
  readonly name: string;
}

/** A resolved path (see {@link NamespaceIndex.resolve}). */
export interface Resolved {
  /** The node, or 0 when the last component does not exist. */
  readonly node: number;
  /** Its directory (the root for the root itself). */
  readonly parent: number;
  /** The last component's name ('' for the root). */
  readonly name: string;
}

export interface ResolveOptions {
  /** Follow a symlink in the last component. */
  readonly follow: boolean;
  /** The target of a symlink node (the index does not store targets; the layers do). */
  readlink(node: number): string;
  readonly syscall?: string;
}

const BUILD_WARNING: Record<number, { code: WasmErrorCode; message: string }> = {
  20: { code: 'EEXIST', message: 'replaced by a later entry with the same path' },
  21: { code: 'ENOTDIR', message: 'its path goes through a non-directory; entry skipped' },
  22: { code: 'EINVAL', message: 'hard link to something that is not a file of the layer; entry skipped' },
};

const MAX_HOPS = 40;
const ZIP_KINDS: Record<number, IndexEntry['kind'] | undefined> = {
  [Kind.File]: 'file',
  [Kind.Dir]: 'dir',
  [Kind.Symlink]: 'symlink',
};
/** Entries per applyBatch call: bounds the JS-side buffer, not correctness. */
const BATCH = 4096;

/**
 * The namespace index.
 *
 * @example
 * ```ts
 * const index = await NamespaceIndex.create();
 * index.addLayer(1, [{ path: '/a/b.txt', kind: 'file', ref: 0 }]);   // bottom lower
 * index.addLayer(0, [{ path: '/a/b.txt', kind: 'whiteout' }]);       // top lower hides it
 * index.lookupPath('/a/b.txt'); // 0
 * const dir = index.lookupPath('/a');
 * index.move(dir, index.root, 'c'); // '/c' now; its children follow
 * index.close();
 * ```
 */
export class NamespaceIndex {
  /** The root directory's id. */
  readonly root = ROOT;
  private core: Core | null;
  /**
   * Build warnings by the directory the layer was laid under: they go with it when it is removed,
   * so an index shared by overlays that come and go does not keep every build's warnings.
   */
  private layerWarnings = new Map<number, IndexWarning[]>();
  /** Where the last resolveNodes wrote its result (a word index), for resolvedPath. */
  private resolvedAt = 0;
  private constructor(core: Core) {
    this.core = core;
  }

  /** An empty index (only the root). Capacities are hints; everything grows on demand. */
  static async create(options: { nodes?: number; nameBytes?: number } = {}): Promise<NamespaceIndex> {
    const core = await Core.create();
    core.x.init(options.nodes ?? 1024, options.nameBytes ?? 16384);
    return new NamespaceIndex(core);
  }

  private get c(): Core {
    if (this.core === null)
      throw new WasmFsError('EBADF', 'index', undefined, { cause: new Error('index closed') });
    return this.core;
  }

  /** Releases the index's memory; the object is unusable afterwards. */
  close(): void {
    this.core = null;
  }

  get closed(): boolean {
    return this.core === null;
  }

  // ── Lookup ────────────────────────────────────────────────────────────────────────────────

  /** The child `name` of directory `parent`, or 0 (whiteouts are returned: check the kind). */
  lookup(parent: number, name: string): number {
    const c = this.c;
    const len = c.encode(name);
    return c.x.lookup(parent, c.input, len);
  }

  /**
   * The child `name` of `parent` for an engine that keeps its objects in a side table, in one
   * wasm call: its tag, its node id with {@link UNTAGGED} set when it has no tag, or 0 when
   * there is no such child (the encoding of {@link NamespaceIndex.walkNodes}).
   */
  lookupNode(parent: number, name: string): number {
    const c = this.core ?? this.c;
    const len = c.encode(name);
    return c.x.lookupNode(parent, c.input, len) >>> 0;
  }

  /**
   * The node at `path` without following symlinks (a symlink is returned only as the last
   * component); 0 if absent or hidden by a whiteout.
   */
  lookupPath(path: string, start: number = ROOT): number {
    // The hot path: one wasm call (walk and the reading of its status), no getter on the way.
    const c = this.core ?? this.c;
    const len = c.encode(path);
    return c.x.lookupPath(start, c.input, len);
  }

  /** One walk from `start`, stopping at the first symlink, missing name or non-directory. */
  walk(path: string, start: number = ROOT): WalkResult {
    const c = this.c;
    const len = c.encode(path);
    const p = c.input;
    const node = c.x.walk(start, p, len);
    const status = c.x.walkStatus() as WalkStatus;
    const s = c.x.walkStart();
    const e = c.x.walkEnd();
    const stopped = status !== Walk.Ok;
    return {
      status,
      node,
      parent: c.x.walkParent(),
      name: stopped ? c.text(p + s, e - s) : '',
      rest: stopped ? c.text(p + e, len - e) : '',
    };
  }

  /**
   * Resolves a path like the kernel: symlinks followed in every component (and in the last one
   * if `follow`), ELOOP after 40, ENOENT/ENOTDIR/ENAMETOOLONG as Node reports them.
   */
  resolve(path: string, options: ResolveOptions): Resolved {
    const syscall = options.syscall ?? 'stat';
    const trailingSlash = /\/\.?$/.test(path) && path !== '/';
    let rest = path;
    let start = ROOT;
    for (let hops = 0; ; ) {
      const w = this.walk(rest, start);
      switch (w.status) {
        case Walk.Ok: {
          const node = w.node;
          if (trailingSlash && this.kind(node) !== Kind.Dir) throw new WasmFsError('ENOTDIR', syscall, path);
          return {
            node,
            parent: node === ROOT ? ROOT : this.parent(node),
            name: node === ROOT ? '' : this.name(node),
          };
        }
        case Walk.MissingLast:
          return { node: 0, parent: w.node, name: w.name };
        case Walk.Missing:
          throw new WasmFsError('ENOENT', syscall, path);
        case Walk.NotDir:
          throw new WasmFsError('ENOTDIR', syscall, path);
        case Walk.NameTooLong:
          throw new WasmFsError('ENAMETOOLONG', syscall, path);
        default: {
          const last = /^\/*$/.test(w.rest);
          if (last && !options.follow && !trailingSlash)
            return { node: w.node, parent: w.parent, name: w.name };
          if (++hops > MAX_HOPS) throw new WasmFsError('ELOOP', syscall, path);
          const target = options.readlink(w.node);
          if (target === '') throw new WasmFsError('ENOENT', syscall, path);
          start = target.startsWith('/') ? ROOT : w.parent;
          rest = w.rest === '' ? target : `${target}/${w.rest}`;
        }
      }
    }
  }

  // ── Nodes ─────────────────────────────────────────────────────────────────────────────────

  /** True while `node` names something (not freed, not a detached hard-link object). */
  isValid(node: number): boolean {
    return this.c.x.valid(node) !== 0;
  }
  kind(node: number): Kind {
    return this.c.x.kindOf(node) as Kind;
  }
  flags(node: number): number {
    return this.c.x.flagsOf(node);
  }
  setFlags(node: number, flags: number): void {
    this.check(node, 'setflags');
    this.c.x.setFlags(node, flags);
  }
  parent(node: number): number {
    return this.c.x.parentOf(node);
  }
  name(node: number): string {
    const c = this.c;
    return node === ROOT ? '' : c.text(c.x.namesBase() + c.x.nameOffset(node), c.x.nameLength(node));
  }
  /** The layer serving the node's object ({@link UPPER} once it lives in the upper). */
  layer(node: number): number {
    return this.c.x.layerOf(node) >>> 0;
  }
  /** The layer's entry reference for the node's object ({@link NO_REF} for none). */
  ref(node: number): number {
    return this.c.x.refOf(node) >>> 0;
  }
  /** Re-points the object (shared by all its hard links) at another layer's entry. */
  setSource(node: number, layer: number, ref: number): void {
    this.check(node, 'setsource');
    this.c.x.setSource(node, layer >>> 0, ref >>> 0);
  }
  /** The object behind a name: equal for all hard links of one file. */
  object(node: number): number {
    return this.c.x.objectOf(node) >>> 0;
  }
  nlink(node: number): number {
    return this.c.x.nlinkOf(node);
  }
  /** A free u32 per node for the engine (e.g. an index into its own side table). */
  tag(node: number): number {
    return this.c.x.tagOf(node) >>> 0;
  }
  setTag(node: number, tag: number): void {
    this.check(node, 'settag');
    this.c.x.setTag(node, tag >>> 0);
  }
  childCount(dir: number): number {
    return this.c.x.childCount(dir);
  }
  /** Children that are directories (a directory's nlink is 2 + this). */
  subdirCount(dir: number): number {
    return this.c.x.subdirCount(dir);
  }

  /** A directory's children, in the order they were added (stable; whiteouts included). */
  children(dir: number): number[] {
    const c = this.c;
    const n = c.x.listChildren(dir);
    const base = c.x.outBase() >>> 2;
    return Array.from(c.words().subarray(base, base + n));
  }

  /**
   * The names of a container as the engine sees them, as node ids: with {@link setBelow}, the
   * lower directory's names in its order (each replaced by the container's own name of that
   * spelling, left out under a whiteout), then the container's other names; else its children.
   * Whiteouts are never listed.
   */
  listMerged(dir: number): number[] {
    const c = this.c;
    const at = c.x.listMerged(dir) >>> 2;
    const words = c.words();
    return Array.from(words.subarray(at + 1, at + 1 + (words[at] as number)));
  }

  /**
   * The names below directory `dir` (a container, with the lower directory it merges, or a lower
   * directory) that an engine keeping objects by tag must look at when they all go (a recursive
   * removal: `deep`) or when it reverts `dir`'s own names (not `deep`), in one call. Each is its
   * tag, or its node id with {@link UNTAGGED} set for an untagged name whose object may exist
   * through another name or be shared (a hard link: another name of an object, the first name of
   * one with others, a link to a tagged or hard-linked lower node) or that its layer lists with a
   * link count above 1 (`Flag.Linked`). Every other untagged name is left out: its object was
   * never made. Order: `listMerged`'s, a directory after its names (`deep` descends into every
   * directory, untagged ones included, and lists a directory only if tagged). An id that is not
   * a live directory lists nothing; container links that form a cycle throw ELOOP.
   */
  visits(dir: number, deep: boolean): number[] {
    const c = this.c;
    const at = c.x.listVisits(dir, deep ? 1 : 0) >>> 2;
    if (at === 0) {
      throw new WasmFsError('ELOOP', 'visits', undefined, {
        cause: new Error(`container links below node ${dir} form a cycle`),
      });
    }
    const words = c.words();
    return Array.from(words.subarray(at + 1, at + 1 + (words[at] as number)));
  }

  /**
   * The names of directory `dir` that may differ from its lowers, for a diff, in one call (node
   * ids): every name its container holds (whiteouts included) and, from the lower directory it
   * merges, each name neither replaced nor hidden that is tagged or that {@link visits} would
   * list as an untagged hard-link name. The other merged names are pristine lower entries and are
   * left out, so the answer's size is what changed, not the lower directory's. No order is
   * promised. An id that is not a live directory lists nothing.
   */
  touched(dir: number): number[] {
    const c = this.c;
    const at = c.x.listTouched(dir) >>> 2;
    const words = c.words();
    return Array.from(words.subarray(at + 1, at + 1 + (words[at] as number)));
  }

  /**
   * What listing directory `dir` with file types needs, in one call and without the engine's
   * object of each pristine lower name: its visible names in {@link listMerged} order and, per
   * name, four words in `rows`: a value (a tag, or a node id with {@link UNTAGGED} set), a kind
   * (0: the value answers, a tag or an untagged name whose object the engine must make because
   * it is a hard link), then, for a kind other than 0, the layer and ordinal of the node whose
   * object the name would have (a lower link's target; an untagged name is a pristine lower
   * entry). An id that is not a live directory lists nothing.
   */
  types(dir: number): { names: string[]; rows: Uint32Array } {
    const c = this.c;
    const at = c.x.listTypes(dir) >>> 2;
    const words = c.words();
    const n = words[at] as number;
    const names = new Array<string>(n);
    const rows = new Uint32Array(n * 4);
    // Names are addressed absolutely (see `name`).
    const base = c.x.namesBase();
    for (let i = 0, w = at + 1; i < n; i++, w += 6) {
      names[i] = c.text(base + (words[w] as number), words[w + 1] as number);
      const r = i * 4;
      rows[r] = words[w + 2] as number;
      rows[r + 1] = words[w + 3] as number;
      rows[r + 2] = words[w + 4] as number;
      rows[r + 3] = words[w + 5] as number;
    }
    return { names, rows };
  }

  /**
   * Makes the empty directory `dir` merge the directory `below` (0: stop merging): a lookup,
   * `lookupNode` or `walkNodes` that misses `dir` (and meets no whiteout there) looks in `below`,
   * and {@link listMerged} lists both. An upper copy of a lower directory is made this way in one
   * call, whatever its size. Throws ENOTDIR if either is not a live directory, ENOTEMPTY if `dir`
   * has names.
   *
   * @example
   * ```ts
   * const copy = index.insert(index.root, 'copy', { kind: Kind.Dir });
   * index.setBelow(copy, lowerDir);
   * index.insert(copy, 'gone', { kind: Kind.Whiteout }); // hides lowerDir's 'gone'
   * ```
   */
  setBelow(dir: number, below: number): void {
    if (this.c.x.setBelow(dir, below) !== 0) return;
    const dirs = this.kind(dir) === Kind.Dir && (below === 0 || this.kind(below) === Kind.Dir);
    throw new WasmFsError(dirs ? 'ENOTEMPTY' : 'ENOTDIR', 'setbelow', undefined, {
      cause: new Error(`node ${dir} cannot merge node ${below}`),
    });
  }

  /** The directory `dir` merges ({@link setBelow}), 0 for none. */
  below(dir: number): number {
    return this.c.x.belowDir(dir) >>> 0;
  }

  /** Names of the visible children (whiteouts left out), in order. */
  childNames(dir: number): string[] {
    return this.children(dir)
      .filter((id) => this.kind(id) !== Kind.Whiteout)
      .map((id) => this.name(id));
  }

  /** The absolute path of a node (reverse lookup); '' for a detached hard-link object. */
  pathOf(node: number): string {
    const c = this.c;
    this.check(node, 'realpath');
    const len = c.x.pathOf(node);
    return c.text(c.x.outBase(), len);
  }

  private check(node: number, syscall: string): void {
    if (this.c.x.valid(node) === 0) {
      throw new WasmFsError('ENOENT', syscall, undefined, { cause: new Error(`no node ${node}`) });
    }
  }

  // ── Changes ───────────────────────────────────────────────────────────────────────────────

  /** Adds `name` in `parent`; throws EEXIST if taken, ENOTDIR, EINVAL for a bad name. */
  insert(parent: number, name: string, init: NodeInit): number {
    const c = this.c;
    const len = c.encode(name);
    const r = c.x.insert(
      parent,
      c.input,
      len,
      init.kind,
      init.flags ?? 0,
      (init.layer ?? UPPER) >>> 0,
      (init.ref ?? NO_REF) >>> 0,
    );
    if (r < 0) throw indexError(r, 'insert', name);
    return r;
  }

  /**
   * Adds every name of directory `src`, in order, to the empty directory `dst`, the way the
   * engine's copy-up of a directory wants them: a tagged name keeps its tag (a directory's object
   * as a {@link CONTAINER_LINK} to its container, any other as {@link UPPER}), an untagged one
   * becomes a link to its lower node ({@link CONTAINER_LINK} for a directory, {@link LOWER_LINK}
   * otherwise). One call for the whole directory. Returns the tags copied, in order (each is one
   * more reference the caller counts). Throws ENOTEMPTY if `dst` has names, ENOTDIR if either is
   * not a live directory.
   *
   * @example
   * ```ts
   * const copy = index.insert(index.root, 'copy', { kind: Kind.Dir });
   * for (const tag of index.copyChildren(copy, lowerDir)) refs[tag]++;
   * ```
   */
  copyChildren(dst: number, src: number): number[] {
    const c = this.c;
    const at = c.x.copyChildren(dst, src) >>> 2;
    if (at === 0) {
      const dirs = c.x.kindOf(dst) === Kind.Dir && c.x.kindOf(src) === Kind.Dir;
      throw new WasmFsError(dirs ? 'ENOTEMPTY' : 'ENOTDIR', 'copychildren', undefined, {
        cause: new Error(`cannot copy the names of node ${src} into node ${dst}`),
      });
    }
    const words = c.words();
    const n = words[at] as number;
    const tags: number[] = new Array(n);
    for (let i = 0; i < n; i++) tags[i] = words[at + 1 + i] as number;
    return tags;
  }

  /** A new name for the object of `target` (a non-directory): a hard link. */
  link(parent: number, name: string, target: number): number {
    const c = this.c;
    const len = c.encode(name);
    const r = c.x.link(parent, c.input, len, target);
    if (r < 0) throw indexError(r, 'link', name);
    return r;
  }

  /**
   * Moves `node` to `parent`/`name`. Only the node's own record changes: the subtree below a
   * directory follows without being touched. The target name must be free.
   */
  move(node: number, parent: number, name: string): void {
    const c = this.c;
    const len = c.encode(name);
    const r = c.x.move(node, parent, c.input, len);
    if (r < 0) throw indexError(r, 'rename', name);
  }

  /** Removes a name (and, with `recursive`, everything below a directory). */
  remove(node: number, options: { recursive?: boolean } = {}): void {
    const r = this.c.x.remove(node, options.recursive === true ? 1 : 0);
    if (r < 0) throw indexError(r, 'remove');
    // Checked before any id is handed out again, so a removed root cannot pass for a live one.
    for (const root of this.layerWarnings.keys()) if (!this.isValid(root)) this.layerWarnings.delete(root);
  }

  /** Changes a node's kind in place (e.g. a whiteout becoming a directory keeps its id). */
  setKind(node: number, kind: Kind): void {
    const r = this.c.x.setKind(node, kind);
    if (r < 0) throw indexError(r, 'setkind');
  }

  // ── Bulk build ────────────────────────────────────────────────────────────────────────────

  /**
   * Lays one lower layer over the layers added before it: add the lowest layer first.
   * Whiteouts delete, opaque directories drop what is below, non-directories replace,
   * directories merge. Throws EINVAL for a bad path, EIO for a path through a file of the
   * same layer (the index is then incomplete and should be dropped). Duplicates are warnings:
   * returned, and kept in {@link NamespaceIndex.warnings} until `root` is removed.
   */
  addLayer(layer: number, entries: Iterable<IndexEntry>, root: number = ROOT): readonly IndexWarning[] {
    const c = this.c;
    this.begin(layer, root);
    try {
      const batch = new BatchWriter();
      const links = new BatchWriter();
      for (const entry of entries) {
        if (entry.kind === 'hardlink') {
          // Linked once every entry exists, numbered where listed (see `ordinal`).
          links.add(entry);
          batch.reserve(entry.path, entry.ref ?? NO_REF);
        } else batch.add(entry);
        if (batch.count >= BATCH) this.flush(batch, layer);
      }
      this.flush(batch, layer);
      this.flush(links, layer);
      return this.collect(layer, root, c);
    } finally {
      c.x.setBuildRoot(ROOT);
    }
  }

  /**
   * The node's position in the numbering of the layer that laid it last (`layer(node)`): the
   * entries of that layer in the order given, an implicit parent counted where first needed, a
   * hard link where listed; a merged directory has its topmost layer's. Bulk-built nodes only.
   */
  ordinal(node: number): number {
    return this.c.x.ordinalOf(node) >>> 0;
  }

  /**
   * The engine's path walk from container `start`, in one call: for each leading component of
   * `path`, the tag of its node, or its node id with {@link UNTAGGED} set when it has no tag,
   * copied into `out`; returns how many. A bulk-built directory is its own container; a name
   * with layer `CONTAINER_LINK` continues in the container its ref names. Stops before '..' and
   * a component over 255 bytes, and after a missing name (not listed) or a non-directory.
   */
  walkNodes(start: number, path: string, out: number[]): number {
    const c = this.core ?? this.c;
    const len = c.encode(path);
    const at = c.x.walkNodes(start, c.input, len) >>> 2;
    const words = c.words();
    const n = words[at] as number;
    for (let i = 0; i < n; i++) out[i] = words[at + 1 + i] as number;
    return n;
  }

  /**
   * The engine's whole read-only path walk from container `root` (its overlay's root) in one
   * call, symlinks included: like {@link walkNodes}, and a symlink whose target was given with
   * {@link setTarget} is followed in wasm (in every component but the last; in the last with
   * `ResolveFlag.Follow` or a path ending in '/'), ELOOP after 40 hops, an empty target ENOENT,
   * an absolute target from `root` again, a relative one from the symlink's directory, '..' back
   * to the directory walked through and never above `root`. Returns the status; `out[0]` gets
   * the node's value (its tag, or its id with {@link UNTAGGED} set; 0 for `root` itself),
   * `out[1]` its node id, `out[2]` 1 if it is the answer: the last component, and no directory
   * wanted (a path ending in '/' or '/.' wants one, and so does a symlink followed as the last
   * whose target ends so). `Resolve.NonDir` is a non-directory without a target where it
   * matters: if it is a symlink, set its target and ask again; else it is the result if
   * `out[2]` is 1, ENOTDIR if not. With `ResolveFlag.Path`, {@link resolvedPath} gives the
   * canonical path (Found, NonDir).
   *
   * @example
   * ```ts
   * const out: number[] = [];
   * let status = index.resolveNodes(root, '/node_modules/pkg/index.js', ResolveFlag.Follow, out);
   * if (status === Resolve.NonDir && isSymlink(out[0])) {
   *   index.setTarget(out[1], targetOf(out[0])); // once: later walks follow it in wasm
   *   status = index.resolveNodes(root, '/node_modules/pkg/index.js', ResolveFlag.Follow, out);
   * }
   * ```
   */
  resolveNodes(root: number, path: string, flags: number, out: number[]): ResolveStatus {
    const c = this.core ?? this.c;
    const len = c.encode(path);
    const at = c.x.resolveNodes(root, c.input, len, flags) >>> 2;
    const words = c.words();
    out[0] = words[at + 1] as number;
    out[1] = words[at + 2] as number;
    out[2] = words[at + 3] as number;
    this.resolvedAt = at;
    return words[at] as ResolveStatus;
  }

  /**
   * The canonical path the last {@link resolveNodes} with `ResolveFlag.Path` wrote: '/' and the
   * names of the directories it walked through and of the node it found. Read it before any other
   * call of this index (they may reuse the buffer).
   */
  resolvedPath(): string {
    const c = this.c;
    const at = this.resolvedAt;
    return c.text((at + 5) << 2, c.words()[at + 4] as number);
  }

  /**
   * Tells the index the target of symlink name `node`, so that {@link resolveNodes} follows it
   * without asking. It holds while the name keeps its object (its tag): a name re-pointed at
   * another object ({@link setTag}), freed or changed in kind forgets it. Throws EINVAL unless
   * `node` is a live non-directory name.
   *
   * @example
   * ```ts
   * const link = index.insert(container, 'pkg', { kind: Kind.File });
   * index.setTag(link, slot);
   * index.setTarget(link, '.pnpm/pkg@1.0.0/node_modules/pkg');
   * ```
   */
  setTarget(node: number, target: string): void {
    const c = this.c;
    const len = c.encode(target);
    if (c.x.setTarget(node >>> 0, c.input, len) !== 0) return;
    throw new WasmFsError('EINVAL', 'settarget', undefined, {
      cause: new Error(`node ${node} is not a live non-directory name`),
    });
  }

  /** The target set for `node` ({@link setTarget}) while it still holds, else undefined. */
  target(node: number): string | undefined {
    const c = this.c;
    const len = c.x.targetOf(node >>> 0);
    return len < 0 ? undefined : c.text(c.x.outBase(), len);
  }

  /** How many symlink targets the index holds (each freed with its name). */
  get targetCount(): number {
    return this.c.x.targetCount();
  }

  /**
   * Parses a zip's central directory into this index's own memory, so that
   * {@link NamespaceIndex.addZipLayer} needs no copy and freed parser buffers are reused by the
   * index. The directory stays usable (for reading entries) until closed.
   *
   * @example
   * ```ts
   * const zip = await index.openZip({ size: blob.size, read: async (o, n) => new Uint8Array(await blob.slice(o, o + n).arrayBuffer()) });
   * index.addZipLayer(0, zip);
   * ```
   */
  openZip(source: ZipSource, options: { name?: string } = {}): Promise<ZipDirectory> {
    return parseZip(this.c, false, source, options);
  }

  /**
   * Lays a parsed zip directory over the layers added before it; refs are entry indexes. A
   * directory parsed into this index ({@link NamespaceIndex.openZip}) and not built before is
   * built in place: a file or symlink entry's record becomes its node. Any other is laid out
   * from its paths. Either way the layer is laid under `root` and numbered alike (see `ordinal`).
   * Returns the build's warnings, kept in {@link NamespaceIndex.warnings} until `root` is removed.
   */
  addZipLayer(layer: number, zip: ZipDirectory, root: number = ROOT): readonly IndexWarning[] {
    const c = this.c;
    this.begin(layer, root);
    try {
      const region = zip.regionIn(c);
      if (region !== null) {
        const r = c.x.applyZipRegion(region);
        if (r < 0)
          throw indexError(r, 'open', undefined, `lower ${layer}: zip entry ${c.x.buildFailedRef()}`);
      } else {
        const batch = new BatchWriter();
        for (let i = 0; i < zip.count; i++) {
          if (!zip.usable(i)) continue;
          batch.add({ path: zip.path(i), kind: ZIP_KINDS[zip.kind(i)] ?? 'file', ref: i });
          if (batch.count === BATCH) this.flush(batch, layer, true);
        }
        this.flush(batch, layer, true);
      }
      return this.collect(layer, root, c);
    } finally {
      c.x.setBuildRoot(ROOT);
    }
  }

  /** Starts a layer, laid under `root` (a directory of this index; the index root by default). */
  private begin(layer: number, root: number): void {
    if (root !== ROOT && (!this.isValid(root) || this.kind(root) !== Kind.Dir)) {
      throw new WasmFsError('ENOTDIR', 'open', undefined, { cause: new Error(`no directory ${root}`) });
    }
    this.c.x.setBuildRoot(root);
    this.c.x.beginLayer(layer >>> 0);
    this.c.x.warningsReset();
  }

  /** With `soft` (a zip's entries), a path through a non-directory is a warning, not an error. */
  private flush(batch: BatchWriter, layer: number, soft = false): void {
    if (batch.count === 0) return;
    const c = this.c;
    const p = c.put(batch.bytes());
    try {
      const r = c.x.applyBatch(p, batch.count, p + batch.length, soft ? 1 : 0);
      if (r < 0) {
        const ref = c.x.buildFailedRef();
        const why =
          r === -E.ENOTDIR
            ? `lower ${layer}, entry ${ref}: a path goes through a non-directory`
            : `lower ${layer}, entry ${ref}: invalid path`;
        throw r === -E.ENOTDIR
          ? new WasmFsError('EIO', 'open', undefined, { cause: new Error(why) })
          : indexError(r, 'open', undefined, why);
      }
    } finally {
      c.x.free(p);
      batch.reset();
    }
  }

  private collect(layer: number, root: number, c: Core): readonly IndexWarning[] {
    const n = c.x.warningCount();
    const base = c.x.warningsBase() >>> 2;
    const words = c.words();
    const found: IndexWarning[] = [];
    for (let i = 0; i < n; i++) {
      const ref = words[base + 2 * i] as number;
      const w = BUILD_WARNING[words[base + 2 * i + 1] as number];
      if (w) found.push({ layer, ref, ...w });
    }
    if (found.length > 0) {
      const kept = this.layerWarnings.get(root);
      if (kept === undefined) this.layerWarnings.set(root, [...found]);
      else kept.push(...found);
    }
    return found;
  }

  /** Warnings of every layer added so far, but for those laid under a directory since removed. */
  get warnings(): readonly IndexWarning[] {
    return [...this.layerWarnings.values()].flat();
  }

  // ── Accounting ────────────────────────────────────────────────────────────────────────────

  /** Live nodes, the root included (detached hard-link objects count too). */
  get nodeCount(): number {
    return this.c.x.liveNodes();
  }
  /** Bytes of the index's own structures (node table, hash table, names arena). */
  get indexBytes(): number {
    return this.c.x.indexBytes();
  }
  /** The instance's whole linear memory: what the process pays for the index (it never shrinks). */
  get memoryBytes(): number {
    return this.c.memoryBytes();
  }

  /**
   * Where the instance's memory goes: the index's own structures (`nodes`: the plain node chunks;
   * `tags`: the engine's tags and the zip nodes' overrides), and the rest of the linear memory
   * (zip tables parsed into this index — `zip`, part of `rest`, see
   * {@link ZipDirectory.tableBytes}: their records are the nodes built from them —, buffers,
   * allocator overhead, free heap). `names` holds the zip entries' names and directory prefixes
   * too, which the nodes built from them share.
   */
  memoryBreakdown(): {
    nodes: number;
    hash: number;
    dirs: number;
    names: number;
    tags: number;
    rest: number;
    total: number;
    zip: number;
  } {
    const x = this.c.x;
    const parts = {
      nodes: x.nodeTableBytes(),
      hash: x.hashTableBytes(),
      dirs: x.dirTableBytes(),
      names: x.nameArenaBytes(),
      tags: x.tagArrayBytes(),
    };
    const total = this.c.memoryBytes();
    const own = parts.nodes + parts.hash + parts.dirs + parts.names + parts.tags;
    return { ...parts, rest: total - own, total, zip: x.zipRegionsBytes() };
  }
}
