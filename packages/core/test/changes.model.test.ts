/**
 * `changes()` looks only at the names the index lists as able to differ (`touched`): its answer
 * must be exactly what the old algorithm gave, which made every name's object and checked it.
 * The old code is kept here as the model (changes/old-changes.ts); every `changes()` call of a
 * case runs the new code and then the model on the same tree (the new one first: the model makes
 * every object, which the new code must not need) and both answers are compared. Calls are made
 * after random ops, between removals, reverts and lookups, and on a reopened upper (every object
 * fresh), with a memory upper and with an IndexedDB one reopened on a new connection.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Change } from '../src/changes.js';
import { type LowerLayer, MemoryLayer, Overlay, type Tree } from '../src/index.js';
import { dir, file, hardlink, symlink, whiteout } from '../src/tree.js';
import { applyOp, lowerTreeArb, type Op, opsArb, pathArb } from './kernel/ops.js';
import { idbUpper, memoryUpper, type UpperKind } from './upper-kinds.js';

const calls = vi.hoisted(() => ({ pairs: [] as Array<{ now: unknown; model: unknown }> }));

vi.mock('../src/changes.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/changes.js')>();
  const old = await import('./changes/old-changes.js');
  return {
    ...real,
    listChanges: (...a: Parameters<typeof real.listChanges>): Change[] => {
      const now = real.listChanges(...a);
      calls.pairs.push({ now, model: old.oldListChanges(...a) });
      return now;
    },
  };
});

const numRuns = Number(process.env.VELLUM_CHANGES_RUNS ?? 300);
const idbRuns = Number(process.env.VELLUM_CHANGES_IDB_RUNS ?? 60);
const NOW = Date.UTC(2020, 0, 1);

/** What a case does after the random ops; `changes` asks for the diff there. */
type Final = { final: 'rm' | 'revert' | 'stat' | 'changes'; path: string } | { final: 'op'; op: Op };

const finalArb: fc.Arbitrary<Final[]> = fc.array(
  fc.oneof(
    { weight: 2, arbitrary: pathArb.map((path): Final => ({ final: 'rm', path })) },
    { weight: 3, arbitrary: pathArb.map((path): Final => ({ final: 'revert', path })) },
    // A stat makes the object of each name on the path: the index then lists it (tagged).
    { weight: 2, arbitrary: pathArb.map((path): Final => ({ final: 'stat', path })) },
    { weight: 2, arbitrary: fc.constant<Final>({ final: 'changes', path: '/' }) },
  ),
  { maxLength: 6 },
);

async function runFinal(ov: Overlay, f: Final): Promise<void> {
  try {
    if (f.final === 'op') await applyOp(ov, '', f.op);
    else if (f.final === 'rm') await ov.rm(f.path, { recursive: true });
    else if (f.final === 'revert') await ov.revert(f.path);
    else if (f.final === 'stat') await ov.lstat(f.path);
    else await ov.changes();
  } catch {
    // a failed step leaves the tree as it is; the diffs are what is compared
  }
}

/** Runs one case; every diff asked for must be the model's. */
async function sameAsModel(
  lowers: () => LowerLayer[],
  ops: readonly Op[],
  finals: readonly Final[],
  kind: UpperKind = memoryUpper,
): Promise<void> {
  calls.pairs.length = 0;
  const pair = kind();
  const ov = await Overlay.create({ lowers: lowers(), upper: pair.upper });
  try {
    for (const op of ops) {
      try {
        await applyOp(ov, '', op);
      } catch {
        // as above
      }
    }
    await ov.changes();
    for (const f of finals) await runFinal(ov, f);
    await ov.changes();
  } finally {
    await ov.close();
  }
  const again = await Overlay.create({ lowers: lowers(), upper: pair.reopen() });
  try {
    await again.changes();
  } finally {
    await again.close();
  }
  expect(calls.pairs.length).toBeGreaterThanOrEqual(3);
  for (const { now, model } of calls.pairs) expect(now).toEqual(model);
}

const memory = (trees: readonly Tree[]) => (): LowerLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));

describe('changes() visits only what the index lists, and reports what the old algorithm reported', () => {
  beforeEach(() => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it(`random lowers, ops, removals, reverts and lookups (${numRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, finalArb, async (trees, ops, finals) =>
        sameAsModel(memory(trees), ops, finals),
      ),
      { numRuns },
    );
  }, 300_000);

  it(`the same with an IndexedDB upper, reopened on a new connection (${idbRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, finalArb, async (trees, ops, finals) =>
        sameAsModel(memory(trees), ops, finals, idbUpper('changes')),
      ),
      { numRuns: idbRuns },
    );
  }, 300_000);

  const op = (o: Op): Final => ({ final: 'op', op: o });
  const edge: Array<[string, Tree[], Final[]]> = [
    [
      'a hard-linked file changed through its other name, in a copied-up directory',
      [{ y: file('A'), d: dir({ a: hardlink('/y'), s: dir({ b: file('B') }) }) }],
      [op({ op: 'writeFile', path: '/d/n', data: 'x' }), op({ op: 'chmod', path: '/y', mode: 0o600 })],
    ],
    [
      'a higher lower whites out one name of a hard-linked pair',
      [{ d: dir({ b: whiteout() }) }, { d: dir({ a: file('A'), b: hardlink('/d/a') }) }],
      [op({ op: 'chmod', path: '/d/a', mode: 0o600 }), op({ op: 'writeFile', path: '/d/n', data: 'x' })],
    ],
    [
      'renamed files and directories, a directory made over a deleted one (opaque), symlinks',
      [{ d: dir({ a: file('A'), l: symlink('a'), s: dir({ x: file('X'), t: dir({ y: file('Y') }) }) }) }],
      [
        op({ op: 'rename', from: '/d/a', to: '/d/s/a2' }),
        op({ op: 'rename', from: '/d/s/t', to: '/t2' }),
        op({ op: 'chmod', path: '/t2/y', mode: 0o600 }),
        op({ op: 'unlink', path: '/d/l' }),
        op({ op: 'rm', path: '/d/s/x' }),
        op({ op: 'mkdir', path: '/d/s/x' }),
        { final: 'changes', path: '/' },
        { final: 'revert', path: '/d/s/x' },
      ],
    ],
    [
      'a lower directory below a copied-up one whose object exists but is not upper',
      [{ d: dir({ s: dir({ x: file('X') }), f: file('F') }) }],
      [{ final: 'stat', path: '/d/s/x' }, op({ op: 'appendFile', path: '/d/f', data: 'x' })],
    ],
  ];
  for (const [name, trees, finals] of edge) {
    it(name, async () => {
      await sameAsModel(memory(trees), [], finals);
      await sameAsModel(memory(trees), [], finals, idbUpper('changes'));
    });
  }
});
