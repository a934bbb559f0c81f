/** What the upper holds relative to the lowers, and where a path is served from. */
import { Kind } from '@vellum/wasm';
import { type DirNode, type Node, sameOwnerAndMode } from './inode.js';
import { linkedNames, objectChange } from './object-change.js';
import { joinPath } from './path.js';

/** One change of the merged tree relative to the lowers. */
export interface Change {
  /** The changed path. */
  path: string;
  /** The object's kind; for `deleted`, the kind of the lower object the whiteout hides. */
  type: 'file' | 'dir' | 'symlink' | null;
  /**
   * - `added`: new in the upper where no lower has the name;
   * - `modified`: data changed (or a new object replaced a lower one);
   * - `metadata`: only metadata changed (metacopy; for a directory, its mode or owner);
   * - `deleted`: a lower name is hidden by a whiteout;
   * - `opaque`: a new directory replaced a deleted lower one, hiding its contents;
   * - `renamed`: moved here from `from`.
   */
  change: 'added' | 'modified' | 'metadata' | 'deleted' | 'opaque' | 'renamed';
  /** For `renamed`: the path it was moved from. */
  from?: string;
}

/** Where a path is served from. */
export interface Origin {
  /** `'upper'`, or the index of the lower (0 = top). */
  layer: 'upper' | number;
  /** The object came from a lower and now lives in the upper. */
  copiedUp: boolean;
  /** Copied up for metadata only: its bytes still come from lower `lowerLayer`. */
  metacopy: boolean;
  /** For copied-up objects, the lower they came from. */
  lowerLayer?: number;
}

/**
 * Walks the upper part of the tree (and only it) and lists the changes, sorted by path. In each
 * upper directory only the names that can differ from the lowers are looked at (`touched`): the
 * container's own names (added, replaced, whiteouts) and the lower names it merges whose object
 * exists (a file copied up in place) or may be shared (hard links). A pristine lower name has no
 * object and nothing to report, and none is made for it: the objects made follow what changed,
 * not the size of the lower directories, which only the index's walk (in wasm, allocating
 * nothing per name) still goes through. A whiteout's type is its lower node's kind in the index.
 */
export function listChanges(root: DirNode, changed: Iterable<Node> = []): Change[] {
  const out: Change[] = [];
  /** Changed files the lowers hard-link, with how many of their names were listed. */
  const seen = new Map<Node, number>();
  const visit = (dir: DirNode, path: string): void => {
    const table = dir.children;
    const lowerSrc = dir.lowerSrc;
    const index = table.store.index;
    for (const id of table.touched()) {
      const name = index.name(id);
      const childPath = joinPath(path, name);
      if (index.kind(id) === Kind.Whiteout) {
        // The container merges `lowerSrc` (it was copied up from it, or replayed over it), so its
        // whiteouts are exactly the lower names this directory no longer has.
        const hidden = lowerSrc === null ? 0 : index.lookup(lowerSrc.children.id, name);
        if (hidden !== 0)
          out.push({ path: childPath, type: kindName(index.kind(hidden)), change: 'deleted' });
        continue;
      }
      const child = table.store.nodeObject(id);
      const replacing = lowerSrc?.children.has(name) === true;
      if (child.kind === 'dir') {
        if (!child.upper) continue;
        if (child.redirect !== undefined) {
          out.push({ path: childPath, type: 'dir', change: 'renamed', from: child.redirect });
        } else if (child.layer === 'upper') {
          out.push({ path: childPath, type: 'dir', change: replacing && child.opaque ? 'opaque' : 'added' });
        } else if (child.lowerSrc !== null && !sameOwnerAndMode(child, child.lowerSrc)) {
          out.push({ path: childPath, type: 'dir', change: 'metadata' });
        }
        visit(child, childPath);
        continue;
      }
      if (!child.upper) continue;
      const own = lowerSrc ? joinPath(lowerSrc.lowerPath, name) : undefined;
      const change = objectChange(child, childPath, own, replacing);
      if (change !== undefined) {
        out.push(change);
        if (child.lower !== undefined && child.lower.nlink > 1) seen.set(child, (seen.get(child) ?? 0) + 1);
      }
    }
  };
  visit(root, '/');
  linkedNames(root, changed, seen, out);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A lower node's kind as a change's type (a hard-link name is a file's). */
function kindName(kind: number): 'file' | 'dir' | 'symlink' {
  return kind === Kind.Dir ? 'dir' : kind === Kind.Symlink ? 'symlink' : 'file';
}
