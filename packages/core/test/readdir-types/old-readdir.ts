/**
 * The model for readdir-types.model.test.ts: `readdirOf` as it was before the index answered
 * file types (fs-ops.ts), which made each listed name's object and read its kind and inode number.
 */
import { FsError } from '../../src/errors.js';
import type { DirNode, Node } from '../../src/inode.js';
import type { Namespace } from '../../src/namespace.js';
import { joinPath } from '../../src/path.js';
import { Dirent } from '../../src/stats.js';

interface ReaddirOptions {
  withFileTypes?: boolean;
  recursive?: boolean;
}

/** fs-ops.ts's `reach` (passed in: this module is loaded while fs-ops.js is being mocked). */
type Reach = (ns: Namespace, p: string, follow: boolean, syscall: string) => Node;

export const oldReaddirOf = (reach: Reach) =>
  function oldReaddirOf(ns: Namespace, p: string, o: ReaddirOptions): string[] | Dirent[] {
    const node = reach(ns, p, true, 'scandir');
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', 'scandir', p);
    const names: string[] = [];
    const dirents: Dirent[] = [];
    const list = (dir: DirNode, rel: string, parentPath: string): void => {
      for (const name of dir.names()) {
        const relName = rel === '' ? name : `${rel}/${name}`;
        if (o.withFileTypes) {
          const child = dir.children.get(name) as Node;
          dirents.push(new Dirent(name, parentPath, child.kind, child.ino));
        } else names.push(relName);
        if (o.recursive && dir.children.isDir(name)) {
          list(dir.children.get(name) as DirNode, relName, joinPath(parentPath, name));
        }
      }
    };
    list(node, '', p);
    return o.withFileTypes ? dirents : names;
  };
