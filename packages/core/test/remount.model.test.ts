/**
 * Remount, property-tested: after random learner operations over a random base, a remount onto
 * a random new base shows exactly what a fresh overlay opened on the new base over the same
 * upper shows (the records re-laid as a reopen lays them; contents and modes), keeps the inode
 * number of every path whose entry the two stacks share and the learner never touched, gives no
 * two objects one number, and changes nothing the upper had (a learner's file reads as before
 * wherever the new base did not change under it).
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { file, MemoryLayer, Overlay, type Tree } from '../src/index.js';
import { idbUpper, memoryUpper, type UpperKind } from './upper-kinds.js';

const NAMES = ['a', 'b', 'c', 'd/e', 'd/f', 'g/h'] as const;
type Flat = Partial<Record<(typeof NAMES)[number], string>>;

const content = fc.constantFrom('1', '22', '333', '4444', 'xxxxxxxxxx');
const flat = fc.record(
  Object.fromEntries(NAMES.map((n) => [n, content])) as Record<(typeof NAMES)[number], typeof content>,
  {
    requiredKeys: [],
  },
);

/** A tree literal; a path whose bytes differ from `old`'s gets a new mtime, as a rebuilt layer has. */
function treeOf(f: Flat, old?: Flat): Tree {
  const root: Record<string, Tree[string]> = {};
  for (const [p, text] of Object.entries(f)) {
    const parts = p.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      dir[part] ??= {};
      dir = dir[part] as Record<string, Tree[string]>;
    }
    const changed = old !== undefined && old[p as keyof Flat] !== text;
    dir[parts.at(-1) as string] = changed ? file(text as string, { mtimeMs: 2_000 }) : (text as string);
  }
  return root as Tree;
}

