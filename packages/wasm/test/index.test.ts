import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTAINER_LINK,
  Flag,
  Kind,
  LOWER_LINK,
  NamespaceIndex,
  NO_REF,
  UNTAGGED,
  UPPER,
  Walk,
  WasmFsError,
} from '../src/index.js';
import { indexPerTest } from './helpers/indexes.js';
import { writeZip } from './helpers/zip-writer.js';

const make = indexPerTest();

/** Every visible path below `dir`, depth first, children in index order. */
function paths(index: NamespaceIndex, dir = index.root, prefix = ''): string[] {
  const out: string[] = [];
  for (const id of index.children(dir)) {
    if (index.kind(id) === Kind.Whiteout) continue;
    const p = `${prefix}/${index.name(id)}`;
    out.push(p);
    if (index.kind(id) === Kind.Dir) out.push(...paths(index, id, p));
  }
  return out;
}

describe('NamespaceIndex: insert and lookup', () => {
  it('inserts, finds by (parent, name) and by path, keeps insertion order', async () => {
    const ix = await make();
    const a = ix.insert(ix.root, 'a', { kind: Kind.Dir });
    const z = ix.insert(a, 'z.txt', { kind: Kind.File, layer: 2, ref: 7 });
    const b = ix.insert(a, 'b.txt', { kind: Kind.File });
    const u = ix.insert(a, 'üñí €.txt', { kind: Kind.File });
    expect(ix.lookup(ix.root, 'a')).toBe(a);
    expect(ix.lookup(a, 'z.txt')).toBe(z);
    expect(ix.lookupPath('/a/b.txt')).toBe(b);
    expect(ix.lookupPath('a//./b.txt')).toBe(b);
    expect(ix.lookupPath('/a/üñí €.txt')).toBe(u);
    expect(ix.lookupPath('/a/nope')).toBe(0);
    expect(ix.lookupPath('/a/z.txt/x')).toBe(0);
    expect(ix.childNames(a)).toEqual(['z.txt', 'b.txt', 'üñí €.txt']);
    expect(ix.layer(z)).toBe(2);
    expect(ix.ref(z)).toBe(7);
    expect(ix.layer(b)).toBe(UPPER);
    expect(ix.ref(b)).toBe(NO_REF);
    expect(ix.parent(z)).toBe(a);
    expect(ix.pathOf(u)).toBe('/a/üñí €.txt');
    expect(ix.pathOf(ix.root)).toBe('/');
    expect(ix.childCount(a)).toBe(3);
    expect(ix.subdirCount(ix.root)).toBe(1);
  });

  it('refuses a taken name, a bad name, a non-directory parent, a dead node', async () => {
    const ix = await make();
    const f = ix.insert(ix.root, 'f', { kind: Kind.File });
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(WasmFsError);
        return (e as WasmFsError).code;
      }
      return undefined;
    };
    expect(code(() => ix.insert(ix.root, 'f', { kind: Kind.File }))).toBe('EEXIST');
    expect(code(() => ix.insert(ix.root, 'a/b', { kind: Kind.File }))).toBe('EINVAL');
    expect(code(() => ix.insert(ix.root, '..', { kind: Kind.File }))).toBe('EINVAL');
    expect(code(() => ix.insert(ix.root, '', { kind: Kind.File }))).toBe('EINVAL');
    expect(code(() => ix.insert(ix.root, 'x'.repeat(256), { kind: Kind.File }))).toBe('EINVAL');
    expect(code(() => ix.insert(ix.root, 'nul\0', { kind: Kind.File }))).toBe('EINVAL');
    expect(code(() => ix.insert(f, 'x', { kind: Kind.File }))).toBe('ENOTDIR');
    ix.remove(f);
    expect(code(() => ix.insert(f, 'x', { kind: Kind.File }))).toBe('ENOENT');
    expect(code(() => ix.insert(123456, 'x', { kind: Kind.File }))).toBe('ENOENT');
    expect(code(() => ix.remove(ix.root))).toBe('EINVAL');
    // Walks from a dead or bogus start find nothing (and never read outside the table).
    expect(ix.lookupPath('/x', 1_000_000_000)).toBe(0);
    expect(ix.lookupPath('..', f)).toBe(0);
  });

  it('keeps flags, tags and sources; hides whiteouts from paths but returns them from lookup', async () => {
    const ix = await make();
    const d = ix.insert(ix.root, 'd', { kind: Kind.Dir, flags: Flag.Opaque | Flag.Redirect });
    const w = ix.insert(ix.root, 'gone', { kind: Kind.Whiteout });
    expect(ix.flags(d)).toBe(Flag.Opaque | Flag.Redirect);
    ix.setFlags(d, Flag.CopiedUp | Flag.Metacopy);
    expect(ix.flags(d)).toBe(Flag.CopiedUp | Flag.Metacopy);
    ix.setTag(d, 0xdeadbeef);
    expect(ix.tag(d)).toBe(0xdeadbeef);
    ix.setSource(d, 3, 9);
    expect([ix.layer(d), ix.ref(d)]).toEqual([3, 9]);
    expect(ix.lookup(ix.root, 'gone')).toBe(w);
    expect(ix.lookupPath('/gone')).toBe(0);
    expect(ix.childNames(ix.root)).toEqual(['d']);
    ix.setKind(w, Kind.Dir);
    expect(ix.lookupPath('/gone')).toBe(w);
  });
});

