/**
 * The read-only resolve (`resolve`, `resolveReal`: no chain of parents, one wasm walk per
 * segment) against the writers' `locate`: on random trees with symlinks (loops, relative and
 * absolute targets, '..', '.', trailing slashes) every path must get the same object, the same
 * canonical path and the same error. Then `..` at the overlay's root (which is not the shared
 * index's root), and what a path through a symlink costs in wasm calls.
 */
import { NamespaceIndex } from '@vellum/wasm';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type EntryMeta, MemoryLayer, MemoryUpper, Overlay, type Tree, type TreeNode } from '../src/index.js';
import type { DirNode, Node } from '../src/inode.js';
import { type Located, locate, resolve, resolveReal } from '../src/lookup.js';
import { buildLowerIndex } from '../src/lower-index.js';
import { replay } from '../src/replay.js';
import { dir, file, symlink } from '../src/tree.js';

/** The canonical path of a located name, from the chain `locate` keeps (what realpath used). */
function locatedPath(loc: Located): string {
  if (loc.dirs.length === 0) return '/';
  let p = '';
  for (let i = 1; i < loc.names.length; i++) p += `/${loc.names[i]}`;
  return `${p}/${loc.name}`;
}

const NAMES = ['a', 'b', 'c'] as const;
const LONG = 'n'.repeat(256);

/** A symlink target: relative or absolute, with '.', '..', repeated and trailing slashes, or empty. */
const targetArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fc.boolean(),
        fc.array(fc.constantFrom('a', 'b', 'c', 'x', '.', '..', ''), { minLength: 1, maxLength: 4 }),
        // A tail of '/' or '/.' makes the target's last name a directory (and '.' one that exists).
        fc.constantFrom('', '', '/', '/.', '//', '/./'),
      )
      .map(([abs, parts, tail]) => (abs ? '/' : '') + parts.join('/') + tail),
  },
);

function treeArb(depth: number): fc.Arbitrary<Tree> {
  const leaf: fc.Arbitrary<TreeNode> = fc.oneof(
    fc.constant(file('f')),
    targetArb.map((t) => symlink(t)),
  );
  const node: fc.Arbitrary<TreeNode> =
    depth === 0
      ? leaf
      : fc.oneof(
          leaf,
          leaf,
          treeArb(depth - 1).map((t) => dir(t)),
        );
  return fc.dictionary(fc.constantFrom(...NAMES), node, { maxKeys: 3 });
}

/** A path to ask about: any mix of names, a missing one, '.', '..', empty and too long components. */
const pathArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.constantFrom('a', 'b', 'c', 'x', '.', '..', '', LONG), { maxLength: 6 }),
    fc.constantFrom('', '', '/', '/.', '//'),
  )
  .map(([rel, parts, tail]) => (rel ? '' : '/') + parts.join('/') + tail);

