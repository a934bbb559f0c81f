/**
 * Recursive removal and revert visit only the names the index lists (`visits`): what they leave
 * must be exactly what the old algorithm left, which made every child's object and checked it.
 * The old code is kept here as the model (rm-tree/old-engine.ts) and swapped in through the
 * module graph; every case runs once on each and compares everything observable: the merged
 * tree (lstat, nlink, bytes, targets, inode numbers), what open handles read and stat, the
 * change list, every record of the upper, and a reopen on that upper.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileHandle } from '../src/file-handle.js';
import {
  type LowerEntry,
  type LowerLayer,
  MemoryLayer,
  MemoryUpper,
  Overlay,
  type Tree,
  type UpperLayer,
} from '../src/index.js';
import { dir, file, hardlink, whiteout } from '../src/tree.js';
import { applyOp, lowerTreeArb, type Op, opsArb, pathArb } from './kernel/ops.js';
import { idbUpper, memoryUpper, type UpperKind } from './upper-kinds.js';
import { fullView, inodes } from './view.js';

const model = vi.hoisted(() => ({ old: false }));

vi.mock('../src/remove.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/remove.js')>();
  const old = await import('./rm-tree/old-engine.js');
  return {
    ...real,
    dropLink: (...a: Parameters<typeof real.dropLink>) => (model.old ? old.oldDropLink : real.dropLink)(...a),
    removeName: (...a: Parameters<typeof real.removeName>) =>
      (model.old ? old.oldRemoveName : real.removeName)(...a),
  };
});

const numRuns = Number(process.env.VELLUM_RMTREE_RUNS ?? 300);
const idbRuns = Number(process.env.VELLUM_RMTREE_IDB_RUNS ?? 60);
const NOW = Date.UTC(2020, 0, 1);

/** What a case does after the random ops: removals and reverts, with lookups that make objects. */
type Final = { final: 'rm' | 'revert' | 'stat'; path: string } | { final: 'op'; op: Op };

const finalArb: fc.Arbitrary<Final[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: pathArb.map((path): Final => ({ final: 'rm', path })) },
    { weight: 2, arbitrary: pathArb.map((path): Final => ({ final: 'revert', path })) },
    // A stat makes the object of each name on the path: the index then lists it (tagged).
    { weight: 2, arbitrary: pathArb.map((path): Final => ({ final: 'stat', path })) },
  ),
  { minLength: 1, maxLength: 5 },
);

interface Case {
  lowers: () => LowerLayer[];
  ops: readonly Op[];
  /** Opened before the finals, read and closed after them. */
  open: readonly string[];
  finals: readonly Final[];
}

async function runFinal(ov: Overlay, f: Final): Promise<string> {
  try {
    if (f.final === 'op') return JSON.stringify(await applyOp(ov, '', f.op));
    if (f.final === 'rm') await ov.rm(f.path, { recursive: true });
    else if (f.final === 'revert') await ov.revert(f.path);
    else await ov.lstat(f.path);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Every record the upper holds, in a stable order. */
async function records(upper: UpperLayer): Promise<unknown> {
  const snap = await upper.load();
  const chunks = await Promise.all(
    [...snap.chunks].map(async ({ ino, index }) => [
      ino,
      index,
      Array.from((await upper.readChunk(ino, index)) ?? []),
    ]),
  );
  return {
    meta: snap.meta,
    inodes: [...snap.inodes].sort((a, b) => a.ino - b.ino),
    dirents: [...snap.dirents].sort((a, b) => a.parent - b.parent || (a.name < b.name ? -1 : 1)),
    chunks: chunks.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number)),
    usage: await upper.usage(),
  };
}