describe('NamespaceIndex: rename, remove, hard links', () => {
  it('moves a directory with one record change; its subtree follows', async () => {
    const ix = await make();
    const a = ix.insert(ix.root, 'a', { kind: Kind.Dir });
    const b = ix.insert(a, 'b', { kind: Kind.Dir });
    const ids: number[] = [];
    for (let i = 0; i < 1000; i++) ids.push(ix.insert(b, `f${i}`, { kind: Kind.File, ref: i }));
    const deep = ix.insert(b, 'deep', { kind: Kind.Dir });
    const leaf = ix.insert(deep, 'leaf', { kind: Kind.File });
    const other = ix.insert(ix.root, 'other', { kind: Kind.Dir });
    ix.move(b, other, 'renamed');
    expect(ix.lookupPath('/a/b')).toBe(0);
    expect(ix.lookupPath('/other/renamed')).toBe(b);
    expect(ix.lookupPath('/other/renamed/f500')).toBe(ids[500]);
    expect(ix.lookupPath('/other/renamed/deep/leaf')).toBe(leaf);
    expect(ix.pathOf(leaf)).toBe('/other/renamed/deep/leaf');
    // Children keep their ids, order and parents: they were not touched.
    expect(ix.children(b).slice(0, 3)).toEqual(ids.slice(0, 3));
    expect(ix.parent(ids[0] as number)).toBe(b);
    expect(ix.subdirCount(a)).toBe(0);
    expect(ix.subdirCount(other)).toBe(1);
    // Same-parent rename, into itself refused, onto a taken name refused.
    ix.move(leaf, deep, 'leaf2');
    expect(ix.childNames(deep)).toEqual(['leaf2']);
    expect(() => ix.move(other, deep, 'loop')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => ix.move(deep, other, 'renamed')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  it('removes a subtree, refuses a non-empty directory without recursive, reuses ids', async () => {
    const ix = await make();
    const a = ix.insert(ix.root, 'a', { kind: Kind.Dir });
    for (let i = 0; i < 50; i++) {
      const d = ix.insert(a, `d${i}`, { kind: Kind.Dir });
      for (let k = 0; k < 10; k++) ix.insert(d, `f${k}`, { kind: Kind.File });
    }
    expect(ix.nodeCount).toBe(1 + 1 + 50 + 500);
    expect(() => ix.remove(a)).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    ix.remove(a, { recursive: true });
    expect(ix.nodeCount).toBe(1);
    expect(ix.lookupPath('/a/d3/f1')).toBe(0);
    expect(ix.isValid(a)).toBe(false);
    const again = ix.insert(ix.root, 'again', { kind: Kind.File });
    expect(again).toBeLessThanOrEqual(553);
  });

  it('hard links share one object; it outlives its first name', async () => {
    const ix = await make();
    const d = ix.insert(ix.root, 'd', { kind: Kind.Dir });
    const f = ix.insert(ix.root, 'f', { kind: Kind.File, layer: 1, ref: 42 });
    const g = ix.link(d, 'g', f);
    const h = ix.link(ix.root, 'h', g);
    expect(ix.object(g)).toBe(ix.object(f));
    expect(ix.object(h)).toBe(f);
    expect(ix.nlink(h)).toBe(3);
    expect(ix.ref(g)).toBe(42);
    ix.setSource(h, UPPER, 5); // copy-up through any name changes the shared object
    expect([ix.layer(f), ix.ref(f)]).toEqual([UPPER, 5]);
    ix.remove(f);
    expect(ix.nlink(g)).toBe(2);
    expect(ix.ref(g)).toBe(5);
    expect(ix.lookupPath('/f')).toBe(0);
    ix.remove(d, { recursive: true });
    expect(ix.nlink(h)).toBe(1);
    ix.remove(h);
    expect(ix.nodeCount).toBe(1);
    expect(() => ix.link(ix.root, 'x', ix.root)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('NamespaceIndex: containers (the engine: a container per directory, names tagged)', () => {
  it('lookupNode finds a tag by (container, name); walkNodes crosses linked containers in one call', async () => {
    const ix = await make({ nodes: 4 });
    const top = ix.insert(ix.root, 'top', { kind: Kind.Dir });
    const sub = ix.insert(ix.root, 'sub', { kind: Kind.Dir });
    const deep = ix.insert(ix.root, 'deep', { kind: Kind.Dir });
    const link = (c: number, name: string, to: number, tag: number): void =>
      ix.setTag(ix.insert(c, name, { kind: Kind.File, layer: CONTAINER_LINK, ref: to }), tag);
    link(top, 'a', sub, 11);
    link(sub, 'bé', deep, 12);
    ix.setTag(ix.insert(deep, 'f', { kind: Kind.File }), 13);
    ix.setTag(ix.insert(deep, 'g', { kind: Kind.File }), 14);
    expect(ix.lookupNode(sub, 'bé')).toBe(12);
    expect(ix.lookupNode(sub, 'zz')).toBe(0);
    // An untagged name answers with its id, marked.
    const bare = ix.insert(sub, 'bare', { kind: Kind.File });
    expect(ix.lookupNode(sub, 'bare')).toBe((bare | UNTAGGED) >>> 0);
    const out: number[] = [];
    const walk = (path: string): number[] => out.slice(0, ix.walkNodes(top, path, out));
    expect(walk('/a/bé/f')).toEqual([11, 12, 13]);
    expect(walk('a//./bé/')).toEqual([11, 12]);
    // A missing name is left out; a non-directory ends the walk; '..' stops it before.
    expect(walk('/a/nope/f')).toEqual([11]);
    expect(walk('/a/bé/f/more')).toEqual([11, 12, 13]);
    expect(walk('/a/../a')).toEqual([11]);
    expect(walk(`/a/${'x'.repeat(256)}`)).toEqual([11]);
    expect(walk('')).toEqual([]);
    // Many components: the result area is sized once for the whole path.
    let c = deep;
    for (let i = 0; i < 300; i++) {
      const next = ix.insert(ix.root, `n${i}`, { kind: Kind.Dir });
      link(c, 'd', next, 100 + i);
      c = next;
    }
    const long = walk(`/a/bé${'/d'.repeat(300)}`);
    expect(long.length).toBe(302);
    expect(long[301]).toBe(399);
  });
});

describe('NamespaceIndex: copyChildren (the engine copying a directory up)', () => {
  it('copies every name in order, byte for byte, as links or with its tag; refuses a non-empty target', async () => {
    const ix = await make({ nodes: 4 });
    const zip = writeZip([
      { name: 'd/a.txt', data: new TextEncoder().encode('a') },
      { name: 'd/sub/x' },
      { name: 'd/ü-名' },
      { name: 'd/moved' },
    ]);
    const dir = await ix.openZip({ size: zip.byteLength, read: (o, n) => zip.subarray(o, o + n) });
    const root = ix.insert(ix.root, 'lower', { kind: Kind.Dir });
    ix.addZipLayer(0, dir, root);
    const d = ix.lookupPath('/d', root);
    // A zip node renamed in place reads its new name; one tagged; a container name as the engine sets it.
    ix.move(ix.lookup(d, 'moved'), d, 'renamed');
    ix.setTag(ix.lookup(d, 'a.txt'), 7);
    const up = ix.insert(ix.root, 'up', { kind: Kind.Dir });
    ix.setTag(ix.insert(d, 'cont', { kind: Kind.File, layer: CONTAINER_LINK, ref: up }), 9);
    const copy = ix.insert(ix.root, 'copy', { kind: Kind.Dir });
    expect(ix.copyChildren(copy, d)).toEqual([7, 9]);
    const row = (id: number): unknown[] => [ix.name(id), ix.kind(id), ix.layer(id), ix.ref(id), ix.tag(id)];
    const sub = ix.lookup(d, 'sub');
    expect(ix.children(copy).map(row)).toEqual([
      ['a.txt', Kind.File, UPPER, NO_REF, 7],
      ['sub', Kind.File, CONTAINER_LINK, sub, 0],
      ['ü-名', Kind.File, LOWER_LINK, ix.lookup(d, 'ü-名'), 0],
      ['renamed', Kind.File, LOWER_LINK, ix.lookup(d, 'renamed'), 0],
      ['cont', Kind.File, CONTAINER_LINK, up, 9],
    ]);
    // The copy answers lookups and walks like the source: through the link into the lower dir.
    const out: number[] = [];
    expect(ix.walkNodes(copy, '/sub/x', out)).toBe(2);
    expect(out[1]).toBe((ix.lookup(sub, 'x') | UNTAGGED) >>> 0);
    // A copy of the copy keeps the links (not links to links) and the tags.
    const again = ix.insert(ix.root, 'again', { kind: Kind.Dir });
    expect(ix.copyChildren(again, copy)).toEqual([7, 9]);
    expect(ix.children(again).map(row)).toEqual(ix.children(copy).map(row));
    expect(() => ix.copyChildren(again, d)).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    expect(() => ix.copyChildren(ix.lookup(d, 'a.txt'), d)).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }),
    );
    expect(() => ix.copyChildren(ix.insert(ix.root, 'e', { kind: Kind.Dir }), 99_999)).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }),
    );
    dir.close();
  });
});

describe('NamespaceIndex: setBelow (an upper copy merging its lower directory)', () => {
  it('falls through to the lower directory unless the container has the name or a whiteout for it', async () => {
    const ix = await make({ nodes: 4 });
    const lower = ix.insert(ix.root, 'lower', { kind: Kind.Dir });
    const lowerSub = ix.insert(lower, 'sub', { kind: Kind.Dir });
    const x = ix.insert(lowerSub, 'x', { kind: Kind.File });
    for (const name of ['a', 'b', 'c', 'd']) ix.insert(lower, name, { kind: Kind.File });
    const top = ix.insert(ix.root, 'top', { kind: Kind.Dir });
    ix.setBelow(top, lower);
    expect(ix.below(top)).toBe(lower);
    expect(ix.flags(top) & Flag.Below).toBe(Flag.Below);
    const id = (name: string): number => ix.lookup(lower, name);
    expect(ix.listMerged(top)).toEqual(['sub', 'a', 'b', 'c', 'd'].map(id));
    expect(ix.lookupNode(top, 'b')).toBe((id('b') | UNTAGGED) >>> 0);
    // Replace b, hide c, add e: the lower order, b's replacement in b's place, c gone, e last.
    const b2 = ix.insert(top, 'b', { kind: Kind.File });
    ix.setTag(b2, 21);
    ix.insert(top, 'c', { kind: Kind.Whiteout });
    const e = ix.insert(top, 'e', { kind: Kind.File });
    ix.insert(top, 'gone', { kind: Kind.Whiteout }); // a whiteout over nothing lists nothing
    expect(ix.listMerged(top)).toEqual([id('sub'), id('a'), b2, id('d'), e]);
    expect(ix.lookupNode(top, 'b')).toBe(21);
    expect(ix.lookupNode(top, 'c')).toBe(0);
    expect(ix.lookupNode(top, 'gone')).toBe(0);
    expect(ix.lookupNode(top, 'zz')).toBe(0);
    const out: number[] = [];
    // The walk falls through into the lower subdirectory, and stops at a whiteout.
    expect(ix.walkNodes(top, '/sub/x', out)).toBe(2);
    expect(out.slice(0, 2)).toEqual([(lowerSub | UNTAGGED) >>> 0, (x | UNTAGGED) >>> 0]);
    expect(ix.walkNodes(top, '/c/x', out)).toBe(0);
    // A copy of the container copies its own names (whiteouts included) and merges the same dir.
    const again = ix.insert(ix.root, 'again', { kind: Kind.Dir });
    expect(ix.copyChildren(again, top)).toEqual([21]);
    expect(ix.below(again)).toBe(lower);
    expect(ix.listMerged(again).map((n) => ix.name(n))).toEqual(['sub', 'a', 'b', 'd', 'e']);
    expect(ix.lookupNode(again, 'c')).toBe(0);
    // Only an empty live directory can start merging; 0 stops it.
    expect(() => ix.setBelow(top, lower)).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    expect(() => ix.setBelow(ix.insert(ix.root, 'f', { kind: Kind.Dir }), x)).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }),
    );
    ix.setBelow(top, 0);
    expect(ix.below(top)).toBe(0);
    expect(ix.lookupNode(top, 'a')).toBe(0);
    expect(ix.listMerged(top)).toEqual([b2, e]); // whiteouts are never listed
  });
});

