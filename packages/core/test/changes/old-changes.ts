/**
 * `listChanges` as it was before the wasm index listed the names that can differ (changes.ts at
 * 2506fcc, verbatim but for its name): every name of every upper directory, and of the lower
 * directory it merges, has its object made and checked. The model the property test compares the
 * new code against.
 */
import type { Change } from '../../src/changes.js';
import type { DirNode } from '../../src/inode.js';
import { joinPath } from '../../src/path.js';

/** Walks the upper part of the tree (and only it) and lists the changes, sorted by path. */
export function oldListChanges(root: DirNode): Change[] {
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
