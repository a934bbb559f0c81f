// Symlink targets in the index (setTarget, assembly/symlinks.ts) and the engine's one-call walk
// that follows them (resolveNodes, assembly/resolve.ts): what the walk answers, when a target is
// forgotten (the name re-pointed, removed, its region freed), and that bad ids get clean answers.
import { describe, expect, it } from 'vitest';
import {
  CONTAINER_LINK,
  Kind,
  LOWER_LINK,
  type NamespaceIndex,
  Resolve,
  ResolveFlag,
  type ResolveStatus,
  UNTAGGED,
  WasmFsError,
} from '../src/index.js';
import { indexPerTest } from './helpers/indexes.js';
import { writeZip } from './helpers/zip-writer.js';

const make = indexPerTest();

const BAD_IDS = [0, 2 ** 31, 2 ** 32 - 1, 123_456];

/** An overlay-like tree of containers: a root container (not the index root) and tagged names. */
async function containers(): Promise<{
  ix: NamespaceIndex;
  root: number;
  dir: (parent: number, name: string, tag: number) => number;
  file: (parent: number, name: string, tag: number) => number;
  link: (parent: number, name: string, tag: number, target: string) => number;
  ask: (path: string, flags?: number) => [ResolveStatus, number, number, string];
}> {
  const ix = await make();
  const root = ix.insert(ix.root, 'ov', { kind: Kind.Dir });
  const dir = (parent: number, name: string, tag: number): number => {
    const c = ix.insert(ix.root, `c${tag}`, { kind: Kind.Dir });
    ix.setTag(ix.insert(parent, name, { kind: Kind.File, layer: CONTAINER_LINK, ref: c }), tag);
    return c;
  };
  const file = (parent: number, name: string, tag: number): number => {
    const id = ix.insert(parent, name, { kind: Kind.File });
    ix.setTag(id, tag);
    return id;
  };
  const link = (parent: number, name: string, tag: number, target: string): number => {
    const id = file(parent, name, tag);
    ix.setTarget(id, target);
    return id;
  };
  const out: number[] = [];
  const ask = (path: string, flags: number = ResolveFlag.Follow): [ResolveStatus, number, number, string] => {
    const status = ix.resolveNodes(root, path, flags | ResolveFlag.Path, out);
    const found = status === Resolve.Found || status === Resolve.NonDir;
    return [status, out[0] as number, out[2] as number, found ? ix.resolvedPath() : ''];
  };
  return { ix, root, dir, file, link, ask };
}

