/**
 * `ov.rebase({ to })`: each rule of the three-way decision, dry runs, conflict markers, and the
 * rebase as one transaction (a refused commit leaves the old state, in memory and in the upper).
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IndexedDBUpper } from '../src/idb/index.js';
import {
  file,
  MemoryLayer,
  MemoryUpper,
  Overlay,
  type Tree,
  type UpperChange,
  type UpperLayer,
} from '../src/index.js';
import { rejection } from './helpers.js';
import { frozenImage } from './idb-env.js';
import { idbUpper, memoryUpper, type UpperKind } from './upper-kinds.js';

const layer = (tree: Tree, id: string): MemoryLayer => MemoryLayer.fromTree(tree, { id, mtimeMs: 1_000 });
const open = (lowers: MemoryLayer[], upper: UpperLayer): Promise<Overlay> =>
  Overlay.create({ lowers, upper, chunkSize: 8, onLowerChange: 'open' });
const v2 = (data: string | Uint8Array): ReturnType<typeof file> => file(data, { mtimeMs: 2_000 });

const text = (lines: string[]): string => `${lines.join('\n')}\n`;
const ten = Array.from({ length: 10 }, (_, i) => `line ${i}`);
const edit = (at: number, to: string): string => text(ten.map((l, i) => (i === at ? to : l)));

const base1: Tree = {
  'same.txt': 'S',
  'mine.txt': text(ten),
  'theirs.txt': text(ten),
  'both.txt': text(ten),
  'clash.txt': text(ten),
  'meta.txt': 'M1',
  'gone.txt': 'G',
  'dirified.txt': 'D',
  'deleted-changed.txt': 'X1',
  'bin.dat': new Uint8Array([0, 1, 2, 3]),
  'big.txt': 'b'.repeat(50_000),
  dir: { 'a.txt': 'A' },
  moved: { 'm.txt': 'M' },
};
const base2: Tree = {
  'same.txt': 'S',
  'mine.txt': text(ten),
  'theirs.txt': v2(edit(5, 'theirs 5')),
  'both.txt': v2(edit(8, 'theirs 8')),
  'clash.txt': v2(edit(2, 'theirs 2')),
  'meta.txt': v2('M2'),
  'dirified.txt': { inside: 'I' },
  'deleted-changed.txt': v2('X2'),
  'bin.dat': v2(new Uint8Array([0, 9, 9, 9])),
  'big.txt': v2('B'.repeat(50_000)), // changed, but not by the learner: never read
  dir: { 'a.txt': 'A', 'new.txt': 'N' },
  moved: { 'm.txt': v2('M2') },
  'added-both.txt': 'base adds',
};

/** The learner's session over base1: one change of each kind. */
async function learn(ov: Overlay): Promise<void> {
  await ov.writeFile('/mine.txt', edit(1, 'mine 1'));
  await ov.writeFile('/both.txt', edit(1, 'mine 1'));
  await ov.writeFile('/clash.txt', edit(2, 'mine 2'));
  await ov.chmod('/meta.txt', 0o600);
  await ov.writeFile('/gone.txt', 'learner edit');
  await ov.writeFile('/dirified.txt', 'learner edit');
  await ov.unlink('/deleted-changed.txt');
  await ov.writeFile('/bin.dat', new Uint8Array([0, 7, 7, 7]));
  await ov.writeFile('/theirs.txt', text(ten)); // rewritten with the same bytes
  await ov.rename('/moved', '/renamed');
  await ov.writeFile('/added-both.txt', 'learner adds');
  await ov.writeFile('/new-mine.txt', 'only mine');
}

/** Every file's bytes (as text) and every directory, by path. */
async function flat(ov: Overlay): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await ov.readdir('/', { recursive: true })) {
    const st = await ov.lstat(`/${name}`);
    out[`/${name}`] = st.isDirectory() ? '/' : await ov.readFile(`/${name}`, 'latin1');
  }
  return out;
}

const kinds: [string, UpperKind][] = [
  ['memory', memoryUpper],
  ['idb', idbUpper('rebase')],
];

