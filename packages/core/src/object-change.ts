/**
 * How one file or symlink of the upper differs from the lowers, for `changes()` (changes.ts; the
 * property test's model uses the same rules): a module of its own so the model can import it.
 */
import type { Change } from './changes.js';
import { type DirNode, type FileNode, isCopy, isPristineCopy, type Node, type SymlinkNode } from './inode.js';
import { joinPath } from './path.js';

/**
 * How a file or symlink with an upper record differs from the lowers' entry at `own` (the lower
 * path its directory merges at this name), if it does.
 */
export function objectChange(
  child: FileNode | SymlinkNode,
  path: string,
  own: string | undefined,
  replacing: boolean,
): Change | undefined {
  // A copy `revert` made is a new object, except at its own lower entry's place, where it is
  // no change at all until something changes it.
  if (isPristineCopy(child) && child.lower?.path === own) return undefined;
  if (child.lower === undefined || (isCopy(child) && child.lower.path !== own)) {
    return { path, type: child.kind, change: replacing ? 'modified' : 'added' };
  }
  if (child.lower.path !== own) return { path, type: child.kind, change: 'renamed', from: child.lower.path };
  const dataChanged = child.kind === 'file' && child.dataUpper;
  return { path, type: child.kind, change: dataChanged ? 'modified' : 'metadata' };
}

/**
 * A changed file the lowers hard-link changes all its names, also those in directories the upper
 * never copied, which the walk of `listChanges` does not enter. `changed` holds every lower object
 * changed so far (`Namespace.pristine`); only when one of them with a record has names not listed
 * (fewer `seen` than its link count: none at all when its changed name was removed) is the tree
 * walked for them, making objects as it goes.
 */
export function linkedNames(
  root: DirNode,
  changed: Iterable<Node>,
  seen: ReadonlyMap<Node, number>,
  out: Change[],
): void {
  const linked = new Set<Node>();
  for (const node of changed) {
    if (node.kind === 'dir' || !node.upper || node.lower === undefined || node.lower.nlink <= 1) continue;
    if ((seen.get(node) ?? 0) < node.nlink) linked.add(node);
  }
  if (linked.size === 0) return;
  const visit = (dir: DirNode, path: string): void => {
    for (const name of dir.names()) {
      const child = dir.children.get(name) as Node;
      const childPath = joinPath(path, name);
      if (child.kind === 'dir') visit(child, childPath);
      else if (!dir.upper && linked.has(child)) {
        const change = objectChange(child, childPath, joinPath(dir.lowerPath, name), true);
        if (change !== undefined) out.push(change);
      }
    }
  };
  visit(root, '/');
}
