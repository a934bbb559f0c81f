// A zip region's names live in chunks it owns and go with it (assembly/zipnames.ts): memory must
// not grow with overlays opened and closed while another zip stays open, and no name may dangle —
// whatever survives a freed region (directories built from it, renamed or hard-linked names)
// must still read the same bytes after its memory is reused.
import { describe, expect, it } from 'vitest';
import { Kind, type NamespaceIndex, type ZipDirectory } from '../src/index.js';
import { indexPerTest } from './helpers/indexes.js';
import { makeZip } from './helpers/peers.js';
import { writeZip } from './helpers/zip-writer.js';

const make = indexPerTest();

type Source = { size: number; read: (o: number, n: number) => Uint8Array };
const sourceOf = (zip: Uint8Array): Source => ({
  size: zip.byteLength,
  read: (o, n) => zip.subarray(o, o + n),
});
const zipA = sourceOf(makeZip(10_000));
const zipB = sourceOf(makeZip(10_000));

/** An index with zip A parsed and built under its own directory: the zip kept open throughout. */
async function withZipA(): Promise<{ ix: NamespaceIndex; a: ZipDirectory }> {
  const ix = await make();
  const a = await ix.openZip(zipA);
  ix.addZipLayer(0, a, ix.insert(ix.root, 'a', { kind: Kind.Dir }));
  return { ix, a };
}

/** Every node below `dir` (depth first) as [id, name, path]. */
function tree(ix: NamespaceIndex, dir = ix.root): [number, string, string][] {
  const out: [number, string, string][] = [];
  for (const id of ix.children(dir)) {
    out.push([id, ix.name(id), ix.pathOf(id)]);
    if (ix.kind(id) === Kind.Dir) out.push(...tree(ix, id));
  }
  return out;
}

const entryPaths = (dir: ZipDirectory): string[] => Array.from({ length: dir.count }, (_, i) => dir.path(i));

/** An overlay over zip B in the shared index: parse, build, close both (in either order). */
async function overlayRound(ix: NamespaceIndex, closeFirst: boolean): Promise<void> {
  const b = await ix.openZip(zipB);
  const root = ix.insert(ix.root, 'overlay', { kind: Kind.Dir });
  ix.addZipLayer(1, b, root);
  if (closeFirst) b.close();
  ix.remove(root, { recursive: true });
  if (!closeFirst) b.close();
}