describe.each(kinds)('rebase over a %s upper', (_name, kind) => {
  it('decides each change as git would, and writes merges', async () => {
    const { upper, reopen } = kind();
    const ov = await open([layer(base1, 'v1')], upper);
    await learn(ov);
    const dry = await ov.rebase({ to: [layer(base2, 'v2')], dryRun: true });
    const result = await ov.rebase({ to: [layer(base2, 'v2')] });
    expect({ ...dry, dryRun: false }).toEqual({ ...result, baseChanges: [] });
    expect(result.kept.sort()).toEqual(['/mine.txt', '/new-mine.txt']);
    expect(result.taken.sort()).toEqual(['/meta.txt', '/theirs.txt']);
    expect(result.merged).toEqual(['/both.txt']);
    expect(result.conflicts.map((c) => [c.path, c.kind]).sort()).toEqual([
      ['/added-both.txt', 'both-added'],
      ['/bin.dat', 'binary'],
      ['/clash.txt', 'content'],
      ['/deleted-changed.txt', 'deleted-by-learner'],
      ['/dirified.txt', 'file-vs-dir'],
      ['/gone.txt', 'deleted-by-base'],
      ['/renamed', 'renamed-dir-changed'],
    ]);
    const clash = result.conflicts.find((c) => c.path === '/clash.txt');
    expect(clash?.hunks).toEqual([
      { ours: ['mine 2'], base: ['line 2'], theirs: ['theirs 2'], oursLine: 3, baseLine: 3, theirsLine: 3 },
    ]);
    // Only the changed paths' entries were read from the lowers, never the whole base.
    // Three text files read in both bases (70 + 72 bytes each); meta.txt and deleted-changed.txt
    // compared (2 + 2 each); bin.dat compared, then read to merge (2 × (4 + 4)). Not big.txt.
    expect(result.lowerBytesRead).toBe(3 * (70 + 72) + 2 * (2 + 2) + 2 * (4 + 4));

    const check = async (o: Overlay): Promise<void> => {
      expect(await o.readFile('/mine.txt', 'utf8')).toBe(edit(1, 'mine 1'));
      expect(await o.readFile('/theirs.txt', 'utf8')).toBe(edit(5, 'theirs 5'));
      expect(await o.readFile('/both.txt', 'utf8')).toBe(
        text(ten.map((l, i) => (i === 1 ? 'mine 1' : i === 8 ? 'theirs 8' : l))),
      );
      expect(await o.readFile('/clash.txt', 'utf8')).toBe(edit(2, 'mine 2')); // kept, reported
      expect(await o.readFile('/meta.txt', 'utf8')).toBe('M2');
      expect(await o.readFile('/gone.txt', 'utf8')).toBe('learner edit');
      expect(await o.readFile('/dirified.txt', 'utf8')).toBe('learner edit');
      expect((await o.readdir('/')).includes('deleted-changed.txt')).toBe(false);
      expect([...(await o.readFile('/bin.dat'))]).toEqual([0, 7, 7, 7]);
      expect(await o.readFile('/renamed/m.txt', 'utf8')).toBe('M2');
      expect(await o.readFile('/dir/new.txt', 'utf8')).toBe('N');
      expect(await o.readFile('/added-both.txt', 'utf8')).toBe('learner adds');
      expect(await o.readFile('/same.txt', 'utf8')).toBe('S');
      expect(await o.readFile('/big.txt', 'utf8')).toBe('B'.repeat(50_000));
    };
    await check(ov);
    // After a reload, on the new base: the same, and merged files are no longer "changed base".
    const again = await Overlay.create({ lowers: [layer(base2, 'v2')], upper: reopen(), chunkSize: 8 });
    await check(again);
    expect(again.baseChanges.map((c) => c.path)).not.toContain('/both.txt');
    expect(again.baseChanges.map((c) => c.path)).toContain('/clash.txt');
    await again.close();
    await ov.close();
  });

  it('writes git-style conflict markers when asked', async () => {
    const { upper } = kind();
    const ov = await open([layer(base1, 'v1')], upper);
    await ov.writeFile('/clash.txt', edit(2, 'mine 2'));
    const result = await ov.rebase({ to: [layer(base2, 'v2')], markers: true });
    expect(result.conflicts).toMatchObject([{ path: '/clash.txt', kind: 'content', markers: true }]);
    expect(await ov.readFile('/clash.txt', 'utf8')).toBe(
      text([
        ...ten.slice(0, 2),
        '<<<<<<< yours',
        'mine 2',
        '=======',
        'theirs 2',
        '>>>>>>> new base',
        ...ten.slice(3),
      ]),
    );
    await ov.close();
  });

  it('takes the old base as `from` when the overlay was reopened on the new base already', async () => {
    const { upper, reopen } = kind();
    const first = await open([layer(base1, 'v1')], upper);
    await first.writeFile('/both.txt', edit(1, 'mine 1'));
    await first.writeFile('/clash.txt', edit(2, 'mine 2'));
    await first.close();
    // A new deployment, noticed on load: opened on v2, the learner's copies hide changed bases.
    const ov = await open([layer(base2, 'v2')], reopen());
    expect(ov.baseChanges.map((c) => c.path)).toEqual(['/both.txt', '/clash.txt']);
    const result = await ov.rebase({ from: [layer(base1, 'v1')], to: [layer(base2, 'v2')] });
    expect(result.merged).toEqual(['/both.txt']);
    expect(result.conflicts.map((c) => c.path)).toEqual(['/clash.txt']);
    expect(ov.baseChanges.map((c) => c.path)).toEqual(['/clash.txt']);
    expect(await ov.readFile('/both.txt', 'utf8')).toBe(
      text(ten.map((l, i) => (i === 1 ? 'mine 1' : i === 8 ? 'theirs 8' : l))),
    );
    await ov.close();
  });

  it('changes nothing on a dry run', async () => {
    const { upper } = kind();
    const ov = await open([layer(base1, 'v1')], upper);
    await learn(ov);
    const before = await ov.changes();
    const result = await ov.rebase({ to: [layer(base2, 'v2')], dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(await ov.changes()).toEqual(before);
    expect(await ov.readFile('/theirs.txt', 'utf8')).toBe(text(ten));
    expect(await ov.readdir('/dir')).toEqual(['a.txt']);
    await ov.close();
  });
});

describe('a rebase is one transaction', () => {
  it('a refused commit leaves the old stack, the old tree and the upper as they were', async () => {
    let refuse = false;
    const commits: (readonly UpperChange[])[] = [];
    class RefusingUpper extends MemoryUpper {
      override async commit(changes: readonly UpperChange[]): Promise<void> {
        if (refuse) throw new Error('disk gone');
        commits.push(changes);
        return super.commit(changes);
      }
    }
    const inner = new RefusingUpper();
    const ov = await open([layer(base1, 'v1')], inner);
    await learn(ov);
    const tree = await ov.readdir('/', { recursive: true });
    const snapshot = JSON.stringify(await inner.load());
    refuse = true;
    const error = await rejection(ov.rebase({ to: [layer(base2, 'v2')] }));
    expect(error.code).toBe('EIO');
    expect(await ov.readdir('/', { recursive: true })).toEqual(tree);
    expect(await ov.readFile('/theirs.txt', 'utf8')).toBe(text(ten));
    expect(JSON.stringify(await inner.load())).toBe(snapshot);
    refuse = false;
    // Still usable, still on v1, and a later rebase works.
    const result = await ov.rebase({ to: [layer(base2, 'v2')] });
    expect(result.merged).toEqual(['/both.txt']);
    expect(commits.at(-1)?.length).toBeGreaterThan(0);
    await ov.close();
  });

  it('a crash at any moment of it finds the old state or the new one in IndexedDB, never a mix', async () => {
    const factory = new IDBFactory();
    const ov = await open([layer(base1, 'v1')], new IndexedDBUpper({ name: 'crash-rebase', factory }));
    await learn(ov);
    const old = JSON.stringify(await flat(ov));
    let done = false;
    const rebased = ov.rebase({ to: [layer(base2, 'v2')] }).then((r) => {
      done = true;
      return r;
    });
    // What a page that crashed now would find on reload, taken again and again while it runs.
    const images: MemoryUpper[] = [];
    while (!done) {
      images.push(await frozenImage('crash-rebase', factory));
      await new Promise((r) => setTimeout(r, 0));
    }
    await rebased;
    const next = JSON.stringify(await flat(ov));
    images.push(await frozenImage('crash-rebase', factory));
    const seen = new Set<string>();
    for (const image of images) {
      const { meta } = await image.load();
      const on = meta?.lowerIds[0] === 'v2' ? layer(base2, 'v2') : layer(base1, 'v1');
      const view = await Overlay.create({ lowers: [on], upper: image, chunkSize: 8 });
      const tree = JSON.stringify(await flat(view));
      expect([old, next]).toContain(tree);
      seen.add(tree === old ? 'old' : 'new');
      await view.close();
    }
    // Images were taken before the commit and after it.
    expect([...seen].sort()).toEqual(['new', 'old']);
    await ov.close();
  });

  it('reports bad options with EINVAL', async () => {
    const ov = await open([layer(base1, 'v1')], new MemoryUpper());
    expect((await rejection(ov.rebase({ to: undefined as never }))).code).toBe('EINVAL');
    await ov.close();
  });
});
