/**
 * Rebase, property-tested: random learner sessions over a random base, then a random new base.
 * (a) no learner change is lost silently: each is kept, taken, merged or reported, and reads what
 *     that says; (b) where the base did not change, the tree is the learner's; (c) where the
 *     learner changed nothing, it is the new base's; (d) every text merge is what `git merge-file`
 *     gives on the same three texts, and every text conflict is one for git too. Over a memory
 *     upper, and over an IndexedDB upper reopened after the rebase.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Change, file, MemoryLayer, Overlay, type Tree } from '../src/index.js';
import { gitMerge, hasGit } from './git-merge.js';
import { idbUpper, memoryUpper, type UpperKind } from './upper-kinds.js';

if (!hasGit) console.log('rebase.model.test: git is not installed, property (d) is not compared with git');

type Flat = Record<string, string>;

const lineEdits = (tag: string) =>
  fc
    .array(fc.record({ at: fc.nat({ max: 8 }), op: fc.constantFrom('replace', 'delete', 'insert') }), {
      minLength: 1,
      maxLength: 3,
    })
    .map((edits) => (text: string): string => {
      const out = text === '' ? [] : text.replace(/\n$/, '').split('\n');
      edits.forEach((e, i) => {
        const at = Math.min(e.at, out.length);
        if (e.op === 'insert') out.splice(at, 0, `${tag} ${i}`);
        else if (at < out.length) {
          if (e.op === 'delete') out.splice(at, 1);
          else out[at] = `${tag} ${i}`;
        }
      });
      return out.length === 0 ? '' : `${out.join('\n')}\n`;
    });

/** A text of distinct lines (so a diff has one alignment, see merge3.test.ts). */
const baseText = fc
  .integer({ min: 1, max: 6 })
  .map((n) => `${Array.from({ length: n }, (_, i) => `line ${i}`).join('\n')}\n`);

const FILES = ['f0', 'f1', 'f2', 'd/g0', 'd/g1'] as const;

/** A base: some of the files, each a text. */
const baseTree = fc.tuple(...FILES.map(() => fc.option(baseText, { nil: undefined }))).map((texts) => {
  const flat: Flat = {};
  FILES.forEach((p, i) => {
    const t = texts[i];
    if (t !== undefined) flat[`/${p}`] = t;
  });
  return flat;
});

/** What the new deployment does to each path of the old base. */
const baseEdit = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ do: 'keep' as const }) },
  { weight: 3, arbitrary: lineEdits('theirs').map((edit) => ({ do: 'edit' as const, edit })) },
  { weight: 1, arbitrary: fc.constant({ do: 'delete' as const }) },
  { weight: 1, arbitrary: fc.constant({ do: 'dirify' as const }) },
  { weight: 1, arbitrary: baseText.map((text) => ({ do: 'add' as const, text })) },
);

function newBase(old: Flat, edits: { do: string; edit?: (t: string) => string; text?: string }[]): Flat {
  const out: Flat = {};
  FILES.forEach((name, i) => {
    const p = `/${name}`;
    const e = edits[i] as { do: string; edit?: (t: string) => string; text?: string };
    const was = old[p];
    if (was === undefined) {
      if (e.do === 'add' && e.text !== undefined) out[p] = e.text;
      return;
    }
    if (e.do === 'keep') out[p] = was;
    else if (e.do === 'edit' && e.edit) out[p] = e.edit(was);
    else if (e.do === 'dirify' && !name.startsWith('d/')) out[`${p}/inside`] = 'I\n';
    else if (e.do === 'add' || e.do === 'dirify') out[p] = was;
  });
  return out;
}

/** A flat map of files as a tree literal; a file that changed gets a new mtime, as a rebuilt layer has. */
function treeOf(flat: Flat, old?: Flat): Tree {
  const root: Record<string, Tree[string]> = {};
  for (const [p, text] of Object.entries(flat)) {
    const parts = p.slice(1).split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      dir[part] ??= {};
      dir = dir[part] as Record<string, Tree[string]>;
    }
    const changed = old !== undefined && old[p] !== text;
    dir[parts.at(-1) as string] = changed ? file(text, { mtimeMs: 2_000 }) : text;
  }
  return root as Tree;
}

