/** What the upper holds relative to the lowers, and where a path is served from. */
import type { DirNode } from './inode.js';
import { joinPath } from './path.js';

/** One change of the merged tree relative to the lowers. */
export interface Change {
  path: string;
  type: 'file' | 'dir' | 'symlink' | null;
  /**
   * - `added`: new in the upper where no lower has the name;
   * - `modified`: data changed (or a new object replaced a lower one);
   * - `metadata`: only metadata changed (metacopy);
   * - `deleted`: a lower name is hidden by a whiteout;
   * - `opaque`: a new directory replaced a deleted lower one, hiding its contents;
   * - `renamed`: moved here from `from`.
   */
  change: 'added' | 'modified' | 'metadata' | 'deleted' | 'opaque' | 'renamed';
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

/** Walks the upper part of the tree (and only it) and lists the changes, sorted by path. */
export function listChanges(root: DirNode): Change[] {
  const out: Change[] = [];
  const visit = (dir: DirNode, path: string): void => {
    if (dir.lowerSrc) {
      for (const [name, lower] of dir.lowerSrc.children) {
        if (!dir.children.has(name))
          out.push({ path: joinPath(path, name), type: lower.kind, change: 'deleted' });
      }
    }
    for (const [name, child] of dir.children) {
      const childPath = joinPath(path, name);
      const replacing = dir.lowerSrc?.children.has(name) === true;
      if (child.kind === 'dir') {
        if (!child.upper) continue;
        if (child.redirect !== undefined) {
          out.push({ path: childPath, type: 'dir', change: 'renamed', from: child.redirect });
        } else if (child.layer === 'upper') {
          out.push({ path: childPath, type: 'dir', change: replacing && child.opaque ? 'opaque' : 'added' });
        }
        visit(child, childPath);
        continue;
      }
      if (!child.upper) continue;
      if (child.lower === undefined) {
        out.push({ path: childPath, type: child.kind, change: replacing ? 'modified' : 'added' });
      } else if (child.lower.path !== (dir.lowerSrc ? joinPath(dir.lowerSrc.lowerPath, name) : undefined)) {
        out.push({ path: childPath, type: child.kind, change: 'renamed', from: child.lower.path });
      } else {
        const dataChanged = child.kind === 'file' && child.dataUpper;
        out.push({ path: childPath, type: child.kind, change: dataChanged ? 'modified' : 'metadata' });
      }
    }
  };
  visit(root, '/');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