/** Changes made through the engine, so that upper containers (copied-up directories) are walked too. */
const opArb = fc.oneof(
  fc.record({ op: fc.constant('mkdir' as const), path: pathArb }),
  fc.record({ op: fc.constant('write' as const), path: pathArb }),
  fc.record({ op: fc.constant('symlink' as const), path: pathArb, target: targetArb }),
  fc.record({ op: fc.constant('rm' as const), path: pathArb }),
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

type Answer = { code: string } | { missing: true } | { node: Node; real: string };

function byLocate(root: DirNode, path: string, follow: boolean): Answer {
  try {
    const loc = locate(root, path, { follow, syscall: 'stat', display: path });
    return loc.node === undefined ? { missing: true } : { node: loc.node, real: locatedPath(loc) };
  } catch (error) {
    return { code: (error as { code: string }).code };
  }
}

function byResolve(root: DirNode, path: string, follow: boolean): Answer {
  const opts = { follow, syscall: 'stat', display: path };
  try {
    const node = resolve(root, path, opts);
    if (node === undefined) {
      // realpath of a missing name is ENOENT.
      expect(() => resolveReal(root, path, opts)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
      return { missing: true };
    }
    const real = resolveReal(root, path, opts);
    expect(real.node).toBe(node);
    return { node, real: real.path };
  } catch (error) {
    if (!(error instanceof Error) || !('code' in error)) throw error;
    return { code: (error as { code: string }).code };
  }
}

const META: EntryMeta = { mode: 0o755, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 };

async function applyOps(layers: MemoryLayer[], ops: Op[]): Promise<MemoryUpper> {
  const upper = new MemoryUpper();
  const ov = await Overlay.create({ lowers: layers, upper });
  for (const o of ops) {
    try {
      if (o.op === 'mkdir') await ov.mkdir(o.path);
      else if (o.op === 'write') await ov.writeFile(o.path, 'w');
      else if (o.op === 'symlink') await ov.symlink(o.target, o.path);
      else await ov.rm(o.path, { recursive: true });
    } catch (error) {
      if (!(error instanceof Error) || !('code' in error)) throw error;
    }
  }
  await ov.close();
  return upper;
}

describe('resolve answers what locate answers', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('on random trees, uppers and paths', async () => {
    const resolves = vi.spyOn(NamespaceIndex.prototype, 'resolveNodes');
    const targets = vi.spyOn(NamespaceIndex.prototype, 'setTarget');
    await fc.assert(
      fc.asyncProperty(
        fc.array(treeArb(2), { minLength: 1, maxLength: 2 }),
        fc.array(opArb, { maxLength: 6 }),
        fc.array(pathArb, { minLength: 20, maxLength: 40 }),
        async (trees, ops, paths) => {
          const layers = trees.map((t, i) => MemoryLayer.fromTree(t, { mtimeMs: 1, id: `l${i}` }));
          const upper = await applyOps(layers, ops);
          const lowers = await buildLowerIndex(layers, META);
          try {
            const { root } = replay(await upper.load(), lowers, () => undefined);
            // Every name of the tree, and the random paths, followed and not.
            for (const path of [...paths, ...NAMES.map((n) => `/${n}`), ...NAMES.map((n) => `/${n}/${n}/`)]) {
              for (const follow of [true, false]) {
                const want = byLocate(root, path, follow);
                const got = byResolve(root, path, follow);
                if ('node' in want && 'node' in got) {
                  expect(got.node === want.node, `${path} (follow ${follow}): same object`).toBe(true);
                  expect(got.real, `${path} (follow ${follow}): realpath`).toBe(want.real);
                } else {
                  expect(got, `${path} (follow ${follow})`).toEqual(want);
                }
                // Every symlink on the way has its target in the index now: one wasm call, and
                // the same answer.
                resolves.mockClear();
                targets.mockClear();
                expect(byResolve(root, path, follow), `${path} (follow ${follow}): again`).toEqual(got);
                // resolve, then resolveReal unless resolve threw.
                expect(resolves.mock.calls.length, `${path}: calls`).toBe('code' in got ? 1 : 2);
                expect(targets.mock.calls.length, `${path}: targets set`).toBe(0);
              }
            }
          } finally {
            lowers.store.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('symlink hops', () => {
  it('follows 40 and refuses the 41st (ELOOP), as locate does', async () => {
    // s0 → d/s1 → ../s2 → d/s3 → … → f: alternately down into /d and back up.
    const top: Tree = { f: file('f') };
    const inD: Tree = {};
    for (let i = 0; i <= 40; i++) {
      const next = i === 40 ? (i % 2 === 0 ? 'f' : '../f') : i % 2 === 0 ? `d/s${i + 1}` : `../s${i + 1}`;
      (i % 2 === 0 ? top : inD)[`s${i}`] = symlink(next);
    }
    top.d = dir(inD);
    const lowers = await buildLowerIndex([MemoryLayer.fromTree(top)], META);
    try {
      const { root } = replay(await new MemoryUpper().load(), lowers, () => undefined);
      // What each answers: an error code, or the kind of object reached.
      const cases: [string, boolean, string][] = [
        ['/s0', true, 'ELOOP'],
        ['/s0', false, 'symlink'],
        ['/d/s1', true, 'file'],
        ['/d/s1', false, 'symlink'],
        ['/s0/', false, 'ELOOP'],
        ['/d/s1/', false, 'ENOTDIR'],
      ];
      for (const [path, follow, answer] of cases) {
        const want = byLocate(root, path, follow);
        const got = byResolve(root, path, follow);
        expect('code' in got ? got.code : 'node' in got ? got.node.kind : 'missing', path).toBe(answer);
        if ('node' in want && 'node' in got) expect(got.node).toBe(want.node);
        else expect(got, path).toEqual(want);
      }
    } finally {
      lowers.store.close();
    }
  });
});

describe("'..' at the overlay's root", () => {
  // Two overlays share the realm's index, each under a directory of its own: a '..' that
  // climbed past an overlay's root would land among the other overlay's containers.
  const opened: Overlay[] = [];
  afterEach(async () => {
    for (const ov of opened.splice(0)) await ov.close();
  });
  async function pair(): Promise<[Overlay, Overlay]> {
    const a = await Overlay.create({
      lowers: [MemoryLayer.fromTree({ x: file('A'), a: dir({ b: dir({ up: symlink('../../../x') }) }) })],
      upper: new MemoryUpper(),
    });
    const b = await Overlay.create({
      lowers: [MemoryLayer.fromTree({ x: file('B'), a: dir() })],
      upper: new MemoryUpper(),
    });
    opened.push(a, b);
    return [a, b];
  }

  it('stays at the root for /.., /a/../.. and a symlink to ../../x at the top', async () => {
    const [a, b] = await pair();
    await a.symlink('../../x', '/top');
    await a.mkdir('/u');
    await a.symlink('../../../../x', '/u/deep');
    const rootIno = (await a.stat('/')).ino;
    for (const p of ['/..', '/../', '/a/../..', '/a/../../..', '/a/b/../../../.', '../..']) {
      expect((await a.stat(p)).ino, p).toBe(rootIno);
      expect(a.realpathSync(p), p).toBe('/');
      expect((await a.readdir(p)).sort(), p).toEqual(['a', 'top', 'u', 'x']);
    }
    for (const p of ['/top', '/a/b/up', '/u/deep', '/../x', '/a/../../x', '/../../a/../x']) {
      expect(await a.readFile(p, 'utf8'), p).toBe('A');
      expect(a.realpathSync(p), p).toBe('/x');
    }
    expect(await b.readFile('/a/../../x', 'utf8')).toBe('B');
    await expect(a.stat('/../a/../../y')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('what a path costs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads: one wasm call for the whole path, symlinks and .. included; writers: one walk per segment', async () => {
    const ov = await Overlay.create({
      lowers: [
        MemoryLayer.fromTree({
          d: dir({ e: dir({ f: dir({ g: file('g') }) }) }),
          a: dir({ b: dir({ link: symlink('../../d/e'), abs: symlink('/d/e') }) }),
          // Three symlinks in a chain, each relative to its own directory.
          c1: symlink('a/b/c2'),
          n: dir({ c3: symlink('../d/e') }),
        }),
      ],
      upper: new MemoryUpper(),
    });
    try {
      ov.statSync('/d/e/f/g'); // objects made once, before counting
      const walks = vi.spyOn(NamespaceIndex.prototype, 'walkNodes');
      const resolves = vi.spyOn(NamespaceIndex.prototype, 'resolveNodes');
      const targets = vi.spyOn(NamespaceIndex.prototype, 'setTarget');
      const probes = vi.spyOn(NamespaceIndex.prototype, 'lookupNode');
      const cost = (path: string): [number, number, number] => {
        walks.mockClear();
        resolves.mockClear();
        targets.mockClear();
        probes.mockClear();
        expect(ov.statSync(path).size).toBe(1);
        const wasm = walks.mock.calls.length + resolves.mock.calls.length + probes.mock.calls.length;
        return [wasm, targets.mock.calls.length, resolves.mock.calls.length];
      };
      expect(cost('/d/e/f/g')).toEqual([1, 0, 1]);
      // The first walk through a lower symlink hands it back once: its target goes to the index.
      expect(cost('/a/b/link/f/g')).toEqual([2, 1, 2]);
      expect(cost('/a/b/link/f/g')).toEqual([1, 0, 1]);
      expect(cost('/a/b/abs/f/g')).toEqual([2, 1, 2]);
      expect(cost('/a/b/abs/f/g')).toEqual([1, 0, 1]);
      // '..' is applied in the same call.
      expect(cost('/a/b/../../d/e/f/g')).toEqual([1, 0, 1]);
      // /c1 → a/b/c2 (made in the upper, its target set as it is made) → ../../n/c3 → ../d/e
      ov.symlinkSync('../../n/c3', '/a/b/c2');
      expect(cost('/c1/f/g')).toEqual([3, 2, 3]);
      expect(cost('/c1/f/g')).toEqual([1, 0, 1]);
      expect(ov.realpathSync('/c1/f/g')).toBe('/d/e/f/g');
      resolves.mockClear();
      expect(ov.realpathSync('/a/b/link/../e/f/../f/g')).toBe('/d/e/f/g');
      expect(resolves.mock.calls.length).toBe(1);
      // Writers (which keep the chain of parents) still walk one segment per call; the first
      // write copies up d, e and f (lookups of its own), so it is not counted.
      ov.utimesSync('/d/e/f/g', 0, 0);
      const write = (path: string): [number, number] => {
        walks.mockClear();
        probes.mockClear();
        ov.utimesSync(path, 1, 2);
        return [walks.mock.calls.length, probes.mock.calls.length];
      };
      expect(write('/d/e/f/g')).toEqual([1, 0]);
      expect(write('/a/b/link/f/g')).toEqual([2, 0]);
      expect(write('/a/b/abs/f/g')).toEqual([2, 0]);
      expect(write('/a/b/../../d/e/f/g')).toEqual([2, 0]);
      expect(ov.statSync('/d/e/f/g').mtimeMs).toBe(2000);
      // Through the copied-up directories: still one call.
      expect(cost('/c1/f/g')).toEqual([1, 0, 1]);
    } finally {
      await ov.close();
    }
  });
});

describe('symlink targets in the index follow the names', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('through rename, unlink, replacement, copy-up, revert, reset and close', async () => {
    // Holds the realm's index open, so that what the overlay under test leaves can be counted.
    const keeper = await Overlay.create({
      lowers: [MemoryLayer.fromTree({ k: symlink('x') })],
      upper: new MemoryUpper(),
    });
    const resolves = vi.spyOn(NamespaceIndex.prototype, 'resolveNodes');
    await keeper.stat('/');
    const index = resolves.mock.contexts[0] as NamespaceIndex;
    const before = index.targetCount;
    const ov = await Overlay.create({
      lowers: [
        MemoryLayer.fromTree({
          a: file('A'),
          b: file('B'),
          l: symlink('a'),
          d: dir({ s: symlink('../b'), a: file('DA') }),
        }),
      ],
      upper: new MemoryUpper(),
    });
    try {
      const read = (p: string): Promise<string> => ov.readFile(p, 'utf8');
      expect(await read('/l')).toBe('A');
      expect(await read('/d/s')).toBe('B');
      expect(index.targetCount).toBe(before + 2);
      // Renamed within its directory, and into another one: a relative target now starts there.
      await ov.rename('/l', '/m');
      expect(await read('/m')).toBe('A');
      await expect(ov.stat('/l')).rejects.toMatchObject({ code: 'ENOENT' });
      await ov.rename('/m', '/d/m');
      expect(await read('/d/m')).toBe('DA');
      // Another symlink at the old name, then a file, then a directory.
      await ov.symlink('b', '/l');
      expect(await read('/l')).toBe('B');
      await ov.unlink('/l');
      await ov.writeFile('/l', 'F');
      expect(await read('/l')).toBe('F');
      await expect(ov.stat('/l/x')).rejects.toMatchObject({ code: 'ENOTDIR' });
      await ov.rm('/l');
      await ov.mkdir('/l');
      await ov.writeFile('/l/x', 'X');
      expect(await read('/l/x')).toBe('X');
      // A symlink renamed over another one takes its place; a copied-up symlink keeps its target.
      await ov.rename('/d/m', '/d/s');
      expect(await read('/d/s')).toBe('DA');
      await ov.symlink('../b', '/d/t');
      await ov.lutimes('/d/t', 1, 1);
      expect(await read('/d/t')).toBe('B');
      await ov.revert('/d/s');
      expect(await read('/d/s')).toBe('B');
      await ov.reset();
      expect(await read('/l')).toBe('A');
      expect(await read('/d/s')).toBe('B');
      await expect(ov.stat('/d/t')).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await ov.close();
    }
    // The closed overlay's names went, and their targets with them.
    expect(index.targetCount).toBe(before);
    await keeper.close();
  });
});