const op = fc.oneof(
  fc.record({ op: fc.constant('edit' as const), path: fc.constantFrom(...FILES), edit: lineEdits('ours') }),
  fc.record({
    op: fc.constant('create' as const),
    path: fc.constantFrom('n0', 'd/n1', 'f2'),
    text: baseText,
  }),
  fc.record({ op: fc.constant('unlink' as const), path: fc.constantFrom(...FILES) }),
  fc.record({ op: fc.constant('chmod' as const), path: fc.constantFrom(...FILES) }),
  fc.record({
    op: fc.constant('rename' as const),
    path: fc.constantFrom(...FILES),
    to: fc.constantFrom('r0', 'd/r1'),
  }),
  fc.record({ op: fc.constant('rmdir' as const) }),
  fc.record({ op: fc.constant('remkdir' as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function run(ov: Overlay, o: Op, n: number): Promise<void> {
  try {
    switch (o.op) {
      case 'edit': {
        const now = await ov.readFile(`/${o.path}`, 'utf8');
        // Distinct lines per operation: a learner's line is never a base's.
        await ov.writeFile(`/${o.path}`, o.edit(now).replaceAll('ours', `ours${n}`));
        return;
      }
      case 'create':
        await ov.writeFile(`/${o.path}`, o.text.replaceAll('line', `new${n}`));
        return;
      case 'unlink':
        await ov.unlink(`/${o.path}`);
        return;
      case 'chmod':
        await ov.chmod(`/${o.path}`, 0o600);
        return;
      case 'rename':
        await ov.rename(`/${o.path}`, `/${o.to}`);
        return;
      case 'rmdir':
        await ov.rm('/d', { recursive: true });
        return;
      case 'remkdir':
        await ov.mkdir('/d', { recursive: true });
        return;
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!['ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST'].includes(code ?? '')) throw error;
  }
}

async function flatten(ov: Overlay): Promise<Flat> {
  const out: Flat = {};
  for (const name of await ov.readdir('/', { recursive: true })) {
    const p = `/${name}`;
    const st = await ov.lstat(p);
    out[p] = st.isDirectory() ? '/' : await ov.readFile(p, 'utf8');
  }
  return out;
}

/** Directories as '/' entries too, as `flatten` lists them. */
function withDirs(flat: Flat): Flat {
  const out: Flat = { ...flat };
  for (const p of Object.keys(flat)) {
    for (let cut = p.lastIndexOf('/'); cut > 0; cut = p.lastIndexOf('/', cut - 1)) out[p.slice(0, cut)] = '/';
  }
  return out;
}

const ancestors = (p: string): string[] => {
  const out: string[] = [];
  for (let cut = p.lastIndexOf('/'); cut > 0; cut = p.lastIndexOf('/', cut - 1)) out.push(p.slice(0, cut));
  return out;
};

const scenario = fc.record({
  base: baseTree,
  edits: fc.tuple(...FILES.map(() => baseEdit)),
  ops: fc.array(op, { maxLength: 6 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function check(kind: UpperKind, s: Scenario): Promise<void> {
  const { upper, reopen } = kind();
  const oldFlat = s.base;
  const newFlat = newBase(oldFlat, s.edits);
  const v1 = MemoryLayer.fromTree(treeOf(oldFlat), { id: 'v1', mtimeMs: 1_000 });
  const v2 = () => MemoryLayer.fromTree(treeOf(newFlat, oldFlat), { id: 'v2', mtimeMs: 1_000 });
  const ov = await Overlay.create({ lowers: [v1], upper, chunkSize: 16 });
  let n = 0;
  for (const o of s.ops) await run(ov, o, n++);
  const before = await flatten(ov);
  const changes: Change[] = await ov.changes();
  const result = await ov.rebase({ to: [v2()] });
  const after = await flatten(ov);
  const baseOld = withDirs(oldFlat);
  const baseNew = withDirs(newFlat);
  const where = JSON.stringify(
    { oldFlat, newFlat, ops: s.ops.map((o) => ({ ...o, edit: undefined })), before, after, result },
    null,
    1,
  );

  // (a) every change decided once; each reads what its decision says.
  const decided = new Map<string, string>();
  for (const p of result.kept) decided.set(p, 'kept');
  for (const p of result.taken) decided.set(p, 'taken');
  for (const p of result.merged) decided.set(p, 'merged');
  for (const c of result.conflicts) decided.set(c.path, 'conflict');
  const renamedDirs = new Set(
    changes.filter((c) => c.type === 'dir' && c.change === 'renamed').map((c) => c.from),
  );
  for (const c of changes) {
    if (renamedDirs.has(c.path)) continue;
    const verdict = decided.get(c.path);
    expect(verdict, `${c.path} (${c.change}) undecided\n${where}`).toBeDefined();
    const source = c.from ?? c.path;
    if (verdict === 'kept' || verdict === 'conflict')
      expect(after[c.path], `${c.path}\n${where}`).toBe(before[c.path]);
    if (verdict === 'taken' && c.type === 'file' && c.change !== 'deleted') {
      expect(after[c.path], `${c.path}\n${where}`).toBe(baseNew[source]);
    }
    if (verdict === 'merged') {
      // (d) the merge is git's.
      const mine = before[c.path] as string;
      const o = baseOld[source] as string;
      const t = baseNew[source] as string;
      if (hasGit)
        expect({ clean: true, text: after[c.path] }, `${c.path}\n${where}`).toEqual(gitMerge(mine, o, t));
    }
  }
  for (const c of result.conflicts) {
    if (c.kind !== 'content' || !hasGit) continue;
    const change = changes.find((x) => x.path === c.path) as Change;
    const source = change.from ?? c.path;
    const git = gitMerge(before[c.path] as string, baseOld[source] as string, baseNew[source] as string);
    expect(git.clean, `${c.path} conflicts for git too\n${where}`).toBe(false);
  }

  const changed = new Set(changes.map((c) => c.path));
  const sources = new Set(changes.map((c) => c.from).filter((p): p is string => p !== undefined));
  const paths = new Set([
    ...Object.keys(before),
    ...Object.keys(after),
    ...Object.keys(baseOld),
    ...Object.keys(baseNew),
  ]);
  const baseSame = (p: string): boolean =>
    baseOld[p] === baseNew[p] && ancestors(p).every((q) => baseOld[q] === baseNew[q]);
  for (const p of paths) {
    // (b) the base did not change here (nor above): the learner's tree. A renamed file reads its
    // source's base, so it counts only if that did not change either.
    const change = changes.find((c) => c.path === p);
    if (baseSame(p) && (change?.from === undefined || baseSame(change.from))) {
      expect(after[p], `(b) ${p}\n${where}`).toBe(before[p]);
    }
    // (c) the learner changed nothing here, above or below: the new base.
    const touched =
      changed.has(p) ||
      sources.has(p) ||
      ancestors(p).some((q) => changed.has(q)) ||
      [...changed, ...sources].some((q) => q.startsWith(`${p}/`));
    if (!touched) expect(after[p], `(c) ${p}\n${where}`).toBe(baseNew[p]);
  }

  // Over a reopened upper (IndexedDB: a new connection), on the new base: the same tree.
  const again = await Overlay.create({ lowers: [v2()], upper: reopen(), chunkSize: 16 });
  expect(await flatten(again), `reopened\n${where}`).toEqual(after);
  await again.close();
  await ov.close();
}

describe('rebase (property)', () => {
  it('keeps, takes, merges or reports every learner change, as git would (memory upper)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => check(memoryUpper, s)),
      { numRuns: 150 },
    );
  });

  it('the same over an IndexedDB upper, reopened after the rebase', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => check(idbUpper('rebase-model'), s)),
      { numRuns: 40 },
    );
  });
});