/** A call's result, or the code it failed with (both sides must fail alike). */
async function settle<T>(fn: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await fn();
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

async function state(ov: Overlay, upper: UpperLayer): Promise<unknown> {
  return {
    tree: await settle(() => fullView(ov)),
    ino: await settle(() => inodes(ov)),
    changes: await settle(() => ov.changes()),
    upper: await records(upper),
  };
}

async function handleView(fh: FileHandle): Promise<unknown> {
  const before = await fh.stat();
  const bytes = Array.from((await fh.readFile()) as Uint8Array);
  await fh.write(new Uint8Array([7, 7]), 0, 2, 1);
  const after = await fh.stat();
  return { nlink: before.nlink, size: before.size, bytes, afterNlink: after.nlink, afterSize: after.size };
}

/** Runs one case with the new code or the old model; returns everything observable. */
async function run(c: Case, old: boolean, kind: UpperKind): Promise<unknown> {
  model.old = old;
  const pair = kind();
  const upper = pair.upper;
  const ov = await Overlay.create({ lowers: c.lowers(), upper });
  const out: Record<string, unknown> = {};
  try {
    out.ops = [];
    for (const op of c.ops) (out.ops as unknown[]).push(await applyOp(ov, '', op));
    const handles: FileHandle[] = [];
    for (const path of c.open) {
      try {
        const st = await ov.lstat(path);
        if (st.isFile()) handles.push(await ov.open(path, 'r+'));
      } catch {
        // a missing path is not opened
      }
    }
    out.finals = [];
    for (const f of c.finals) (out.finals as unknown[]).push(await runFinal(ov, f));
    out.handles = [];
    for (const fh of handles) (out.handles as unknown[]).push(await settle(() => handleView(fh)));
    out.open = await state(ov, upper);
    for (const fh of handles) await fh.close();
    out.closed = await state(ov, upper);
  } finally {
    await ov.close();
  }
  const again = await Overlay.create({ lowers: c.lowers(), upper: pair.reopen() });
  try {
    out.reopened = {
      tree: await settle(() => fullView(again)),
      ino: await settle(() => inodes(again)),
      changes: await settle(() => again.changes()),
    };
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

describe('rm -r and revert visit only what the index lists, and leave what the old algorithm left', () => {
  beforeEach(() => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    model.old = false;
  });

  it(`random lowers, ops, open files, removals and reverts (${numRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        lowerTreeArb,
        opsArb,
        fc.array(pathArb, { maxLength: 3 }),
        finalArb,
        async (trees, ops, open, finals) => sameAsModel({ lowers: memory(trees), ops, open, finals }),
      ),
      { numRuns },
    );
  }, 300_000);

  it(`the same with an IndexedDB upper, reopened on a new connection (${idbRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        lowerTreeArb,
        opsArb,
        fc.array(pathArb, { maxLength: 3 }),
        finalArb,
        async (trees, ops, open, finals) =>
          sameAsModel({ lowers: memory(trees), ops, open, finals }, idbUpper('rm-tree')),
      ),
      { numRuns: idbRuns },
    );
  }, 300_000);

  const edge: Array<[string, Tree[], Final[], string[]]> = [
    [
      'a higher lower whites out the second name of a hard-linked pair (index nlink 1, entry nlink 2)',
      [{ d: dir({ b: whiteout() }) }, { d: dir({ a: file('A'), b: hardlink('/d/a') }) }],
      [{ final: 'rm', path: '/d' }],
      [],
    ],
    [
      'a higher lower whites out the first name (the object is detached)',
      [{ d: dir({ a: whiteout() }) }, { d: dir({ a: file('A'), b: hardlink('/d/a') }) }],
      [{ final: 'rm', path: '/d' }],
      [],
    ],
    [
      'a hard link across the removed tree keeps its other name, nlink 1',
      [{ d: dir({ s: dir({ a: file('A') }) }), x: hardlink('/d/s/a') }],
      [
        { final: 'rm', path: '/d' },
        { final: 'stat', path: '/x' },
      ],
      ['/x'],
    ],
    [
      'a file open in the removed tree keeps reading',
      [{ d: dir({ s: dir({ a: file('A'), b: file('B') }) }) }],
      [{ final: 'rm', path: '/d' }],
      ['/d/s/a'],
    ],
    [
      'a copied-up directory with its own names, whiteouts and copied-up files',
      [{ d: dir({ a: file('A'), b: file('B'), c: dir({ e: file('E') }) }) }],
      [
        { final: 'op', op: { op: 'unlink', path: '/d/a' } },
        { final: 'op', op: { op: 'writeFile', path: '/d/n', data: 'x' } },
        { final: 'op', op: { op: 'chmod', path: '/d/c/e', mode: 0o600 } },
        { final: 'rm', path: '/d' },
      ],
      [],
    ],
    [
      'revert of a copied-up directory whose hard-linked file changed through its other name',
      [{ d: dir({ a: file('A'), s: dir({ b: file('B') }) }), y: hardlink('/d/a') }],
      [
        { final: 'op', op: { op: 'writeFile', path: '/d/n', data: 'x' } },
        { final: 'op', op: { op: 'chmod', path: '/y', mode: 0o600 } },
        { final: 'revert', path: '/d' },
        { final: 'stat', path: '/y' },
      ],
      [],
    ],
  ];
  for (const [name, trees, finals, open] of edge) {
    it(name, async () => {
      await sameAsModel({ lowers: memory(trees), ops: [], open, finals });
      await sameAsModel({ lowers: memory(trees), ops: [], open, finals }, idbUpper('rm-tree'));
    });
  }

  it('a layer that gives a file nlink 3 without listing its other names', async () => {
    const meta = { mode: 0o644, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 };
    const entries: LowerEntry[] = [
      { ...meta, path: '/d/a', kind: 'file', size: 1, ref: 0, nlink: 3 },
      { ...meta, path: '/d/b', kind: 'file', size: 1, ref: 1 },
    ];
    const layer: LowerLayer = {
      id: 'nlink3',
      entries: () => entries,
      read: async () => new Uint8Array([65]),
    };
    await sameAsModel({ lowers: () => [layer], ops: [], open: [], finals: [{ final: 'rm', path: '/d' }] });
    // And what both leave: a record of the file with the two links left.
    const upper = new MemoryUpper();
    const ov = await Overlay.create({ lowers: [layer], upper });
    await ov.rm('/d', { recursive: true });
    expect([...(await upper.load()).inodes].filter((i) => i.kind === 'file').map((i) => i.nlink)).toEqual([
      2,
    ]);
    await ov.close();
  });
});
