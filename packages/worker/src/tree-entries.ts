/** Flattens a tree literal into `MemoryEntry`s on the sending side of a `postMessage`. */
import type { MemoryEntry, Tree, TreeMeta, TreeNode } from '@vellum/core';

// `file()`, `dir()`, … mark their results with this registered symbol (see core's tree.ts);
// structured clone drops it, so the classification has to happen before the data crosses.
const BRAND = Symbol.for('vellum.tree');

type Described =
  | ({ kind: 'file'; data: Uint8Array | string } & TreeMeta)
  | ({ kind: 'dir'; children: Tree; opaque?: boolean } & TreeMeta)
  | ({ kind: 'symlink'; target: string } & TreeMeta)
  | { kind: 'hardlink'; target: string }
  | { kind: 'whiteout' };

function describe(node: TreeNode): Described {
  if (typeof node === 'string' || node instanceof Uint8Array) return { kind: 'file', data: node };
  if (BRAND in node) return node as Described;
  return { kind: 'dir', children: node as Tree };
}

function metaOf(m: TreeMeta): TreeMeta {
  const out: TreeMeta = {};
  if (m.mode !== undefined) out.mode = m.mode;
  if (m.uid !== undefined) out.uid = m.uid;
  if (m.gid !== undefined) out.gid = m.gid;
  if (m.mtimeMs !== undefined) out.mtimeMs = m.mtimeMs;
  if (m.atimeMs !== undefined) out.atimeMs = m.atimeMs;
  return out;
}

/** The flat entries `MemoryLayer.fromEntries` builds the same layer from as `fromTree(tree)`. */
export function treeToEntries(tree: Tree): MemoryEntry[] {
  const out: MemoryEntry[] = [];
  const walk = (children: Tree, prefix: string): void => {
    for (const [name, node] of Object.entries(children)) {
      const path = `${prefix}/${name}`;
      const d = describe(node);
      switch (d.kind) {
        case 'file':
          out.push({ ...metaOf(d), path, kind: 'file', data: d.data });
          break;
        case 'dir':
          out.push({ ...metaOf(d), path, kind: 'dir', opaque: d.opaque === true });
          walk(d.children, path);
          break;
        case 'symlink':
          out.push({ ...metaOf(d), path, kind: 'symlink', target: d.target });
          break;
        case 'hardlink':
          out.push({ path, kind: 'hardlink', linkOf: d.target });
          break;
        case 'whiteout':
          out.push({ path, kind: 'whiteout' });
          break;
      }
    }
  };
  walk(tree, '');
  return out;
}
