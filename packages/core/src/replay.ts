/**
 * Opening an overlay on an upper that already holds changes: the upper's
 * directories, whiteouts, opaque marks and redirects are laid over the merged
 * lowers to rebuild the same namespace the last session saw.
 */
import { FsError } from './errors.js';
import { DirNode, FIRST_UPPER_INO, FileNode, type Node, ROOT_INO, SymlinkNode } from './inode.js';
import type { UpperDirent, UpperInode, UpperSnapshot } from './layer.js';
import type { LowerIndex } from './lower-index.js';
import { getOrInsert } from './map.js';

export interface Replayed {
  root: DirNode;
  nextIno: number;
  /** Files whose last name went while they were open, left behind by a crash: to drop. */
  orphans: number[];
}

/** `remember` is told of each lower object before replay changes it. */
export function replay(
  snapshot: UpperSnapshot,
  lowers: LowerIndex,
  remember: (node: Node) => void,
): Replayed {
  const inodes = new Map<number, UpperInode>();
  for (const rec of snapshot.inodes) inodes.set(rec.ino, rec);
  const dirents = new Map<number, UpperDirent[]>();
  for (const d of snapshot.dirents) {
    getOrInsert(dirents, d.parent, () => []).push(d);
  }
  const chunks = new Map<number, Set<number>>();
  for (const { ino, index } of snapshot.chunks) {
    getOrInsert(chunks, ino, () => new Set<number>()).add(index);
  }
  const byIno = inodes.size > 0 ? lowers.byIno() : new Map<number, Node>();
  const objects = new Map<number, Node>();

  const lowerOrigin = (rec: UpperInode): Node | undefined => {
    if (rec.origin === undefined) return undefined;
    const found = byIno.get(rec.origin);
    if (!found || found.kind !== rec.kind) {
      throw new FsError('EIO', 'open', undefined, undefined, {
        cause: new Error(
          `upper inode ${rec.ino} was copied up from lower object ${rec.origin}, which the lowers no longer have`,
        ),
      });
    }
    return found;
  };

  const objectFor = (rec: UpperInode): Node => {
    const known = objects.get(rec.ino);
    if (known) return known;
    const base = lowerOrigin(rec);
    if (base) remember(base);
    let node: Node;
    if (rec.kind === 'file') {
      const file = (base as FileNode | undefined) ?? new FileNode(rec.ino, rec, 'upper', rec.size ?? 0);
      file.size = rec.size ?? 0;
      file.lowerLimit = rec.lowerLimit ?? 0;
      file.dataUpper = rec.metacopy !== true;
      file.chunks = chunks.get(rec.ino) ?? new Set();
      file.nlink = rec.nlink;
      node = file;
    } else if (rec.kind === 'symlink') {
      const link =
        (base as SymlinkNode | undefined) ?? new SymlinkNode(rec.ino, rec, 'upper', rec.target ?? '');
      link.nlink = rec.nlink;
      node = link;
    } else {
      throw new Error('directories are rebuilt by walking');
    }
    node.setMeta(rec);
    node.upper = true;
    objects.set(rec.ino, node);
    return node;
  };

  // Copied-up lower objects first: a hard link's other names may sit in lower
  // directories with no dirent of their own in the upper.
  for (const rec of inodes.values()) if (rec.kind !== 'dir' && rec.origin !== undefined) objectFor(rec);

  const root = lowers.root.copyUp();
  const rootRec = inodes.get(ROOT_INO);
  if (rootRec) root.setMeta(rootRec);

  const fill = (dir: DirNode, ino: number): void => {
    for (const { name, ino: childIno } of dirents.get(ino) ?? []) {
      if (childIno === null) {
        dir.deleteChild(name);
        continue;
      }
      const rec = inodes.get(childIno);
      if (!rec) continue; // a dangling dirent: fsck reports it; the name is simply absent
      if (rec.kind !== 'dir') {
        dir.setChild(name, objectFor(rec));
        continue;
      }
      const natural = dir.lowerSrc?.children.get(name);
      const lowerSrc = rec.opaque
        ? null
        : rec.redirect !== undefined
          ? lowers.dirAt(rec.redirect)
          : natural?.kind === 'dir'
            ? natural
            : null;
      const child = new DirNode(rec.ino, rec, 'upper', lowerSrc);
      if (rec.origin !== undefined) child.layer = (byIno.get(rec.origin) ?? lowerSrc)?.layer ?? 0;
      child.upper = true;
      child.opaque = rec.opaque === true;
      child.redirect = rec.redirect;
      if (lowerSrc) {
        child.children = new Map(lowerSrc.children);
        child.subdirs = lowerSrc.subdirs;
      }
      dir.setChild(name, child);
      fill(child, rec.ino);
    }
  };
  fill(root, ROOT_INO);
  const orphans = [...inodes.values()]
    .filter((rec) => rec.kind !== 'dir' && rec.nlink === 0)
    .map((rec) => rec.ino);
  return { root, nextIno: snapshot.meta?.nextIno ?? FIRST_UPPER_INO, orphans };
}
