/**
 * Builds the merged view of the lowers once, bottom layer first, applying each
 * layer's whiteouts and opaque marks on top of what is below it. Lookups then
 * walk one map per path component, whatever the number of lowers.
 */
import { EntryStore } from './entry-store.js';
import { FsError } from './errors.js';
import { DirNode, FileNode, lowerInoBase, type Node, ROOT_INO, SymlinkNode } from './inode.js';
import type { EntryMeta, LowerEntry, LowerLayer } from './layer.js';
import { splitPath } from './path.js';

/** One layer's own tree before merging: names to entries, whiteouts kept. */
interface LayerDir {
  meta: EntryMeta | undefined;
  ino: number;
  opaque: boolean;
  children: Map<string, LayerDir | Node | 'whiteout'>;
}

const isLayerDir = (x: LayerDir | Node | 'whiteout' | undefined): x is LayerDir =>
  typeof x === 'object' && !('kind' in x);

/** The merged lowers: a read-only directory tree of shared nodes. */
export interface LowerIndex {
  root: DirNode;
  /** The wasm index holding every directory's names, of the lowers and of the live tree. */
  store: EntryStore;
  /** Lowers' objects by inode number, for reattaching upper records on open. */
  byIno(): Map<number, Node>;
  /** The lower directory at a path, if any (redirect targets). */
  dirAt(path: string): DirNode | null;
}

export async function buildLowerIndex(
  lowers: readonly LowerLayer[],
  defaults: EntryMeta,
): Promise<LowerIndex> {
  const store = await EntryStore.create();
  const root = new DirNode(ROOT_INO, defaults, lowers.length > 0 ? lowers.length - 1 : 'upper', null, store);
  root.lowerPath = '/';
  try {
    for (let layer = lowers.length - 1; layer >= 0; layer--) {
      const tree = await readLayer(lowers[layer] as LowerLayer, layer, defaults);
      mergeDir(root, tree, layer, '/', store);
    }
  } catch (error) {
    store.close();
    throw error;
  }
  let inoMap: Map<number, Node> | undefined;
  return {
    root,
    store,
    byIno() {
      if (!inoMap) {
        const map = new Map<number, Node>();
        const visit = (dir: DirNode): void => {
          map.set(dir.ino, dir);
          for (const child of dir.children.values()) {
            if (child.kind === 'dir') visit(child);
            else map.set(child.ino, child);
          }
        };
        visit(root);
        inoMap = map;
      }
      return inoMap;
    },
    dirAt(path) {
      let dir = root;
      for (const name of splitPath(path)) {
        const next = dir.children.get(name);
        if (next?.kind !== 'dir') return null;
        dir = next;
      }
      return dir;
    },
  };
}

async function readLayer(layer: LowerLayer, index: number, defaults: EntryMeta): Promise<LayerDir> {
  const base = lowerInoBase(index);
  let ordinal = 0;
  const root: LayerDir = { meta: undefined, ino: ROOT_INO, opaque: false, children: new Map() };
  const links: { path: string; linkOf: string }[] = [];
  const files = new Map<string, FileNode>();

  const parentOf = (names: string[], path: string): LayerDir => {
    let dir = root;
    for (let i = 0; i < names.length - 1; i++) {
      const name = names[i] as string;
      let next = dir.children.get(name);
      if (next === undefined || next === 'whiteout') {
        // Parents may be implicit (zips often omit directory entries).
        next = { meta: undefined, ino: base + ordinal++, opaque: false, children: new Map() };
        dir.children.set(name, next);
      }
      if (!isLayerDir(next)) throw layerError(layer, path, 'a path goes through a non-directory');
      dir = next;
    }
    return dir;
  };

  for await (const entry of layer.entries() as AsyncIterable<LowerEntry>) {
    const names = splitPath(entry.path);
    if (names.length === 0) {
      if (entry.kind === 'dir') {
        root.meta = pickMeta(entry);
        root.opaque = entry.opaque === true;
      }
      continue;
    }
    const parent = parentOf(names, entry.path);
    const name = names[names.length - 1] as string;
    const ino = base + ordinal++;
    const source = { layer: index, path: entry.path };
    switch (entry.kind) {
      case 'dir': {
        const existing = parent.children.get(name);
        if (isLayerDir(existing)) {
          existing.meta = pickMeta(entry);
          existing.opaque = entry.opaque === true;
        } else {
          parent.children.set(name, {
            meta: pickMeta(entry),
            ino,
            opaque: entry.opaque === true,
            children: new Map(),
          });
        }
        break;
      }
      case 'file': {
        const node = new FileNode(ino, pickMeta(entry), index, entry.size, {
          ...source,
          ref: entry.ref,
          size: entry.size,
          mtimeMs: entry.mtimeMs,
          ...(entry.etag === undefined ? {} : { etag: entry.etag }),
        });
        node.nlink = entry.nlink ?? 1;
        files.set(entry.path, node);
        parent.children.set(name, node);
        break;
      }
      case 'symlink':
        parent.children.set(
          name,
          new SymlinkNode(ino, pickMeta(entry), index, entry.target, {
            ...source,
            ref: undefined,
            size: 0,
            mtimeMs: entry.mtimeMs,
          }),
        );
        break;
      case 'hardlink':
        links.push({ path: entry.path, linkOf: entry.linkOf });
        break;
      case 'whiteout':
        parent.children.set(name, 'whiteout');
        break;
    }
  }
  for (const { path, linkOf } of links) {
    const target = files.get(linkOf);
    if (!target) throw layerError(layer, path, `hard link to '${linkOf}', which is not a file of this layer`);
    const names = splitPath(path);
    parentOf(names, path).children.set(names[names.length - 1] as string, target);
  }
  root.meta ??= defaults;
  fillMeta(root, defaults);
  return root;
}

function fillMeta(dir: LayerDir, defaults: EntryMeta): void {
  for (const child of dir.children.values()) {
    if (isLayerDir(child)) {
      child.meta ??= defaults;
      fillMeta(child, defaults);
    }
  }
}

/** Lays one layer's directory over the merged directory of the layers below it. */
function mergeDir(target: DirNode, src: LayerDir, layer: number, path: string, store: EntryStore): void {
  target.setMeta(src.meta as EntryMeta);
  target.layer = layer;
  target.lowerCount++;
  if (src.opaque) {
    target.children.clear();
    target.subdirs = 0;
    target.lowerCount = 1;
  }
  for (const [name, child] of src.children) {
    const childPath = path === '/' ? `/${name}` : `${path}/${name}`;
    if (child === 'whiteout') {
      target.deleteChild(name);
    } else if (isLayerDir(child)) {
      const below = target.children.get(name);
      let dir: DirNode;
      if (below?.kind === 'dir') {
        dir = below;
      } else {
        dir = new DirNode(child.ino, child.meta as EntryMeta, layer, null, store);
        dir.lowerPath = childPath;
        target.setChild(name, dir);
      }
      // A merged directory keeps the inode number of its topmost layer.
      dir.ino = child.ino;
      mergeDir(dir, child, layer, childPath, store);
    } else {
      target.setChild(name, child);
    }
  }
  target.sorted = undefined;
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