describe('NamespaceIndex: visits (what removing or reverting a directory must look at)', () => {
  it('lists tagged names, hard links and Linked files through merged containers; a directory after its names', async () => {
    const ix = await make({ nodes: 4 });
    const lowers = ix.insert(ix.root, 'lowers', { kind: Kind.Dir });
    // Bottom: /d/{a, b, s/{x, y}} with b a hard link of /d/s/x, /d/m and /d/n listed with nlink 2.
    ix.addLayer(
      1,
      [
        { path: '/d/a', kind: 'file', ref: 0 },
        { path: '/d/s/x', kind: 'file', ref: 1 },
        { path: '/d/s/y', kind: 'file', ref: 2 },
        { path: '/d/b', kind: 'hardlink', linkOf: '/d/s/x', ref: 3 },
        { path: '/d/m', kind: 'file', ref: 4, nlink: 2 },
        { path: '/d/n', kind: 'file', ref: 5, nlink: 2 },
        { path: '/d/n2', kind: 'hardlink', linkOf: '/d/n', ref: 6 },
      ],
      lowers,
    );
    // Top: hides /d/n2 (so /d/n is alone in the index, but its layer still says 2 links).
    ix.addLayer(0, [{ path: '/d/n2', kind: 'whiteout' }], lowers);
    const d = ix.lookupPath('/d', lowers);
    const at = (p: string): number => ix.lookupPath(p, lowers);
    const u = (id: number): number => (id | UNTAGGED) >>> 0;
    expect(ix.nlink(at('/d/n'))).toBe(1);
    expect(ix.flags(at('/d/n')) & Flag.Linked).toBe(Flag.Linked);
    expect(ix.flags(at('/d/a')) & Flag.Linked).toBe(0);
    // Pristine: /d/a and /d/s/y are left out; the hard-linked pair and the Linked files are not
    // (a layer's hard links are laid after its other entries: b comes last).
    expect(ix.visits(d, true)).toEqual([u(at('/d/s/x')), u(at('/d/m')), u(at('/d/n')), u(at('/d/b'))]);
    // Not deep: the subdirectory's names are not looked at.
    expect(ix.visits(d, false)).toEqual([u(at('/d/m')), u(at('/d/n')), u(at('/d/b'))]);
    // Tagged names are listed by tag, a tagged directory after its names.
    ix.setTag(at('/d/s/y'), 5);
    ix.setTag(at('/d/s'), 6);
    expect(ix.visits(d, true)).toEqual([u(at('/d/s/x')), 5, 6, u(at('/d/m')), u(at('/d/n')), u(at('/d/b'))]);
    expect(ix.visits(d, false)).toEqual([6, u(at('/d/m')), u(at('/d/n')), u(at('/d/b'))]);
    // An upper copy of /d: a replaced name, a whiteout, an added name, a link to a lower directory.
    const top = ix.insert(ix.root, 'top', { kind: Kind.Dir });
    ix.setBelow(top, d);
    ix.setTag(ix.insert(top, 'a', { kind: Kind.File }), 21);
    ix.insert(top, 'm', { kind: Kind.Whiteout });
    ix.setTag(ix.insert(top, 'new', { kind: Kind.File }), 22);
    const sub = ix.insert(ix.root, 'sub', { kind: Kind.Dir });
    ix.setTag(ix.insert(sub, 'z', { kind: Kind.File }), 31);
    ix.setTag(ix.insert(top, 'c', { kind: Kind.File, layer: CONTAINER_LINK, ref: sub }), 23);
    expect(ix.visits(top, true)).toEqual([
      21,
      u(at('/d/s/x')),
      5,
      6,
      u(at('/d/n')),
      u(at('/d/b')),
      22,
      31,
      23,
    ]);
    // A copy of the copy: untagged links to lower nodes count as the nodes they stand for.
    const again = ix.insert(ix.root, 'again', { kind: Kind.Dir });
    ix.copyChildren(again, top);
    expect(ix.visits(again, true)).toEqual(ix.visits(top, true));
    const plain = ix.insert(ix.root, 'plain', { kind: Kind.Dir });
    ix.insert(plain, 'f', { kind: Kind.File, layer: LOWER_LINK, ref: at('/d/a') });
    const linked = ix.insert(plain, 'g', { kind: Kind.File, layer: LOWER_LINK, ref: at('/d/b') });
    expect(ix.visits(plain, true)).toEqual([u(linked)]);
    ix.setTag(at('/d/a'), 40);
    expect(ix.visits(plain, true)).toEqual([u(ix.lookup(plain, 'f')), u(linked)]);
  });

  it('made-up, freed and non-directory ids list nothing; a cycle of container links throws ELOOP', async () => {
    const ix = await make({ nodes: 4 });
    const dir = ix.insert(ix.root, 'dir', { kind: Kind.Dir });
    ix.setTag(ix.insert(dir, 'f', { kind: Kind.File }), 3);
    const gone = ix.insert(ix.root, 'gone', { kind: Kind.Dir });
    ix.remove(gone);
    for (const id of [0, 2 ** 31, 2 ** 32 - 1, 99_999, gone, ix.lookup(dir, 'f')]) {
      expect(ix.visits(id, true)).toEqual([]);
      expect(ix.visits(id, false)).toEqual([]);
    }
    // A link to a made-up or freed container is a name like any other, not a way out.
    ix.setTag(ix.insert(dir, 'bad', { kind: Kind.File, layer: CONTAINER_LINK, ref: 2 ** 31 }), 4);
    ix.insert(dir, 'bad2', { kind: Kind.File, layer: CONTAINER_LINK, ref: gone });
    ix.insert(dir, 'bad3', { kind: Kind.File, layer: LOWER_LINK, ref: 2 ** 31 });
    expect(ix.visits(dir, true)).toEqual([3, 4, (ix.lookup(dir, 'bad3') | UNTAGGED) >>> 0]);
    const a = ix.insert(ix.root, 'a', { kind: Kind.Dir });
    ix.insert(a, 'up', { kind: Kind.File, layer: CONTAINER_LINK, ref: a });
    expect(() => ix.visits(a, true)).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(ix.visits(a, false)).toEqual([]);
    // The index still answers afterwards.
    expect(ix.visits(dir, false)).toEqual([3, 4, (ix.lookup(dir, 'bad3') | UNTAGGED) >>> 0]);
  });
});

