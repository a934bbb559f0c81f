/**
 * `readdir` with file types asks the index for each name's kind and inode number
 * (`EntryTable.types`) instead of making the object of each lower name. What it returns must be
 * what the old code returned (readdir-types/old-readdir.ts, swapped in through the module graph):
 * every directory of random lowers after random ops, removals and reverts, listed with file types
 * and recursively, equal on both; and each Dirent's inode number and type equal to `lstat`'s.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Dirent, type LowerLayer, MemoryLayer, Overlay, type Tree } from '../src/index.js';
import { dir, file, hardlink, symlink, whiteout } from '../src/tree.js';
import { applyOp, lowerTreeArb, type Op, opsArb, pathArb } from './kernel/ops.js';
import { idbUpper, memoryUpper, type UpperKind } from './upper-kinds.js';

const model = vi.hoisted(() => ({ old: false }));

vi.mock('../src/fs-ops.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/fs-ops.js')>();
  const old = (await import('./readdir-types/old-readdir.js')).oldReaddirOf(real.reach);
  return {
    ...real,
    readdirOf: (...a: Parameters<typeof real.readdirOf>) => (model.old ? old : real.readdirOf)(...a),
  };
});

const numRuns = Number(process.env.VELLUM_READDIR_RUNS ?? 300);
const idbRuns = Number(process.env.VELLUM_READDIR_IDB_RUNS ?? 60);
const NOW = Date.UTC(2020, 0, 1);

/** What a case does after the random ops: removals and reverts, and stats that make objects. */
type Final = { final: 'rm' | 'revert' | 'stat'; path: string };

const finalArb: fc.Arbitrary<Final[]> = fc.array(
  fc.oneof(
    pathArb.map((path): Final => ({ final: 'rm', path })),
    pathArb.map((path): Final => ({ final: 'revert', path })),
    pathArb.map((path): Final => ({ final: 'stat', path })),
  ),
  { maxLength: 4 },
);

interface Case {
  lowers: () => LowerLayer[];
  ops: readonly Op[];
  finals: readonly Final[];
}

async function runFinal(ov: Overlay, f: Final): Promise<string> {
  try {
    if (f.final === 'rm') await ov.rm(f.path, { recursive: true });
    else if (f.final === 'revert') await ov.revert(f.path);
    else await ov.lstat(f.path);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

function typeOf(d: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): string {
  return d.isFile() ? 'file' : d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : 'other';
}

function shown(list: Dirent[]): unknown[] {
  return list.map((d) => [d.parentPath, d.name, typeOf(d), d.ino]);
}

/**
 * Every directory listed with file types, plain and recursive, then each entry's lstat. Listing
 * first: the new code must answer for names whose object was never made.
 */
async function listings(ov: Overlay): Promise<unknown> {
  const dirs = ['/', ...((await ov.readdir('/', { recursive: true })) as string[]).map((p) => `/${p}`)];
  const out: unknown[] = [];
  const all: Dirent[] = [];
  for (const d of dirs) {
    let st: Awaited<ReturnType<Overlay['lstat']>>;
    try {
      st = await ov.lstat(d);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    const plain = await ov.readdir(d, { withFileTypes: true });
    const deep = ov.readdirSync(d, { withFileTypes: true, recursive: true });
    out.push(d, shown(plain), shown(deep));
    all.push(...plain);
  }
  for (const e of all) {
    const st = await ov.lstat(`${e.parentPath === '/' ? '' : e.parentPath}/${e.name}`);
    expect([e.parentPath, e.name, typeOf(e), e.ino]).toEqual([e.parentPath, e.name, typeOf(st), st.ino]);
  }
  return out;
}

async function run(c: Case, old: boolean, kind: UpperKind): Promise<unknown> {
  model.old = old;
  const pair = kind();
  const ov = await Overlay.create({ lowers: c.lowers(), upper: pair.upper });
  const out: Record<string, unknown> = {};
  try {
    // Before any op: every name a pristine lower entry.
    out.fresh = await listings(ov);
    out.ops = [];
    for (const op of c.ops) (out.ops as unknown[]).push(await applyOp(ov, '', op));
    out.finals = [];
    for (const f of c.finals) (out.finals as unknown[]).push(await runFinal(ov, f));
    out.after = await listings(ov);
  } finally {
    await ov.close();
  }
  // Reopened: the upper's records over lower names with no object yet.
  const again = await Overlay.create({ lowers: c.lowers(), upper: pair.reopen() });
  try {
    out.reopened = await listings(again);
  } finally {
    await again.close();
  }
  return out;
}

async function sameAsModel(c: Case, kind: UpperKind = memoryUpper): Promise<void> {
  const now = await run(c, false, kind);
  const before = await run(c, true, kind);
  model.old = false;
  expect(now).toEqual(before);
}

const memory = (trees: readonly Tree[]) => (): LowerLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));

describe('readdir with file types answers from the index what the old code answered from objects', () => {
  beforeEach(() => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    model.old = false;
  });

  it(`random lowers, ops, removals and reverts (${numRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, finalArb, async (trees, ops, finals) =>
        sameAsModel({ lowers: memory(trees), ops, finals }),
      ),
      { numRuns },
    );
  }, 300_000);

  it(`the same with an IndexedDB upper, reopened on a new connection (${idbRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, finalArb, async (trees, ops, finals) =>
        sameAsModel({ lowers: memory(trees), ops, finals }, idbUpper('readdir-types')),
      ),
      { numRuns: idbRuns },
    );
  }, 300_000);

  const edge: Array<[string, Tree[], Op[]]> = [
    [
      'a higher lower whites out the first name of a hard-linked pair (the object is detached)',
      [{ d: dir({ a: whiteout() }) }, { d: dir({ a: file('A'), b: hardlink('/d/a'), c: hardlink('/d/a') }) }],
      [],
    ],
    [
      'hard links across layers, one copied up through another name',
      [
        { d: dir({ c: whiteout() }) },
        {
          d: dir({ a: file('A'), b: hardlink('/d/a'), c: file('C') }),
          x: hardlink('/d/a'),
          l: symlink('d/a'),
        },
      ],
      [{ op: 'appendFile', path: '/d/b', data: 'x' }],
    ],
    [
      'a copied-up directory whose lower names are replaced, hidden and linked',
      [{ d: dir({ a: file('A'), s: dir({ f: file('F') }), l: symlink('a') }) }],
      [
        { op: 'writeFile', path: '/d/new', data: 'x' },
        { op: 'unlink', path: '/d/l' },
        { op: 'rename', from: '/d/s', to: '/d/t' },
        { op: 'link', existing: '/d/a', path: '/d/b' },
        { op: 'mkdir', path: '/d/a2' },
      ],
    ],
  ];
  for (const [name, trees, ops] of edge) {
    it(name, async () => {
      await sameAsModel({ lowers: memory(trees), ops, finals: [] });
      await sameAsModel({ lowers: memory(trees), ops, finals: [] }, idbUpper('readdir-types'));
    });
  }
});