describe('resolveNodes: the whole walk in one call', () => {
  it('follows targets it holds, with the kernel rules', async () => {
    const { ix, root, dir, file, link, ask } = await containers();
    const a = dir(root, 'a', 10);
    const b = dir(a, 'b', 11);
    file(b, 'f', 12);
    link(root, 'rel', 20, 'a/b');
    link(a, 'up', 21, '../a/b/f');
    link(b, 'abs', 22, '/a');
    link(root, 'empty', 23, '');
    link(root, 'self', 24, 'self');
    link(root, 'tofile', 25, 'a/b/f');
    const lone = file(root, 'plain', 26); // no target: the index cannot tell it from a symlink
    expect(ask('/a/b/f')).toEqual([Resolve.NonDir, 12, 1, '/a/b/f']);
    expect(ask('/a/b/f', 0)).toEqual([Resolve.Found, 12, 1, '/a/b/f']);
    expect(ask('/rel/f', 0)).toEqual([Resolve.Found, 12, 1, '/a/b/f']);
    expect(ask('/rel')).toEqual([Resolve.Found, 11, 1, '/a/b']);
    expect(ask('/rel', 0)).toEqual([Resolve.Found, 20, 1, '/rel']);
    expect(ask('/rel/', 0)).toEqual([Resolve.Found, 11, 1, '/a/b']);
    expect(ask('/a/up', 0)).toEqual([Resolve.Found, 21, 1, '/a/up']);
    // '..' of a target goes back to the directory the walk came through.
    expect(ask('/a/up')).toEqual([Resolve.NonDir, 12, 1, '/a/b/f']);
    expect(ask('/rel/abs/b/../..')).toEqual([Resolve.Found, 0, 1, '/']);
    // Never above the walk's root (here not the index's root).
    expect(ask('/../../a/../../rel')).toEqual([Resolve.Found, 11, 1, '/a/b']);
    expect(ask('/rel/abs/../../../a')[3]).toBe('/a');
    expect(ask('/empty')[0]).toBe(Resolve.NoEnt);
    expect(ask('/empty', 0)[0]).toBe(Resolve.Found);
    expect(ask('/self')[0]).toBe(Resolve.Loop);
    expect(ask('/self/x', 0)[0]).toBe(Resolve.Loop);
    expect(ask('/tofile/x')).toEqual([Resolve.NonDir, 12, 0, '/a/b/f']);
    expect(ask('/plain/x')).toEqual([Resolve.NonDir, 26, 0, '/plain']);
    expect(ask('/nope')[0]).toBe(Resolve.MissingLast);
    // As the kernel: 'nope' comes before the last component ('.'), so it must exist.
    expect(ask('/nope/.')[0]).toBe(Resolve.NoEnt);
    expect(ask('/nope/')[0]).toBe(Resolve.MissingLast);
    expect(ask('/nope/..')[0]).toBe(Resolve.NoEnt);
    expect(ask('/rel/nope')[0]).toBe(Resolve.MissingLast);
    expect(ask(`/rel/${'x'.repeat(256)}`)[0]).toBe(Resolve.NameTooLong);
    // A target ending in '/' or '/.' followed as the last wants a directory, as such a path:
    // a non-directory there is not the answer (out[2] 0: ENOTDIR), down a chain of links too.
    link(root, 'slash', 27, 'a/b/f/');
    link(root, 'slashdot', 28, 'a/b/f/.');
    link(root, 'chain', 29, 'slash');
    link(root, 'dirslash', 30, 'a/b/');
    link(root, 'nodot', 31, 'nope/.');
    link(root, 'noslash', 32, 'nope/');
    expect(ask('/slash')).toEqual([Resolve.NonDir, 12, 0, '/a/b/f']);
    expect(ask('/slashdot')).toEqual([Resolve.NonDir, 12, 0, '/a/b/f']);
    expect(ask('/chain')).toEqual([Resolve.NonDir, 12, 0, '/a/b/f']);
    expect(ask('/slash', 0)).toEqual([Resolve.Found, 27, 1, '/slash']);
    expect(ask('/dirslash')).toEqual([Resolve.Found, 11, 1, '/a/b']);
    expect(ask('/nodot')[0]).toBe(Resolve.NoEnt);
    expect(ask('/noslash')[0]).toBe(Resolve.MissingLast);
    expect(ask('/')).toEqual([Resolve.Found, 0, 1, '/']);
    expect(ask('')).toEqual([Resolve.Found, 0, 1, '/']);
    ix.remove(lone);
  });

  it('follows 40 hops and refuses the 41st; a chain of known targets is one call', async () => {
    const { root, dir, link, ask } = await containers();
    const d = dir(root, 'd', 1);
    // s0 → d/s1 → ../s2 → d/s3 → …: alternately down into /d and back up.
    for (let i = 0; i <= 41; i++) {
      const next = i % 2 === 0 ? `d/s${i + 1}` : `../s${i + 1}`;
      link(i % 2 === 0 ? root : d, `s${i}`, 100 + i, next);
    }
    dir(root, 's42', 200);
    expect(ask('/s2')).toEqual([Resolve.Found, 200, 1, '/s42']); // 40 hops
    expect(ask('/d/s1')[0]).toBe(Resolve.Loop); // 41
    expect(ask('/s0/')[0]).toBe(Resolve.Loop);
    expect(ask('/d/s1', 0)).toEqual([Resolve.Found, 101, 1, '/d/s1']);
  });

  it("'..' leaves a lower directory for the container the walk came through, not its index parent", async () => {
    const ix = await make();
    // A lower tree laid by the bulk build under its own directory, and an upper container over
    // its /a that is reached as /up.
    const lower = ix.insert(ix.root, 'lower', { kind: Kind.Dir });
    ix.addLayer(
      0,
      [
        { path: '/a/b/f', kind: 'file', ref: 1 },
        { path: '/a/b/s', kind: 'symlink', ref: 2 },
      ],
      lower,
    );
    const root = ix.insert(ix.root, 'ov', { kind: Kind.Dir });
    const up = ix.insert(ix.root, 'up', { kind: Kind.Dir });
    ix.setBelow(up, ix.lookup(lower, 'a'));
    ix.setTag(ix.insert(root, 'up', { kind: Kind.File, layer: CONTAINER_LINK, ref: up }), 7);
    const b = ix.lookup(ix.lookup(lower, 'a'), 'b');
    const s = ix.lookup(b, 's');
    const out: number[] = [];
    // Untagged lower names answer with their ids; the symlink without a target is handed back.
    expect(ix.resolveNodes(root, '/up/b/s/x', ResolveFlag.Path, out)).toBe(Resolve.NonDir);
    expect(out.slice(0, 3)).toEqual([(s | UNTAGGED) >>> 0, s, 0]);
    expect(ix.resolvedPath()).toBe('/up/b/s');
    ix.setTarget(s, '../../up/b/f');
    expect(ix.resolveNodes(root, '/up/b/s', ResolveFlag.Follow | ResolveFlag.Path, out)).toBe(Resolve.NonDir);
    expect(ix.resolvedPath()).toBe('/up/b/f');
    // '..' from /up/b is /up (the container), and from there the root: the index parents of b
    // and a are the lower directories.
    expect(ix.resolveNodes(root, '/up/b/..', ResolveFlag.Path, out)).toBe(Resolve.Found);
    expect([out[0], ix.resolvedPath()]).toEqual([7, '/up']);
    // A container's untagged link to a lower symlink uses the lower node's target.
    const c = ix.insert(ix.root, 'c', { kind: Kind.Dir });
    ix.insert(c, 'ln', { kind: Kind.File, layer: LOWER_LINK, ref: s });
    ix.setTag(ix.insert(root, 'c', { kind: Kind.File, layer: CONTAINER_LINK, ref: c }), 8);
    expect(ix.resolveNodes(root, '/c/ln', ResolveFlag.Follow | ResolveFlag.Path, out)).toBe(Resolve.NonDir);
    expect(ix.resolvedPath()).toBe('/up/b/f');
  });

  it('a deep path grows the stack of directories', async () => {
    const { root, dir, link, ask } = await containers();
    let c = root;
    for (let i = 0; i < 500; i++) c = dir(c, 'd', 1000 + i);
    link(c, 'back', 5, `${'../'.repeat(500)}d`);
    const deep = `/${'d/'.repeat(500)}`;
    expect(ask(`${deep}back`)).toEqual([Resolve.Found, 1000, 1, '/d']);
    expect(ask(deep)[0]).toBe(Resolve.Found);
    expect(ask(deep)[3].length).toBe(1000);
  });
});

