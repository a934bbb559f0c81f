/**
 * The wasm bulk build against the engine's own lower index (packages/core/src/lower-index.ts)
 * on random stacks: same visible tree, same kinds, same serving layer and entry for every name,
 * and both refuse the same malformed layers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DirNode } from '../../core/src/inode.js';
import type { EntryMeta, LowerEntry, LowerLayer } from '../../core/src/layer.js';
import { buildLowerIndex } from '../../core/src/lower-index.js';
import { type IndexEntry, Kind, NamespaceIndex } from '../src/index.js';

const META: EntryMeta = { mode: 0o644, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 };

type Spec = {
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'whiteout' | 'hardlink';
  opaque: boolean;
  link: number;
};

const spec: fc.Arbitrary<Spec> = fc.record({
  path: fc
    .array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 })
    .map((p) => `/${p.join('/')}`),
  kind: fc.constantFrom(
    'file' as const,
    'dir' as const,
    'symlink' as const,
    'whiteout' as const,
    'hardlink' as const,
  ),
  opaque: fc.boolean(),
  link: fc.nat(20),
});

/** One path per layer (a layer listing a path twice is malformed; see the index's README). */
function wellFormed(layer: Spec[]): Spec[] | null {
  const last = new Map<string, Spec>();
  for (const e of layer) {
    last.delete(e.path);
    last.set(e.path, e);
  }
  const list = [...last.values()];
  // A whiteout, file, symlink or link with entries below it in the same layer is not a tree.
  const leaves = list.filter((e) => e.kind !== 'dir').map((e) => e.path);
  if (list.some((e) => leaves.some((w) => e.path.startsWith(`${w}/`)))) return null;
  return list;
}

function toLower(layer: Spec[], index: number): { lower: LowerLayer; entries: IndexEntry[] } {
  const files = layer.filter((e) => e.kind === 'file');
  const lowerEntries: LowerEntry[] = [];
  const entries: IndexEntry[] = [];
  layer.forEach((e, ref) => {
    const linkOf = files.length > 0 ? (files[e.link % files.length] as Spec).path : '/none';
    switch (e.kind) {
      case 'file':
        lowerEntries.push({ ...META, path: e.path, kind: 'file', size: 0, ref });
        break;
      case 'dir':
        lowerEntries.push({ ...META, path: e.path, kind: 'dir', opaque: e.opaque });
        break;
      case 'symlink':
        lowerEntries.push({ ...META, path: e.path, kind: 'symlink', target: 'x' });
        break;
      case 'whiteout':
        lowerEntries.push({ path: e.path, kind: 'whiteout' });
        break;
      case 'hardlink':
        lowerEntries.push({ path: e.path, kind: 'hardlink', linkOf });
        break;
    }
    entries.push({ path: e.path, kind: e.kind, ref, opaque: e.opaque, linkOf });
  });
  return {
    lower: { id: `l${index}`, entries: () => lowerEntries, read: async () => new Uint8Array() },
    entries,
  };
}

/** path → "kind@layer:entry path" for the engine's merged tree. */
function engineView(root: DirNode, layers: Spec[][]): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (dir: DirNode, prefix: string): void => {
    for (const [name, node] of dir.children) {
      const path = `${prefix}/${name}`;
      if (node.kind === 'dir') {
        out.set(path, `dir@${String(node.layer)}`);
        visit(node, path);
      } else {
        const src = node.lower;
        const entry = src ? (layers[src.layer] as Spec[]).find((e) => e.path === src.path) : undefined;
        out.set(path, `${node.kind}@${src?.layer}:${entry?.path}`);
      }
    }
  };
  visit(root, '');
  return out;
}

function wasmView(index: NamespaceIndex, layers: Spec[][]): Map<string, string> {
  const out = new Map<string, string>();
  const kinds = {
    [Kind.File]: 'file',
    [Kind.Dir]: 'dir',
    [Kind.Symlink]: 'symlink',
    [Kind.Whiteout]: 'whiteout',
  };
  const visit = (dir: number, prefix: string): void => {
    for (const id of index.children(dir)) {
      const path = `${prefix}/${index.name(id)}`;
      const kind = kinds[index.kind(id)];
      if (index.kind(id) === Kind.Dir) {
        out.set(path, `dir@${index.layer(id)}`);
        visit(id, path);
      } else {
        const layer = index.layer(id);
        out.set(path, `${kind}@${layer}:${(layers[layer] as Spec[])[index.ref(id)]?.path}`);
      }
    }
  };
  visit(index.root, '');
  return out;
}

describe('wasm index vs the engine lower index', () => {
  it('builds the same merged tree from random stacks, or refuses the same ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(spec, { maxLength: 8 }), { minLength: 1, maxLength: 4 }),
        async (input) => {
          const cleaned = input.map(wellFormed);
          if (cleaned.some((l) => l === null)) return;
          const layers = cleaned as Spec[][];
          const built = layers.map(toLower);
          const engine = await buildLowerIndex(
            built.map((b) => b.lower),
            META,
          ).catch((e: unknown) => e as Error);
          const index = await NamespaceIndex.create({ nodes: 4 });
          try {
            let failed: unknown;
            try {
              for (let l = layers.length - 1; l >= 0; l--)
                index.addLayer(l, (built[l] as { entries: IndexEntry[] }).entries);
            } catch (e) {
              failed = e;
            }
            if (engine instanceof Error) {
              expect(failed, `engine refused: ${engine.message}`).toBeDefined();
              return;
            }
            expect(failed).toBeUndefined();
            const mine = wasmView(index, layers);
            const theirs = engineView(engine.root, layers);
            expect(new Map([...mine].sort())).toEqual(new Map([...theirs].sort()));
          } finally {
            index.close();
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