describe('NamespaceIndex: touched (the names a diff must look at)', () => {
  it("lists a container's own names and whiteouts, and only the tagged or hard-linked lower names it merges", async () => {
    const ix = await make({ nodes: 4 });
    const lowers = ix.insert(ix.root, 'lowers', { kind: Kind.Dir });
    ix.addLayer(
      0,
      [
        { path: '/d/a', kind: 'file', ref: 0 },
        { path: '/d/b', kind: 'file', ref: 1 },
        { path: '/d/c', kind: 'file', ref: 2 },
        { path: '/d/s/x', kind: 'file', ref: 3 },
        { path: '/d/h', kind: 'hardlink', linkOf: '/d/s/x', ref: 4 },
        { path: '/d/m', kind: 'file', ref: 5, nlink: 2 },
      ],
      lowers,
    );
    const at = (p: string): number => ix.lookupPath(p, lowers);
    const d = at('/d');
    const sorted = (ids: number[]): number[] => [...ids].sort((x, y) => x - y);
    // A lower directory alone: its names are its own (it is its own container).
    expect(sorted(ix.touched(d))).toEqual(sorted(ix.children(d)));
    const top = ix.insert(ix.root, 'top', { kind: Kind.Dir });
    ix.setBelow(top, d);
    // Merged and untouched: only the hard-link name and the Linked file may differ.
    expect(sorted(ix.touched(top))).toEqual(sorted([at('/d/h'), at('/d/m')]));
    // A replaced name, a whiteout, an added name; a tagged lower name (object made) shows too.
    const a = ix.insert(top, 'a', { kind: Kind.File });
    const gone = ix.insert(top, 'b', { kind: Kind.Whiteout });
    const added = ix.insert(top, 'new', { kind: Kind.File });
    ix.setTag(at('/d/c'), 7);
    ix.setTag(at('/d/s'), 8);
    expect(sorted(ix.touched(top))).toEqual(
      sorted([a, gone, added, at('/d/c'), at('/d/s'), at('/d/h'), at('/d/m')]),
    );
    // The lower names replaced or hidden here are listed once, as the container's.
    expect(ix.touched(top)).not.toContain(at('/d/a'));
    expect(ix.touched(top)).not.toContain(at('/d/b'));
    for (const id of [0, 2 ** 31, 2 ** 32 - 1, 99_999, a]) expect(ix.touched(id)).toEqual([]);
  });
});