describe('setTarget: what a name keeps', () => {
  it('forgets a target when the name gets another object, changes kind or goes; copyChildren copies it', async () => {
    const { ix, root, link, ask } = await containers();
    const s = link(root, 's', 1, 'there');
    expect(ix.target(s)).toBe('there');
    expect(ix.targetCount).toBe(1);
    ix.setTag(s, 1); // the same object: kept
    expect(ix.target(s)).toBe('there');
    ix.setTag(s, 2); // another object under the name
    expect(ix.target(s)).toBeUndefined();
    expect(ix.targetCount).toBe(0);
    expect(ask('/s/x')[0]).toBe(Resolve.NonDir);
    ix.setTarget(s, 'again');
    ix.setTarget(s, 'replaced');
    expect([ix.target(s), ix.targetCount]).toEqual(['replaced', 1]);
    // A container copied (the engine's copy-up) keeps each tagged name's target.
    const copy = ix.insert(ix.root, 'copy', { kind: Kind.Dir });
    ix.copyChildren(copy, root);
    const copied = ix.lookup(copy, 's');
    expect([ix.target(copied), ix.targetCount]).toEqual(['replaced', 2]);
    ix.move(copied, copy, 'renamed'); // a rename keeps it
    expect(ix.target(copied)).toBe('replaced');
    ix.setKind(copied, Kind.Whiteout);
    expect([ix.target(copied), ix.targetCount]).toEqual([undefined, 1]);
    ix.remove(s);
    expect(ix.targetCount).toBe(0);
    // Many names set and removed: the map and the targets' blocks are reused.
    const before = ix.memoryBytes;
    for (let round = 0; round < 20; round++) {
      const ids = Array.from({ length: 500 }, (_, i) =>
        link(root, `l${i}`, 10 + i, `t/${'x'.repeat(i % 50)}`),
      );
      for (const id of ids) ix.remove(id);
    }
    expect(ix.targetCount).toBe(0);
    const after = ix.memoryBytes;
    for (let round = 0; round < 20; round++) {
      const ids = Array.from({ length: 500 }, (_, i) =>
        link(root, `l${i}`, 10 + i, `t/${'x'.repeat(i % 50)}`),
      );
      for (const id of ids) ix.remove(id);
    }
    expect(ix.memoryBytes).toBe(after);
    expect(after - before).toBeLessThan(256 * 1024);
  });

  it('drops the targets of a zip symlink when its overlay and directory close', async () => {
    const ix = await make();
    const zip = writeZip([
      { name: 'd/', unixMode: 0o40755 },
      { name: 'd/f', data: new TextEncoder().encode('f'), unixMode: 0o100644 },
      { name: 'd/s', data: new TextEncoder().encode('f'), unixMode: 0o120777 },
    ]);
    const source = { size: zip.byteLength, read: (o: number, n: number) => zip.subarray(o, o + n) };
    for (const closeFirst of [true, false]) {
      const dir = await ix.openZip(source);
      const root = ix.insert(ix.root, 'ov', { kind: Kind.Dir });
      ix.addZipLayer(0, dir, root);
      const s = ix.lookupPath('/ov/d/s');
      expect(ix.kind(s)).toBe(Kind.Symlink);
      ix.setTarget(s, 'f');
      const out: number[] = [];
      expect(ix.resolveNodes(root, '/d/s', ResolveFlag.Follow | ResolveFlag.Path, out)).toBe(Resolve.NonDir);
      expect(ix.resolvedPath()).toBe('/d/f');
      expect(ix.targetCount).toBe(1);
      if (closeFirst) dir.close();
      ix.remove(root, { recursive: true });
      if (!closeFirst) dir.close();
      expect(ix.targetCount).toBe(0);
      expect(ix.target(s)).toBeUndefined();
    }
  });

  it('overlays over a zip of symlinks opened and closed while another zip stays open: memory stops growing', async () => {
    const ix = await make();
    const bytes = (t: string): Uint8Array => new TextEncoder().encode(t);
    const kept = writeZip([{ name: 'k', data: bytes('k'), unixMode: 0o100644 }]);
    const keptDir = await ix.openZip({ size: kept.byteLength, read: (o, n) => kept.subarray(o, o + n) });
    ix.addZipLayer(0, keptDir, ix.insert(ix.root, 'kept', { kind: Kind.Dir }));
    const entries = [{ name: 'f', data: bytes('f'), unixMode: 0o100644 }];
    for (let i = 0; i < 300; i++)
      entries.push({ name: `s${i}`, data: bytes(`${'../'.repeat(i % 4)}f`), unixMode: 0o120777 });
    const zip = writeZip(entries);
    const source = { size: zip.byteLength, read: (o: number, n: number) => zip.subarray(o, o + n) };
    const memory: number[] = [];
    const out: number[] = [];
    for (let round = 1; round <= 30; round++) {
      const dir = await ix.openZip(source);
      const root = ix.insert(ix.root, 'ov', { kind: Kind.Dir });
      ix.addZipLayer(1, dir, root);
      for (let i = 0; i < 300; i++) {
        ix.setTarget(ix.lookup(root, `s${i}`), `${'../'.repeat(i % 4)}f`);
        expect(ix.resolveNodes(root, `/s${i}`, ResolveFlag.Follow | ResolveFlag.Path, out)).toBe(
          Resolve.NonDir,
        );
        expect(ix.resolvedPath()).toBe('/f');
      }
      expect(ix.targetCount).toBe(300);
      if (round % 2 === 0) dir.close();
      ix.remove(root, { recursive: true });
      if (round % 2 !== 0) dir.close();
      expect(ix.targetCount).toBe(0);
      memory.push(ix.memoryBytes);
    }
    expect(memory[29]).toBe(memory[3]);
  });
});