const op = fc.oneof(
  fc.record({ op: fc.constant('write' as const), path: fc.constantFrom(...NAMES, 'n'), text: content }),
  fc.record({ op: fc.constant('append' as const), path: fc.constantFrom(...NAMES), text: content }),
  fc.record({ op: fc.constant('unlink' as const), path: fc.constantFrom(...NAMES) }),
  fc.record({ op: fc.constant('chmod' as const), path: fc.constantFrom(...NAMES, 'd') }),
  fc.record({
    op: fc.constant('rename' as const),
    path: fc.constantFrom(...NAMES, 'd'),
    to: fc.constantFrom('r', 'g/r'),
  }),
  fc.record({ op: fc.constant('rm' as const), path: fc.constantFrom('d', 'g') }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function run(ov: Overlay, o: Op): Promise<void> {
  try {
    if (o.op === 'write') await ov.writeFile(`/${o.path}`, o.text);
    else if (o.op === 'append') await ov.appendFile(`/${o.path}`, o.text);
    else if (o.op === 'unlink') await ov.unlink(`/${o.path}`);
    else if (o.op === 'chmod') await ov.chmod(`/${o.path}`, 0o700);
    else if (o.op === 'rename') await ov.rename(`/${o.path}`, `/${o.to}`);
    else await ov.rm(`/${o.path}`, { recursive: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!['ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY', 'EINVAL'].includes(code ?? '')) throw error;
  }
}

/** Path → contents (or `dir`) and mode; and path → inode number. */
async function view(ov: Overlay): Promise<{ tree: Record<string, string>; inos: Record<string, number> }> {
  const tree: Record<string, string> = {};
  const inos: Record<string, number> = {};
  for (const name of await ov.readdir('/', { recursive: true })) {
    const p = `/${name}`;
    const st = await ov.lstat(p);
    tree[p] = `${st.isDirectory() ? 'dir' : await ov.readFile(p, 'utf8')} ${(st.mode & 0o777).toString(8)}`;
    inos[p] = st.ino;
  }
  return { tree, inos };
}

const kinds: [string, UpperKind, number][] = [
  ['memory', memoryUpper, 150],
  ['idb', idbUpper('remount-model'), 40],
];

describe.each(kinds)('remount over a %s upper (property)', (_name, kind, runs) => {
  it('equals a reopen on the new base, keeps unchanged paths’ inode numbers, never duplicates one', async () => {
    await fc.assert(
      fc.asyncProperty(flat, flat, fc.array(op, { maxLength: 6 }), async (v1, v2, ops) => {
        const { upper, reopen } = kind();
        const ov = await Overlay.create({
          lowers: [MemoryLayer.fromTree(treeOf(v1), { id: 'v1', mtimeMs: 1_000 })],
          upper,
          chunkSize: 4,
        });
        for (const o of ops) await run(ov, o);
        const before = await view(ov);
        const changes = await ov.changes();
        // A renamed file's `from` is its lower path as its layer lists it (no leading slash).
        const from = (c: { path: string; from?: string }): string =>
          `/${(c.from ?? c.path).replace(/^\/+/, '')}`;
        const touched = new Set(changes.flatMap((c) => [c.path, from(c)]));
        /** Where each changed path's bytes came from in the base: a rename's source, also for what a renamed directory holds. */
        const moves = changes.filter((c) => c.type === 'dir' && c.change === 'renamed');
        const sourceOf = new Map(
          changes.map((c) => {
            const dirMove = moves.find((m) => c.path.startsWith(`${m.path}/`));
            const source = dirMove ? `${from(dirMove)}${c.path.slice(dirMove.path.length)}` : from(c);
            return [c.path, source.slice(1) as keyof Flat];
          }),
        );
        const next = () => MemoryLayer.fromTree(treeOf(v2, v1), { id: 'v2', mtimeMs: 1_000 });
        await ov.remount({ lowers: [next()] });
        const after = await view(ov);

        // The same as opening the new base over this upper afresh.
        const fresh = await Overlay.create({ lowers: [next()], upper: reopen(), chunkSize: 4 });
        const reopened = await view(fresh);
        await fresh.close();
        expect(after.tree).toEqual(reopened.tree);

        // No two paths share a number, except names of one directory's... none here: no hard links.
        const numbers = Object.values(after.inos);
        expect(new Set(numbers).size).toBe(numbers.length);

        for (const [p, ino] of Object.entries(before.inos)) {
          const name = p.slice(1) as keyof Flat;
          const same = v1[name] !== undefined && v1[name] === v2[name];
          const untouched = ![...touched].some(
            (t) => t === p || t.startsWith(`${p}/`) || p.startsWith(`${t}/`),
          );
          // A file both stacks hold unchanged, which the learner never touched: same number.
          if (same && untouched && after.inos[p] !== undefined) expect(after.inos[p], p).toBe(ino);
          // What the learner changed reads as before where the new base left its source alone.
          const source = sourceOf.get(p);
          if (source !== undefined && v1[source] === v2[source] && after.tree[p] !== undefined) {
            expect(after.tree[p], p).toBe(before.tree[p]);
          }
        }
        await ov.close();
      }),
      { numRuns: runs },
    );
  });
});

describe.each(kinds)('reopen on a changed base over a %s upper (property)', (_name, kind, runs) => {
  it('never gives two objects one inode number', async () => {
    await fc.assert(
      fc.asyncProperty(flat, flat, fc.array(op, { maxLength: 6 }), async (v1, v2, ops) => {
        const { upper, reopen } = kind();
        const ov = await Overlay.create({
          lowers: [MemoryLayer.fromTree(treeOf(v1), { id: 'v1', mtimeMs: 1_000 })],
          upper,
          chunkSize: 4,
        });
        for (const o of ops) await run(ov, o);
        await ov.close();
        const again = await Overlay.create({
          lowers: [MemoryLayer.fromTree(treeOf(v2, v1), { id: 'v2', mtimeMs: 1_000 })],
          upper: reopen(),
          chunkSize: 4,
          onLowerChange: 'open',
        });
        // Numbers only: a copy whose base went away reads EIO there, by design (see base-change.test.ts).
        const numbers: number[] = [];
        for (const name of await again.readdir('/', { recursive: true }))
          numbers.push((await again.lstat(`/${name}`)).ino);
        expect(new Set(numbers).size).toBe(numbers.length);
        await again.close();
      }),
      { numRuns: runs },
    );
  });
});