describe('NamespaceIndex: lookupPath', () => {
  it('agrees with the full walk on random trees and paths (dots, slashes, symlinks, whiteouts)', async () => {
    const names = ['a', 'b', '.x', 'ü', 'c.txt'];
    const comp = fc.oneof(fc.constantFrom(...names), fc.constantFrom('.', '..', ''));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }),
            fc.integer({ min: 0, max: 4 }),
          ),
          {
            maxLength: 40,
          },
        ),
        fc.array(fc.tuple(fc.array(comp, { maxLength: 6 }), fc.boolean(), fc.boolean()), {
          minLength: 1,
          maxLength: 30,
        }),
        async (entries, queries) => {
          const ix = await make();
          for (const [parts, k] of entries) {
            let dir = ix.root;
            for (const [depth, name] of parts.entries()) {
              const last = depth === parts.length - 1;
              const have = ix.lookup(dir, name);
              if (have !== 0) {
                if (ix.kind(have) !== Kind.Dir) break;
                dir = have;
                continue;
              }
              const kind = last
                ? ([Kind.File, Kind.Dir, Kind.Symlink, Kind.Whiteout, Kind.File][k] as Kind)
                : Kind.Dir;
              dir = ix.insert(dir, name, { kind });
              if (kind !== Kind.Dir) break;
            }
          }
          for (const [parts, absolute, trailing] of queries) {
            const path = `${absolute ? '/' : ''}${parts.join('/')}${trailing ? '/' : ''}`;
            const w = ix.walk(path);
            const expected =
              w.status === Walk.Ok || (w.status === Walk.Symlink && /^\/*$/.test(w.rest)) ? w.node : 0;
            expect(ix.lookupPath(path), path).toBe(expected);
          }
          ix.close();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('NamespaceIndex: resolve', () => {
  it('follows symlinks in every component, stops at the last unless asked, ELOOP after 40', async () => {
    const ix = await make();
    const targets = new Map<number, string>();
    const sym = (parent: number, name: string, target: string): number => {
      const id = ix.insert(parent, name, { kind: Kind.Symlink });
      targets.set(id, target);
      return id;
    };
    const readlink = (id: number): string => targets.get(id) ?? '';
    const a = ix.insert(ix.root, 'a', { kind: Kind.Dir });
    const b = ix.insert(a, 'b', { kind: Kind.Dir });
    const f = ix.insert(b, 'f', { kind: Kind.File });
    const rel = sym(a, 'rel', 'b');
    sym(ix.root, 'abs', '/a/b');
    sym(ix.root, 'loop', '/loop');
    sym(b, 'up', '../..');
    expect(ix.resolve('/a/rel/f', { follow: true, readlink }).node).toBe(f);
    expect(ix.resolve('/abs/f', { follow: false, readlink }).node).toBe(f);
    expect(ix.resolve('/a/rel', { follow: false, readlink }).node).toBe(rel);
    expect(ix.resolve('/a/rel', { follow: true, readlink }).node).toBe(b);
    expect(ix.resolve('/a/rel/', { follow: false, readlink }).node).toBe(b);
    expect(ix.resolve('/abs/up/a/b/f', { follow: true, readlink }).node).toBe(f);
    expect(ix.resolve('/a/b/../../a/b/f', { follow: true, readlink }).node).toBe(f);
    expect(ix.resolve('/../../a', { follow: true, readlink }).node).toBe(a);
    expect(ix.resolve('/a/new', { follow: true, readlink })).toEqual({ node: 0, parent: a, name: 'new' });
    const fails = (p: string): string => {
      try {
        ix.resolve(p, { follow: true, readlink, syscall: 'open' });
        return 'ok';
      } catch (e) {
        return (e as WasmFsError).code;
      }
    };
    expect(fails('/loop')).toBe('ELOOP');
    expect(fails('/a/x/y')).toBe('ENOENT');
    expect(fails('/a/b/f/x')).toBe('ENOTDIR');
    expect(fails('/a/b/f/')).toBe('ENOTDIR');
    expect(fails(`/${'n'.repeat(256)}`)).toBe('ENAMETOOLONG');
  });
});

describe('NamespaceIndex: bulk build of lowers', () => {
  it('lays a zip under a build root and numbers it alike in place and from its paths', async () => {
    const dirMode = 0o40755;
    const zip = writeZip([
      { name: 'a/b/c.txt' },
      { name: 'a/', unixMode: dirMode },
      { name: 'low/x.txt' },
      { name: 'low/', unixMode: dirMode },
      { name: 'file' },
      { name: 'file/under.txt' },
      { name: 'dup.txt' },
      { name: 'dup.txt' },
      { name: 'ldir/', unixMode: dirMode },
      { name: 'lfile/', unixMode: dirMode },
      { name: 'ldir2' },
      { name: 'sym', unixMode: 0o120777, data: new TextEncoder().encode('a') },
    ]);
    const ix = await make();
    const dir = await ix.openZip({ size: zip.byteLength, read: (o, n) => zip.subarray(o, o + n) });
    const rows = (root: number): string[] => {
      const out: string[] = [];
      const visit = (node: number, path: string): void => {
        for (const name of ix.childNames(node).sort()) {
          const id = ix.lookup(node, name);
          const merged = (ix.flags(id) & Flag.Merged) !== 0 ? ' merged' : '';
          out.push(
            `${path}/${name} ${ix.kind(id)} ${ix.layer(id)}:${ix.ref(id)} #${ix.ordinal(id)}${merged}`,
          );
          if (ix.kind(id) === Kind.Dir) visit(id, `${path}/${name}`);
        }
      };
      visit(root, '');
      return out;
    };
    const lay = (root: number): void => {
      ix.addLayer(
        1,
        [
          { path: '/low/old.txt', kind: 'file', ref: 0 },
          { path: '/ldir', kind: 'dir', ref: 1 },
          { path: '/lfile', kind: 'file', ref: 2 },
          { path: '/ldir2/in', kind: 'file', ref: 3 },
        ],
        root,
      );
      ix.addZipLayer(0, dir, root);
    };
    // The first build of a directory parsed here is in place (a file entry's record is its node,
    // so entries 0 and 2 are nodes two ids apart); the second lays the same directory from its
    // paths (plain nodes, made after the implicit parents).
    const inPlace = ix.insert(ix.root, 'one', { kind: Kind.Dir });
    lay(inPlace);
    const fromPaths = ix.insert(ix.root, 'two', { kind: Kind.Dir });
    lay(fromPaths);
    const gap = (root: number): number =>
      ix.lookupPath('/low/x.txt', root) - ix.lookupPath('/a/b/c.txt', root);
    expect(gap(inPlace)).toBe(2);
    expect(gap(fromPaths)).not.toBe(2);
    // Implicit a (0), a/b (1), c.txt (2); the entry for a/ keeps a's number and takes 3; low, a
    // lower directory first needed here, 4 (merged); file/under.txt goes through a file (no number);
    // ldir/ over the lower directory takes its entry's (merged); lfile/ replaces a lower file.
    const expected = [
      '/a 2 0:1 #0',
      '/a/b 2 0:4294967295 #1',
      '/a/b/c.txt 1 0:0 #2',
      '/dup.txt 1 0:7 #9',
      '/file 1 0:4 #7',
      '/ldir 2 0:8 #10 merged',
      '/ldir2 1 0:10 #12',
      '/lfile 2 0:9 #11',
      '/low 2 0:3 #4 merged',
      '/low/old.txt 1 1:0 #1',
      '/low/x.txt 1 0:2 #5',
      '/sym 3 0:11 #13',
    ];
    expect(rows(inPlace)).toEqual(expected);
    expect(rows(fromPaths)).toEqual(expected);
    expect(ix.lookupPath('/a')).toBe(0);
    // Each build warns alike: file/under.txt through a file, the first dup.txt replaced.
    const once = [
      [5, 'ENOTDIR'],
      [6, 'EEXIST'],
    ];
    expect(ix.warnings.map((w) => [w.ref, w.code])).toEqual([...once, ...once]);
  });

  it('builds under a given root, numbers entries as listed, marks merged directories, walks untagged nodes', async () => {
    const ix = await make();
    const root = ix.insert(ix.root, 'lowers', { kind: Kind.Dir });
    ix.addLayer(
      1,
      [
        { path: '/a/b/c', kind: 'file', ref: 0 },
        { path: '/a', kind: 'dir', ref: 1 },
        { path: '/h2', kind: 'hardlink', linkOf: '/h1', ref: 2 },
        { path: '/h1', kind: 'file', ref: 3 },
        { path: '/x/y', kind: 'hardlink', linkOf: '/h1', ref: 4 },
        { path: '/op/old', kind: 'file', ref: 5 },
      ],
      root,
    );
    expect(ix.lookupPath('/a')).toBe(0);
    const at = (p: string): number => ix.lookupPath(p, root);
    // Implicit a (0), a/b (1), c (2); the later entry for /a keeps a's number and takes 3.
    expect(['/a', '/a/b', '/a/b/c', '/h1', '/x', '/op', '/op/old'].map((p) => ix.ordinal(at(p)))).toEqual([
      0, 1, 2, 5, 6, 8, 9,
    ]);
    expect(ix.object(at('/h2'))).toBe(ix.object(at('/h1')));
    ix.addLayer(
      0,
      [
        { path: '/a/new', kind: 'file', ref: 0 },
        { path: '/op', kind: 'dir', ref: 1, opaque: true },
      ],
      root,
    );
    expect([ix.layer(at('/a')), ix.ordinal(at('/a')), ix.flags(at('/a')) & Flag.Merged]).toEqual([
      0,
      0,
      Flag.Merged,
    ]);
    expect([ix.ordinal(at('/op')), ix.flags(at('/op')) & Flag.Merged, at('/op/old')]).toEqual([2, 0, 0]);
    expect(ix.flags(at('/a/b')) & Flag.Merged).toBe(0);
    ix.setTag(at('/a'), 7);
    const out: number[] = [];
    expect(ix.walkNodes(root, '/a/b/c', out)).toBe(3);
    expect(out.slice(0, 3)).toEqual([7, at('/a/b') | UNTAGGED, at('/a/b/c') | UNTAGGED].map((v) => v >>> 0));
    expect(() => ix.addLayer(0, [], at('/h1'))).toThrow(WasmFsError);
  });

  it('merges directories, replaces non-directories, applies whiteouts and opaque marks', async () => {
    const ix = await make();
    ix.addLayer(2, [
      { path: '/keep/a', kind: 'file', ref: 0 },
      { path: '/gone/x', kind: 'file', ref: 1 },
      { path: '/op/below', kind: 'file', ref: 2 },
      { path: '/op/sub/deep', kind: 'file', ref: 3 },
      { path: '/f', kind: 'dir', ref: 4 },
      { path: '/f/child', kind: 'file', ref: 5 },
    ]);
    // The top layer lists a child of the opaque directory before the opaque mark itself.
    ix.addLayer(1, [
      { path: '/op/sub/mine', kind: 'file', ref: 0 },
      { path: '/op', kind: 'dir', ref: 1, opaque: true },
      { path: '/gone', kind: 'whiteout' },
      { path: '/keep/b', kind: 'file', ref: 2 },
      { path: '/f', kind: 'file', ref: 3 },
      { path: '/ln', kind: 'hardlink', linkOf: '/keep/b' },
    ]);
    expect(paths(ix).sort()).toEqual([
      '/f',
      '/keep',
      '/keep/a',
      '/keep/b',
      '/ln',
      '/op',
      '/op/sub',
      '/op/sub/mine',
    ]);
    const keep = ix.lookupPath('/keep');
    expect(ix.layer(keep)).toBe(1);
    expect(ix.flags(keep) & Flag.Implicit).toBe(Flag.Implicit);
    expect(ix.layer(ix.lookupPath('/keep/a'))).toBe(2);
    expect([ix.layer(ix.lookupPath('/f')), ix.ref(ix.lookupPath('/f'))]).toEqual([1, 3]);
    expect(ix.flags(ix.lookupPath('/op')) & Flag.Opaque).toBe(Flag.Opaque);
    expect(ix.object(ix.lookupPath('/ln'))).toBe(ix.lookupPath('/keep/b'));
    expect(ix.warnings).toEqual([]);
  });

  it("returns a build's warnings and keeps them only while the directory it was laid under lives", async () => {
    const ix = await make();
    const dup = [
      { path: '/a', kind: 'file' as const, ref: 0 },
      { path: '/a', kind: 'file' as const, ref: 1 },
    ];
    const roots = [1, 2, 3].map((k) => ix.insert(ix.root, `r${k}`, { kind: Kind.Dir }));
    const returned = roots.map((root, k) => ix.addLayer(k, dup, root));
    expect(returned.map((w) => w.map((x) => [x.layer, x.ref, x.code]))).toEqual([
      [[0, 0, 'EEXIST']],
      [[1, 0, 'EEXIST']],
      [[2, 0, 'EEXIST']],
    ]);
    expect(ix.warnings.map((w) => w.layer)).toEqual([0, 1, 2]);
    ix.remove(roots[1] as number, { recursive: true });
    expect(ix.warnings.map((w) => w.layer)).toEqual([0, 2]);
    // Removed with its parent: the subtree holding a build root takes the warnings along.
    const outer = ix.insert(ix.root, 'outer', { kind: Kind.Dir });
    const inner = ix.insert(outer, 'inner', { kind: Kind.Dir });
    ix.addLayer(7, dup, inner);
    expect(ix.warnings.map((w) => w.layer)).toEqual([0, 2, 7]);
    ix.remove(outer, { recursive: true });
    // The freed ids handed out again do not bring the warnings back.
    ix.insert(ix.root, 'again', { kind: Kind.Dir });
    ix.insert(ix.root, 'again2', { kind: Kind.Dir });
    expect(ix.warnings.map((w) => w.layer)).toEqual([0, 2]);
    expect(ix.addLayer(3, [{ path: '/b', kind: 'file', ref: 0 }], roots[0])).toEqual([]);
  });

  it('warns about duplicates (later wins) and fails on a path through a file of the same layer', async () => {
    const ix = await make();
    ix.addLayer(0, [
      { path: '/a', kind: 'file', ref: 0 },
      { path: '/a', kind: 'file', ref: 1 },
    ]);
    expect(ix.ref(ix.lookupPath('/a'))).toBe(1);
    expect(ix.warnings).toEqual([expect.objectContaining({ layer: 0, ref: 0, code: 'EEXIST' })]);
    const err = (() => {
      try {
        ix.addLayer(0, [
          { path: '/f', kind: 'file', ref: 0 },
          { path: '/f/x', kind: 'file', ref: 1 },
        ]);
      } catch (e) {
        return e as WasmFsError;
      }
    })();
    expect(err?.code).toBe('EIO');
    expect(String(err?.cause)).toContain('entry 1');
    expect(() => ix.addLayer(0, [{ path: '/a/../b', kind: 'file' }])).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });

  it('matches a plain model of the layering rules on random stacks', async () => {
    type Ent = { path: string; kind: 'file' | 'dir' | 'whiteout'; opaque?: boolean };
    const name = fc.constantFrom('a', 'b', 'c');
    const ent: fc.Arbitrary<Ent> = fc.record({
      path: fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`),
      kind: fc.constantFrom('file' as const, 'dir' as const, 'whiteout' as const),
      opaque: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(ent, { maxLength: 8 }), { minLength: 1, maxLength: 4 }),
        async (input) => {
          let layers = input;
          // Model: per-layer trees (a file on the way to a later path is dropped, as the
          // index skips such entries with an error we avoid here), merged bottom-up.
          type Tree = Map<string, Tree | 'file' | 'whiteout'> & { opaque?: boolean };
          const layerTree = (entries: Ent[]): Tree | null => {
            const root: Tree = new Map();
            for (const e of entries) {
              const parts = e.path.split('/').filter(Boolean);
              let dir = root;
              for (const part of parts.slice(0, -1)) {
                let next = dir.get(part);
                if (next === 'file') return null; // path through a file: the index throws
                if (next === undefined || next === 'whiteout') {
                  next = new Map();
                  dir.set(part, next);
                }
                dir = next;
              }
              const last = parts[parts.length - 1] as string;
              const old = dir.get(last);
              if (e.kind === 'dir') {
                const d: Tree = old instanceof Map ? old : new Map();
                d.opaque = e.opaque;
                dir.set(last, d);
              } else dir.set(last, e.kind);
            }
            return root;
          };
          const merge = (target: Map<string, unknown>, src: Tree): void => {
            if (src.opaque) target.clear();
            for (const [k, v] of src) {
              if (v === 'whiteout') target.delete(k);
              else if (v === 'file') target.set(k, 'file');
              else {
                const below = target.get(k);
                const d = below instanceof Map ? below : new Map();
                target.set(k, d);
                merge(d, v);
              }
            }
          };
          const flat = (m: Map<string, unknown>, prefix = ''): string[] =>
            [...m].flatMap(([k, v]) => [
              `${prefix}/${k}`,
              ...(v instanceof Map ? flat(v, `${prefix}/${k}`) : []),
            ]);
          // A layer listing one path twice, or a whiteout and entries below it, is malformed:
          // the index keeps the later entry (with a warning) but does not bring back what the
          // earlier one removed from below, so the model is only compared on well-formed layers.
          const clean = (entries: Ent[]): Ent[] | null => {
            const last = new Map<string, Ent>();
            for (const e of entries) {
              last.delete(e.path);
              last.set(e.path, e);
            }
            const list = [...last.values()];
            const wh = list.filter((e) => e.kind === 'whiteout').map((e) => e.path);
            return list.some((e) => wh.some((w) => e.path.startsWith(`${w}/`))) ? null : list;
          };
          const cleaned = layers.map(clean);
          if (cleaned.some((l) => l === null)) return;
          layers = cleaned as Ent[][];
          const trees = layers.map(layerTree);
          if (trees.some((t) => t === null)) return;
          const model = new Map<string, unknown>();
          for (let l = trees.length - 1; l >= 0; l--) merge(model, trees[l] as Tree);

          const ix = await NamespaceIndex.create({ nodes: 4 });
          try {
            for (let l = layers.length - 1; l >= 0; l--) {
              ix.addLayer(
                l,
                (layers[l] as Ent[]).map((e, ref) => ({ ...e, ref })),
              );
            }
            expect(paths(ix).sort()).toEqual(flat(model).sort());
          } finally {
            ix.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('NamespaceIndex: memory', () => {
  it('grows far past its initial capacity and releases on close', async () => {
    const ix = await make({ nodes: 16, nameBytes: 64 });
    const start = ix.memoryBytes;
    const dirs: number[] = [];
    for (let d = 0; d < 100; d++) dirs.push(ix.insert(ix.root, `directory-number-${d}`, { kind: Kind.Dir }));
    for (let i = 0; i < 60_000; i++) {
      ix.insert(dirs[i % 100] as number, `a-rather-long-file-name-to-fill-the-arena-${i}.txt`, {
        kind: Kind.File,
        ref: i,
      });
    }
    expect(ix.nodeCount).toBe(1 + 100 + 60_000);
    expect(ix.memoryBytes).toBeGreaterThan(start * 10);
    for (let i = 0; i < 60_000; i += 997) {
      const id = ix.lookupPath(
        `/directory-number-${i % 100}/a-rather-long-file-name-to-fill-the-arena-${i}.txt`,
      );
      expect(ix.ref(id)).toBe(i);
    }
    // Churn: renames and removes leave garbage names that compaction reclaims.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 60_000; i += 3) {
        const dir = dirs[i % 100] as number;
        const from =
          round === 0 ? `a-rather-long-file-name-to-fill-the-arena-${i}.txt` : `r${round - 1}-${i}`;
        ix.move(ix.lookup(dir, from), dir, `r${round}-${i}`);
      }
    }
    expect(ix.ref(ix.lookupPath('/directory-number-3/r2-3'))).toBe(3);
    expect(
      ix.pathOf(ix.lookupPath('/directory-number-4/a-rather-long-file-name-to-fill-the-arena-4.txt')),
    ).toBe('/directory-number-4/a-rather-long-file-name-to-fill-the-arena-4.txt');
    ix.close();
    expect(ix.closed).toBe(true);
    expect(() => ix.lookupPath('/')).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('shares zip paths with the nodes, compacts them once the zip closes, and stays bounded', async () => {
    const zip = writeZip(Array.from({ length: 3000 }, (_, i) => ({ name: `pkg${i % 7}/lib/mod-${i}.js` })));
    const source = { size: zip.byteLength, read: (o: number, n: number) => zip.subarray(o, o + n) };
    const ix = await make();
    const dir = await ix.openZip(source);
    ix.addZipLayer(1, dir);
    // The nodes' names are the last components of the zip's paths: no second copy of them.
    const arena = ix.memoryBreakdown().names;
    expect(arena).toBeLessThan(3000 * 'pkg0/lib/mod-0000.js'.length);
    dir.close();
    // Parsing and closing directories again and again reuses the arena: closed tables' paths are
    // compacted away (the nodes keep theirs), so memory stops growing.
    const sizes: number[] = [];
    for (let round = 0; round < 30; round++) {
      (await ix.openZip(source)).close();
      sizes.push(ix.memoryBytes);
    }
    expect(sizes[29]).toBe(sizes[4]);
    expect(ix.memoryBreakdown().names).toBeLessThan(2 * arena);
    for (const i of [0, 1234, 2999]) {
      const id = ix.lookupPath(`/pkg${i % 7}/lib/mod-${i}.js`);
      expect([ix.ref(id), ix.layer(id), ix.pathOf(id)]).toEqual([i, 1, `/pkg${i % 7}/lib/mod-${i}.js`]);
    }
    expect(ix.childNames(ix.lookupPath('/pkg3/lib')).length).toBe(Math.ceil((3000 - 3) / 7));
  });

  it('frees a zip built in place once it is closed and its nodes are gone, and reuses its ids', async () => {
    // An overlay's life in the shared index, again and again, while another zip stays open (so the
    // instance lives): parse, build under the overlay's directory, tag, close the directory, remove
    // the overlay's directory. The records go with the last node, in either order of the two.
    const zip = writeZip(Array.from({ length: 5000 }, (_, i) => ({ name: `d${i % 13}/f-${i}.txt` })));
    const source = { size: zip.byteLength, read: (o: number, n: number) => zip.subarray(o, o + n) };
    const ix = await make();
    const keep = await ix.openZip({
      size: writeZip([{ name: 'kept.txt' }]).byteLength,
      read: (() => {
        const b = writeZip([{ name: 'kept.txt' }]);
        return (o: number, n: number) => b.subarray(o, o + n);
      })(),
    });
    const round = async (closeFirst: boolean): Promise<{ zip: number; first: number }> => {
      const dir = await ix.openZip(source);
      const root = ix.insert(ix.root, 'overlay', { kind: Kind.Dir });
      ix.addZipLayer(0, dir, root);
      const id = ix.lookupPath('/d3/f-3.txt', root);
      expect([ix.ref(id), ix.ordinal(id) > 0 || ix.ordinal(id) === 0]).toEqual([3, true]);
      // A tag and an override (a rename) that must not reach the next zip given these ids.
      ix.setTag(id, 77);
      ix.move(id, ix.lookupPath('/d3', root), 'renamed.txt');
      const first = ix.lookupPath('/d0/f-0.txt', root);
      if (closeFirst) dir.close();
      ix.remove(root, { recursive: true });
      if (!closeFirst) dir.close();
      return { zip: ix.memoryBreakdown().zip, first };
    };
    const seen: { zip: number; first: number }[] = [];
    for (let r = 0; r < 12; r++) seen.push(await round(r % 2 === 0));
    // Nothing of the closed zips is left: only the open one's records, whatever the order.
    expect(new Set(seen.map((s) => s.zip)).size).toBe(1);
    expect(seen[0]?.zip).toBeLessThan(5000 * 44);
    // Their ids came back: every round's zip got the same first id.
    expect(new Set(seen.map((s) => s.first)).size).toBe(1);
    // A zip given reused ids starts clean: no tag, no override, its own names.
    const dir = await ix.openZip(source);
    const root = ix.insert(ix.root, 'fresh', { kind: Kind.Dir });
    ix.addZipLayer(0, dir, root);
    const id = ix.lookupPath('/d3/f-3.txt', root);
    expect([ix.tag(id), ix.name(id), ix.pathOf(id), dir.path(3)]).toEqual([
      0,
      'f-3.txt',
      '/fresh/d3/f-3.txt',
      'd3/f-3.txt',
    ]);
    expect(ix.lookupPath('/d3/renamed.txt', root)).toBe(0);
    dir.close();
    keep.close();
  });
});

describe('NamespaceIndex: zip nodes (a file entry’s record is its node)', () => {
  const encoder = new TextEncoder();
  const entries = Array.from({ length: 50 }, (_, i) => ({
    name: i % 10 === 9 ? `top/s${i}/` : `top/s${i % 3}/f${i}.txt`,
    data: encoder.encode('x'.repeat(i)),
    unixMode: i % 10 === 9 ? 0o40755 : 0o100600 + (i % 8),
    unixTime: 1_600_000_000 + i,
    method: (i % 2 === 0 ? 0 : 8) as 0 | 8,
  }));
  const bytes = writeZip(entries);
  const source = { size: bytes.byteLength, read: (o: number, n: number) => bytes.subarray(o, o + n) };
  const snapshot = (dir: Awaited<ReturnType<NamespaceIndex['openZip']>>) =>
    Array.from({ length: dir.count }, (_, i) => dir.entry(i));

  it('serves the right entry after rename, remove, reinsert, link, setSource, setKind and tags', async () => {
    const ix = await make();
    const dir = await ix.openZip(source);
    const before = snapshot(dir);
    expect(before[4]).toMatchObject({ path: 'top/s1/f4.txt', size: 4, mode: 0o604, method: 0 });
    expect(before[9]).toMatchObject({ path: 'top/s9', kind: Kind.Dir, mode: 0o755 });
    ix.addZipLayer(3, dir);
    const f4 = ix.lookupPath('/top/s1/f4.txt');
    const f7 = ix.lookupPath('/top/s1/f7.txt');
    const f5 = ix.lookupPath('/top/s2/f5.txt');
    expect([ix.layer(f4), ix.ref(f4), ix.nlink(f4), ix.tag(f4)]).toEqual([3, 4, 1, 0]);
    // A directory entry is a plain node carrying its entry index.
    expect(ix.ref(ix.lookupPath('/top/s9'))).toBe(9);

    // Rename into another directory: same node, same entry; the directory still has the entry's path.
    ix.move(f4, ix.lookupPath('/top/s2'), 'renamed.txt');
    expect(ix.lookupPath('/top/s1/f4.txt')).toBe(0);
    expect(ix.lookupPath('/top/s2/renamed.txt')).toBe(f4);
    expect([ix.pathOf(f4), ix.layer(f4), ix.ref(f4)]).toEqual(['/top/s2/renamed.txt', 3, 4]);
    // Remove, then reinsert a plain node at the freed path: a new node; the entry is untouched.
    ix.remove(f7);
    expect(ix.isValid(f7)).toBe(false);
    const again = ix.insert(ix.lookupPath('/top/s1'), 'f7.txt', { kind: Kind.File, ref: 77 });
    expect(again).not.toBe(f7);
    expect([ix.layer(again), ix.ref(again)]).toEqual([UPPER, 77]);
    // A hard link to a zip node: one object, two names; the object outlives its first name.
    const l = ix.link(ix.root, 'hard', f5);
    expect([ix.object(l), ix.nlink(f5), ix.ref(l), ix.layer(l)]).toEqual([f5, 2, 5, 3]);
    ix.remove(f5);
    expect([ix.isValid(f5), ix.nlink(l), ix.ref(l)]).toEqual([false, 1, 5]);
    // A copy-up: the node's source changes, the entry's values do not.
    const f8 = ix.lookupPath('/top/s2/f8.txt');
    ix.setSource(f8, UPPER, 1234);
    expect([ix.layer(f8), ix.ref(f8)]).toEqual([UPPER, 1234]);
    ix.setTag(f8, 42);
    ix.setFlags(f8, Flag.CopiedUp);
    expect([ix.tag(f8), ix.flags(f8), ix.tag(ix.lookupPath('/top/s0/f0.txt'))]).toEqual([
      42,
      Flag.CopiedUp,
      0,
    ]);
    // setKind to a directory gives the zip node a dir record of its own.
    const f10 = ix.lookupPath('/top/s1/f10.txt');
    ix.setKind(f10, Kind.Dir);
    const inner = ix.insert(f10, 'inner', { kind: Kind.File });
    expect([ix.childCount(f10), ix.lookupPath('/top/s1/f10.txt/inner')]).toEqual([1, inner]);
    expect(ix.subdirCount(ix.lookupPath('/top/s1'))).toBe(1);

    expect(snapshot(dir)).toEqual(before);
    // Every other entry still resolves to its own record.
    for (let i = 0; i < 50; i++) {
      if ([4, 5, 7, 8, 10].includes(i) || i % 10 === 9) continue;
      const id = ix.lookupPath(`/${before[i]?.path}`);
      expect([ix.ref(id), ix.layer(id), ix.pathOf(id)]).toEqual([i, 3, `/${before[i]?.path}`]);
    }
    dir.close();
    // Closed: its records stay (they are nodes) and keep answering for them.
    expect([ix.ref(f4), ix.layer(f4), ix.pathOf(f4), ix.nlink(l)]).toEqual([4, 3, '/top/s2/renamed.txt', 1]);
    expect(() => dir.entry(0)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('answers made-up and stale ids without trapping', async () => {
    const ix = await make();
    const dir = await ix.openZip(source);
    ix.addZipLayer(0, dir);
    const gone = ix.lookupPath('/top/s0/f0.txt');
    ix.remove(gone);
    for (const id of [0, 5000, 123_456_789, 2 ** 26 - 1, 2 ** 31, 2 ** 32 - 1]) {
      expect([
        ix.isValid(id),
        ix.kind(id),
        ix.flags(id),
        ix.childCount(id),
        ix.nlink(id),
        ix.tag(id),
      ]).toEqual([false, 0, 0, 0, 0, 0]);
      expect([ix.layer(id), ix.ref(id), ix.object(id), ix.parent(id)]).toEqual([0, 0, id, 0]);
      // The engine's container calls: nothing found, nothing merged, refused.
      expect([ix.lookupNode(id, 'top'), ix.walkNodes(id, '/top/s0', []), ix.below(id)]).toEqual([0, 0, 0]);
      expect(ix.listMerged(id)).toEqual([]);
      expect(() => ix.setBelow(id, ix.root)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
      if (id !== 0) expect(() => ix.setBelow(ix.root, id)).toThrow(); // 0 means: merge nothing
      expect(() => ix.copyChildren(id, ix.root)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    }
    expect([ix.isValid(gone), ix.kind(gone)]).toEqual([false, 0]);
    dir.close();
  });

  it('lists kinds in one pass and leaves out entries its caller rejects', async () => {
    const ix = await make();
    const dir = await ix.openZip(source);
    const kinds = dir.kinds();
    expect([kinds[0], kinds[9], kinds.length]).toEqual([Kind.File, Kind.Dir, 50]);
    dir.reject(4);
    dir.reject(9);
    expect([dir.usable(4), dir.kinds()[4], dir.kinds()[9], dir.kinds()[5]]).toEqual([false, 0, 0, Kind.File]);
    // Its path and values stay readable; the build lays everything else.
    expect(dir.entry(4)).toMatchObject({ path: 'top/s1/f4.txt', size: 4, mode: 0o604 });
    ix.addZipLayer(0, dir);
    expect([ix.lookupPath('/top/s1/f4.txt'), ix.lookupPath('/top/s9')]).toEqual([0, 0]);
    expect(ix.ref(ix.lookupPath('/top/s2/f5.txt'))).toBe(5);
    dir.close();
  });

  it('grows plain nodes around zip regions, and a second build of one directory copies it', async () => {
    const ix = await make({ nodes: 16 });
    const dir = await ix.openZip(source);
    ix.addZipLayer(1, dir);
    // A closed directory no node was built from leaves nothing behind.
    const unused = await ix.openZip(source);
    unused.close();
    const up = ix.insert(ix.root, 'up', { kind: Kind.Dir });
    for (let i = 0; i < 10_000; i++) ix.insert(up, `n${i}`, { kind: Kind.File, ref: i });
    const second = await ix.openZip(source);
    ix.addZipLayer(0, second);
    // Built once already: the second layer is laid from its paths (plain nodes, same refs).
    ix.addZipLayer(2, second);
    for (const i of [0, 4999, 9999]) expect(ix.ref(ix.lookupPath(`/up/n${i}`))).toBe(i);
    const f3 = ix.lookupPath('/top/s0/f3.txt');
    expect([ix.layer(f3), ix.ref(f3)]).toEqual([2, 3]);
    expect(snapshot(second)).toEqual(snapshot(dir));
    expect(ix.nodeCount).toBe(1 + 1 + 10_000 + 1 + 3 + 5 + 45);
    second.close();
    dir.close();
  });

  it('reads paths exactly with more than 65,535 directories and a method above 4094', async () => {
    const many = writeZip(Array.from({ length: 66_000 }, (_, i) => ({ name: `d${i}/x/f` })));
    const ix = await make();
    const dir = await ix.openZip({ size: many.byteLength, read: (o, n) => many.subarray(o, o + n) });
    for (const i of [0, 65_535, 65_536, 65_999]) expect(dir.path(i)).toBe(`d${i}/x/f`);
    ix.addZipLayer(0, dir);
    expect(ix.ref(ix.lookupPath('/d65999/x/f'))).toBe(65_999);
    expect(dir.path(65_999)).toBe('d65999/x/f');
    dir.close();

    const odd = writeZip([{ name: 'a', data: new Uint8Array(3), method: 0 }]);
    const v = new DataView(odd.buffer, odd.byteOffset);
    const cd = v.getUint32(odd.byteLength - 6, true);
    v.setUint16(cd + 10, 0xfffe, true);
    const small = await ix.openZip({ size: odd.byteLength, read: (o, n) => odd.subarray(o, o + n) });
    expect(small.entry(0)).toMatchObject({ path: 'a', method: 0xfffe, size: 3 });
    small.close();
  });
});

describe('NamespaceIndex: zip nodes against plain nodes', () => {
  it('random renames, removals, links, sources and kinds leave both trees and the entries alike', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `a${i % 4}/b${i % 7}/f${i}`);
    const bytes = writeZip(names.map((name, i) => ({ name, data: new Uint8Array(i % 5) })));
    for (let seed = 1; seed <= 8; seed++) {
      let state = seed;
      const rand = (n: number): number => {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
        return state % n;
      };
      const zipped = await make();
      const dir = await zipped.openZip({ size: bytes.byteLength, read: (o, n) => bytes.subarray(o, o + n) });
      const before = Array.from({ length: dir.count }, (_, i) => dir.entry(i));
      zipped.addZipLayer(2, dir);
      const plain = await make();
      plain.addLayer(
        2,
        names.map((path, ref) => ({ path: `/${path}`, kind: 'file' as const, ref })),
      );
      const both = [zipped, plain];
      for (let step = 0; step < 60; step++) {
        const files = paths(plain).filter((p) => plain.kind(plain.lookupPath(p)) === Kind.File);
        const dirs = ['', ...paths(plain).filter((p) => plain.kind(plain.lookupPath(p)) === Kind.Dir)];
        const file = files[rand(files.length)] as string;
        const target = dirs[rand(dirs.length)] as string;
        const op = rand(5);
        for (const ix of both) {
          const id = ix.lookupPath(file);
          const to = ix.lookupPath(target || '/');
          if (op === 0 && ix.lookup(to, `m${step}`) === 0) ix.move(id, to, `m${step}`);
          else if (op === 1) ix.remove(id);
          else if (op === 2) ix.link(to, `l${step}`, id);
          else if (op === 3) ix.setSource(id, UPPER, 1000 + step);
          else ix.setTag(id, step + 1);
        }
      }
      const summary = (ix: NamespaceIndex) =>
        paths(ix).map((p) => {
          const id = ix.lookupPath(p);
          return [p, ix.kind(id), ix.layer(id), ix.ref(id), ix.nlink(id), ix.tag(id), ix.pathOf(id)];
        });
      expect(summary(zipped)).toEqual(summary(plain));
      expect(Array.from({ length: dir.count }, (_, i) => dir.entry(i))).toEqual(before);
      dir.close();
    }
  });
});
