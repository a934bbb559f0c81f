/**
 * `listChanges` as it was before the wasm index listed the names that can differ (changes.ts at
 * 2506fcc, verbatim but for its name): every name of every upper directory, and of the lower
 * directory it merges, has its object made and checked. The model the property test compares the
 * new code against. Rules added to it since (issue 22), shared with the engine: how one object
 * differs (`objectChange`: a copy `revert` makes is no change at its own lower entry's place while
 * unchanged, a new object elsewhere), a copied-up directory whose mode or owner differs from its
 * lower directory's is `metadata`, and the names in untouched directories of a changed file the
 * lowers hard-link are listed too (`linkedNames`).
 */
import type { Change } from '../../src/changes.js';
import { type DirNode, type Node, sameOwnerAndMode } from '../../src/inode.js';
import { linkedNames, objectChange } from '../../src/object-change.js';
import { joinPath } from '../../src/path.js';

/** Walks the upper part of the tree (and only it) and lists the changes, sorted by path. */
export function oldListChanges(root: DirNode, changed: Iterable<Node> = []): Change[] {
  const out: Change[] = [];
  const seen = new Map<Node, number>();
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
        } else if (child.lowerSrc !== null && !sameOwnerAndMode(child, child.lowerSrc)) {
          out.push({ path: childPath, type: 'dir', change: 'metadata' });
        }
        visit(child, childPath);
        continue;
      }
      if (!child.upper) continue;
      const own = dir.lowerSrc ? joinPath(dir.lowerSrc.lowerPath, name) : undefined;
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