describe('NamespaceIndex: a zip region’s names', () => {
  it('are released with the region while another zip stays open: memory stops growing', async () => {
    const { ix, a } = await withZipA();
    const memory: number[] = [];
    const names: number[] = [];
    for (let r = 0; r < 40; r++) {
      await overlayRound(ix, r % 2 === 0);
      memory.push(ix.memoryBytes);
      names.push(ix.memoryBreakdown().names);
    }
    // Before, the names of every closed overlay's zip stayed (the arena could not compact while
    // A was open): 0.15 MiB more a round, 40 rounds 7.1 MiB against 1.7 after round 2.
    expect({ round2: memory[1], round40: memory[39] }).toEqual({ round2: memory[1], round40: memory[1] });
    expect(names[39]).toBe(names[1]);
    a.close();
  });

  it('and the rest of a closed region go for good: thousands of small overlays do not grow memory', async () => {
    const { ix, a } = await withZipA();
    const tiny = sourceOf(writeZip([{ name: 'dir/file.txt' }]));
    const memory: number[] = [];
    for (let r = 0; r < 4000; r++) {
      const d = await ix.openZip(tiny);
      const root = ix.insert(ix.root, 'overlay', { kind: Kind.Dir });
      ix.addZipLayer(1, d, root);
      d.close();
      ix.remove(root, { recursive: true });
      memory.push(ix.memoryBytes);
    }
    // Each directory's region entry (60 bytes) used to stay, and the table grew by copies:
    // 851,968 bytes after round 100, 1,376,256 after round 4,000.
    expect(memory[3999]).toBe(memory[99]);
    a.close();
  });

  it('read the same after rounds in both close orders, and a directory built from a freed region keeps its name', async () => {
    const { ix, a } = await withZipA();
    const aPaths = entryPaths(a);
    const aZip = ix.memoryBreakdown().zip;

    // Zip C built at the index root, with directory entries and implicit parents (plain nodes
    // whose names came from C's names), a file that gets renamed (and moved out of C's tree),
    // and one that gets a hard link elsewhere.
    const c = await ix.openZip(
      sourceOf(
        writeZip([
          { name: 'c-top/explicit-directory/' },
          { name: 'c-top/implicit-parent/deeper/file-one.txt' },
          { name: 'c-top/implicit-parent/file-two.txt' },
          { name: 'c-top/renamed-later.txt' },
          { name: 'c-top/linked-later.txt' },
        ]),
      ),
    );
    ix.addZipLayer(2, c, ix.insert(ix.root, 'c', { kind: Kind.Dir }));
    const keep = ix.insert(ix.root, 'keep', { kind: Kind.Dir });
    const renamed = ix.lookupPath('/c/c-top/renamed-later.txt');
    ix.move(renamed, keep, 'renamed-now.txt');
    const target = ix.lookupPath('/c/c-top/linked-later.txt');
    const link = ix.link(keep, 'hard-link-name', target);
    // C's files go (its records are no nodes any more but the renamed one and the link's
    // object), its directories stay.
    ix.remove(ix.lookupPath('/c/c-top/implicit-parent/deeper/file-one.txt'));
    ix.remove(ix.lookupPath('/c/c-top/implicit-parent/file-two.txt'));
    ix.remove(target);
    c.close();
    const before = tree(ix);
    expect(before.filter(([, , p]) => p !== '/a' && !p.startsWith('/a/'))).toEqual([
      [ix.lookupPath('/c'), 'c', '/c'],
      [ix.lookupPath('/c/c-top'), 'c-top', '/c/c-top'],
      [ix.lookupPath('/c/c-top/explicit-directory'), 'explicit-directory', '/c/c-top/explicit-directory'],
      [ix.lookupPath('/c/c-top/implicit-parent'), 'implicit-parent', '/c/c-top/implicit-parent'],
      [ix.lookupPath('/c/c-top/implicit-parent/deeper'), 'deeper', '/c/c-top/implicit-parent/deeper'],
      [keep, 'keep', '/keep'],
      [renamed, 'renamed-now.txt', '/keep/renamed-now.txt'],
      [link, 'hard-link-name', '/keep/hard-link-name'],
    ]);
    expect([ix.layer(link), ix.ref(link), ix.nlink(link)]).toEqual([2, 4, 1]);
    // C's region is kept (closed) while those two live.
    expect(ix.memoryBreakdown().zip).toBeGreaterThan(aZip);

    const check = (): void => {
      expect(tree(ix)).toEqual(before);
      expect(entryPaths(a)).toEqual(aPaths);
    };
    for (let r = 0; r < 12; r++) {
      await overlayRound(ix, r % 2 === 0);
      check();
    }
    // The renamed node and the link's object hold C's region; once both go it is freed, and
    // the directories built from it still read their names after its memory is reused.
    ix.remove(renamed);
    ix.remove(link);
    expect(ix.memoryBreakdown().zip).toBe(aZip);
    before.splice(-2);
    for (let r = 0; r < 12; r++) {
      await overlayRound(ix, r % 2 !== 0);
      expect(tree(ix)).toEqual(before);
      expect(entryPaths(a)).toEqual(aPaths);
    }
    a.close();
  });

  it('keep renamed zip nodes right while the names arena compacts under an open zip', async () => {
    const { ix, a } = await withZipA();
    const aPaths = entryPaths(a);
    // Every third file of A renamed: its new name in the arena, its entry's in the override map.
    for (let i = 0; i < a.count; i += 3) {
      const id = ix.lookupPath(`/a/${aPaths[i]}`);
      ix.move(id, ix.parent(id), `renamed-${i}-${'x'.repeat(i % 40)}`);
    }
    const before = tree(ix);
    const arena = ix.memoryBreakdown().names;
    // Churn: names inserted and removed, far more than the live ones, so the arena compacts
    // (it never did while a zip was open).
    const scratch = ix.insert(ix.root, 'scratch', { kind: Kind.Dir });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 2000; i++)
        ix.insert(scratch, `churn-${round}-${i}-${'y'.repeat(60)}`, { kind: Kind.File });
      for (const id of ix.children(scratch)) ix.remove(id);
    }
    ix.remove(scratch);
    expect(tree(ix)).toEqual(before);
    expect(entryPaths(a)).toEqual(aPaths);
    // Compacted: a few rounds' worth of churned names at most, not twenty (3.2 MB).
    expect(ix.memoryBreakdown().names).toBeLessThan(arena + 3 * 2000 * 80);
    a.close();
  });
});