describe('bad ids get clean answers', () => {
  it('setTarget, target and resolveNodes with ids 0, 2**31, made-up and freed ones', async () => {
    const ix = await make();
    const d = ix.insert(ix.root, 'd', { kind: Kind.Dir });
    const f = ix.insert(d, 'f', { kind: Kind.File });
    const freedDir = ix.insert(ix.root, 'gone', { kind: Kind.Dir });
    const freed = ix.insert(d, 'x', { kind: Kind.File });
    ix.setTarget(freed, 'y');
    ix.remove(freed);
    ix.remove(freedDir);
    const out: number[] = [];
    for (const id of [...BAD_IDS, freed, freedDir]) {
      expect(() => ix.setTarget(id, 't'), `setTarget ${id}`).toThrow(WasmFsError);
      expect(ix.target(id), `target ${id}`).toBeUndefined();
      expect(ix.resolveNodes(id, '/d/f', ResolveFlag.Follow | ResolveFlag.Path, out), `resolve ${id}`).toBe(
        Resolve.NoEnt,
      );
    }
    // Directories, whiteouts and a container's links to directories take no target.
    const w = ix.insert(d, 'w', { kind: Kind.Whiteout });
    const dl = ix.insert(d, 'dl', { kind: Kind.File, layer: CONTAINER_LINK, ref: d });
    for (const id of [d, w, dl, ix.root]) expect(() => ix.setTarget(id, 't'), `${id}`).toThrow(WasmFsError);
    ix.setTarget(f, 'ok');
    expect(ix.targetCount).toBe(1);
  });
});
