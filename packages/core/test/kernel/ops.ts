/**
 * A small filesystem operation language, as plain data, that runs unchanged against the
 * kernel's overlay mount and against Vellum, plus fast-check arbitraries for lower trees and
 * op sequences.
 *
 * Names come from a tiny pool (a, b, c, d; at most three levels deep; ops also use e, which
 * no lower has) so that generated ops keep hitting entries of the lowers: collisions are
 * where overlay semantics live.
 *
 * Constraints that keep the two sides comparable:
 * - symlink targets are relative and never climb (`..`): from the mount root the kernel would
 *   resolve `..` outside the mount, while Vellum's `/..` is `/`;
 * - times are whole seconds in 2000–2009, so the snapshot can tell an mtime set on purpose
 *   (lower trees, utimes) from one stamped with "now" by a change;
 * - modes avoid setuid/setgid: their side effects (sgid inheritance, suid clearing) depend
 *   on credentials, not on overlay semantics.
 */
import fc from 'fast-check';
import {
  describeNode,
  dir,
  file,
  hardlink,
  symlink,
  type Tree,
  type TreeNode,
  whiteout,
} from '../../src/tree.js';

// ---------------------------------------------------------------------------------------------
// Vocabulary

export const NAMES = ['a', 'b', 'c', 'd'] as const;
export type Name = (typeof NAMES)[number];
export const MAX_DEPTH = 3;

const bigData = (length: number, seed: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return out;
};
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * File contents by name, so ops and trees print as `DATA.big` instead of 70 000 numbers. The
 * big ones straddle 64 KiB so that partial writes and truncates cross a chunk boundary.
 */
export const DATA = {
  empty: text(''),
  x: text('x'),
  hello: text('hello'),
  line: text('hello world\n'),
  bin: Uint8Array.from([0xff, 0x00, 0xfe, 0x01]),
  big: bigData(70_000, 7),
  big2: bigData(65_537, 99),
} as const satisfies Record<string, Uint8Array>;
export type DataKey = keyof typeof DATA;
const DATA_KEYS = Object.keys(DATA) as DataKey[];

/** Whole seconds; anything set by the tests lies before TIME_LIMIT_MS, anything stamped "now" after. */
export const TIME_MIN_S = Date.UTC(2000, 0, 1) / 1000;
export const TIME_MAX_S = Date.UTC(2010, 0, 1) / 1000 - 1;
export const TIME_LIMIT_MS = Date.UTC(2010, 0, 1);

export const TRUNCATE_LENGTHS = [0, 1, 3, 100, 65_536, 70_001] as const;

// ---------------------------------------------------------------------------------------------
// Ops

export type Op =
  | { readonly op: 'mkdir'; readonly path: string; readonly mode?: number }
  | { readonly op: 'writeFile'; readonly path: string; readonly data: DataKey }
  | { readonly op: 'appendFile'; readonly path: string; readonly data: DataKey }
  | { readonly op: 'truncate'; readonly path: string; readonly len: number }
  | { readonly op: 'unlink'; readonly path: string }
  | { readonly op: 'rmdir'; readonly path: string }
  /** `rm(path, { recursive: true })` without `force`, so a missing path still says ENOENT. */
  | { readonly op: 'rm'; readonly path: string }
  | { readonly op: 'rename'; readonly from: string; readonly to: string }
  | { readonly op: 'symlink'; readonly target: string; readonly path: string }
  | { readonly op: 'link'; readonly existing: string; readonly path: string }
  | { readonly op: 'chmod'; readonly path: string; readonly mode: number }
  /** Whole seconds since the epoch. */
  | { readonly op: 'utimes'; readonly path: string; readonly atime: number; readonly mtime: number };

export type Outcome = { ok: true } | { ok: false; code: string };

/** The stat fields the harness reads; node:fs Stats and Vellum's stats both have them. */
export interface StatLike {
  mode: number;
  nlink: number;
  ino: number;
  mtimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * The slice of node:fs/promises the harness calls, in the exact call shapes it uses, so both
 * `node:fs/promises` and a Vellum `Overlay` satisfy it structurally.
 */
export interface FsLike {
  mkdir(path: string, options?: { mode?: number }): Promise<unknown>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  appendFile(path: string, data: Uint8Array): Promise<void>;
  truncate(path: string, len?: number): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void>;
  rename(oldPath: string, newPath: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  link(existingPath: string, newPath: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  utimes(path: string, atime: number, mtime: number): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  readdir(path: string): Promise<string[]>;
  lstat(path: string): Promise<StatLike>;
  readlink(path: string): Promise<string>;
}

/**
 * Runs one op. `root` is prefixed to every path: '' for Vellum (whose paths are already
 * absolute), the mount point for the kernel. Errors become their `code`; an error without one
 * is a bug on that side and is reported as such instead of being thrown.
 */
export async function applyOp(fs: FsLike, root: string, op: Op): Promise<Outcome> {
  const p = (x: string): string => root + x;
  try {
    switch (op.op) {
      case 'mkdir':
        await (op.mode === undefined ? fs.mkdir(p(op.path)) : fs.mkdir(p(op.path), { mode: op.mode }));
        break;
      case 'writeFile':
        await fs.writeFile(p(op.path), DATA[op.data]);
        break;
      case 'appendFile':
        await fs.appendFile(p(op.path), DATA[op.data]);
        break;
      case 'truncate':
        await fs.truncate(p(op.path), op.len);
        break;
      case 'unlink':
        await fs.unlink(p(op.path));
        break;
      case 'rmdir':
        await fs.rmdir(p(op.path));
        break;
      case 'rm':
        await fs.rm(p(op.path), { recursive: true });
        break;
      case 'rename':
        await fs.rename(p(op.from), p(op.to));
        break;
      case 'symlink':
        await fs.symlink(op.target, p(op.path));
        break;
      case 'link':
        await fs.link(p(op.existing), p(op.path));
        break;
      case 'chmod':
        await fs.chmod(p(op.path), op.mode);
        break;
      case 'utimes':
        await fs.utimes(p(op.path), op.atime, op.mtime);
        break;
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, code: errorCode(err) };
  }
}

/** `err.code`, or a loud marker for errors that are not Node-shaped. */
export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `NO_CODE(${text})`;
}

export function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.ok ? b.ok : !b.ok && a.code === b.code;
}

export function formatOutcome(o: Outcome): string {
  return o.ok ? 'ok' : o.code;
}

// ---------------------------------------------------------------------------------------------
// Printing: ops and trees print as code that could be pasted into a regression test.

const octal = (mode: number): string => `0o${mode.toString(8)}`;
const str = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function dataLiteral(data: Uint8Array): string {
  for (const key of DATA_KEYS) {
    const known = DATA[key];
    if (known.length === data.length && known.every((b, i) => b === data[i])) {
      return key === 'empty' || key === 'x' || key === 'hello' || key === 'line'
        ? JSON.stringify(new TextDecoder().decode(known))
        : `DATA.${key}`;
    }
  }
  return `Uint8Array.from([${Array.from(data).join(', ')}])`;
}

export function formatOp(op: Op): string {
  switch (op.op) {
    case 'mkdir':
      return op.mode === undefined
        ? `mkdir(${str(op.path)})`
        : `mkdir(${str(op.path)}, { mode: ${octal(op.mode)} })`;
    case 'writeFile':
    case 'appendFile':
      return `${op.op}(${str(op.path)}, ${dataLiteral(DATA[op.data])})`;
    case 'truncate':
      return `truncate(${str(op.path)}, ${op.len})`;
    case 'unlink':
    case 'rmdir':
      return `${op.op}(${str(op.path)})`;
    case 'rm':
      return `rm(${str(op.path)}, { recursive: true })`;
    case 'rename':
      return `rename(${str(op.from)}, ${str(op.to)})`;
    case 'symlink':
      return `symlink(${str(op.target)}, ${str(op.path)})`;
    case 'link':
      return `link(${str(op.existing)}, ${str(op.path)})`;
    case 'chmod':
      return `chmod(${str(op.path)}, ${octal(op.mode)})`;
    case 'utimes':
      return `utimes(${str(op.path)}, ${op.atime}, ${op.mtime})`;
  }
}

export function formatOps(ops: readonly Op[]): string {
  return `[\n${ops.map((op) => `  ${formatOp(op)},\n`).join('')}]`;
}

function metaLiteral(m: {
  mode?: number;
  mtimeMs?: number;
  uid?: number;
  gid?: number;
  opaque?: boolean;
}): string {
  const parts: string[] = [];
  if (m.opaque) parts.push('opaque: true');
  if (m.mode !== undefined) parts.push(`mode: ${octal(m.mode)}`);
  if (m.mtimeMs !== undefined) parts.push(`mtimeMs: ${m.mtimeMs}`);
  if (m.uid !== undefined) parts.push(`uid: ${m.uid}`);
  if (m.gid !== undefined) parts.push(`gid: ${m.gid}`);
  return parts.length === 0 ? '' : `, { ${parts.join(', ')} }`;
}

/** A tree as a literal built with the tree.ts helpers. */
export function formatTree(tree: Tree, indent = ''): string {
  const entries = Object.entries(tree);
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  const lines = entries.map(([name, node]) => `${inner}${name}: ${formatNode(node, inner)},\n`);
  return `{\n${lines.join('')}${indent}}`;
}

function formatNode(node: TreeNode, indent: string): string {
  const d = describeNode(node);
  switch (d.kind) {
    case 'file':
      return `file(${dataLiteral(d.data)}${metaLiteral(d)})`;
    case 'dir':
      return `dir(${formatTree(d.children, indent)}${metaLiteral(d)})`;
    case 'symlink':
      return `symlink(${str(d.target)}${metaLiteral(d)})`;
    case 'hardlink':
      return `hardlink(${str(d.target)})`;
    case 'whiteout':
      return 'whiteout()';
  }
}

export function formatLowers(lowers: readonly Tree[]): string {
  return `[ // lowers[0] is the top lower\n${lowers.map((t) => `  ${formatTree(t, '  ')},\n`).join('')}]`;
}

/** Attaches fast-check's printing hook without making it an enumerable (data) property. */
function printable<T extends object>(value: T, print: (v: T) => string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => print(value), enumerable: false });
  return value;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** `arb` with probability some/(some+nil), else undefined; shrinks towards undefined. */
function maybe<T>(arb: fc.Arbitrary<T>, nil: number, some: number): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { withCrossShrink: true },
    { weight: nil, arbitrary: fc.constant(undefined) },
    { weight: some, arbitrary: arb },
  );
}

/** A common value most of the time, one of the others sometimes; shrinks to the common one. */
function mostly<T>(common: T, others: readonly T[], commonWeight = 3): fc.Arbitrary<T> {
  return fc.oneof(
    { withCrossShrink: true },
    { weight: commonWeight, arbitrary: fc.constant(common) },
    { weight: 1, arbitrary: fc.constantFrom(...others) },
  );
}

const nameArb: fc.Arbitrary<Name> = fc.constantFrom(...NAMES);
const timeArb = fc.integer({ min: TIME_MIN_S, max: TIME_MAX_S });
const dataKeyArb: fc.Arbitrary<DataKey> = fc.constantFrom(...DATA_KEYS);
const fileModeArb = mostly(0o644, [0o600, 0o640, 0o664, 0o755, 0o700, 0o444]);
const dirModeArb = mostly(0o755, [0o700, 0o750, 0o777, 0o1777, 0o555]);
const chmodModeArb = fc.constantFrom(0o644, 0o600, 0o755, 0o700, 0o444, 0o555, 0o777, 0o1777, 0o640);

/**
 * Ops may also name `e`, which no lower has: an entry that only ever exists in the upper.
 * It is rarer than the shared names, except as the last name of a destination (mkdir,
 * symlink, link, rename's target, writeFile), where a free name lets the op succeed.
 */
export const OP_ONLY_NAME = 'e';
const opNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: nameArb },
  { weight: 1, arbitrary: fc.constant(OP_ONLY_NAME) },
);
const destNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nameArb },
  { weight: 1, arbitrary: fc.constant(OP_ONLY_NAME) },
);

/**
 * An absolute path of 1–3 names; short ones are likelier, they collide more. Sometimes it ends
 * in '/': a lookup then wants a directory (following a symlink there), while a call that acts
 * on the name itself (mkdir, unlink, rename, …) does not follow it.
 */
function opPathArb(last: fc.Arbitrary<string>, slash = true): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.tuple(last) },
        { weight: 3, arbitrary: fc.tuple(opNameArb, last) },
        { weight: 1, arbitrary: fc.tuple(opNameArb, opNameArb, last) },
      ),
      slash ? mostly('', ['/'], 9) : fc.constant(''),
    )
    .map(([names, tail]) => `/${names.join('/')}${tail}`);
}
/** A path that should name something existing. */
export const pathArb: fc.Arbitrary<string> = opPathArb(opNameArb);
/**
 * ... without a trailing slash, for `rm`: Node's own two answers differ there. On 'link/' to a
 * directory `rmSync` says ENOTDIR (rmdir of the symlink), `fs.promises.rm` resolves having
 * removed nothing (its callback rimraf passes on a null error); Vellum says ENOTDIR to both.
 */
const rmPathArb: fc.Arbitrary<string> = opPathArb(opNameArb, false);
/** A path that an op creates. */
export const destPathArb: fc.Arbitrary<string> = opPathArb(destNameArb);

/**
 * Relative, never climbing, often dangling: pool names resolve next to the link (a directory
 * when the sibling is one), `zz` never exists, and a link may name itself (ELOOP). Some end in
 * '/' or '/.', which the kernel reads as "a directory": through such a link a file is ENOTDIR
 * (EISDIR for a write that creates), a missing name ENOENT or EISDIR.
 */
const symlinkTargetArb: fc.Arbitrary<string> = fc.oneof(
  nameArb,
  fc.tuple(nameArb, nameArb).map(([x, y]) => `${x}/${y}`),
  fc.constantFrom('zz', 'a/zz'),
  fc
    .tuple(
      fc.oneof(
        nameArb,
        fc.tuple(nameArb, nameArb).map(([x, y]) => `${x}/${y}`),
        fc.constant('zz'),
      ),
      fc.constantFrom('/', '/.'),
    )
    .map(([x, tail]) => `${x}${tail}`),
);

function fileNodeArb(): fc.Arbitrary<TreeNode> {
  return fc
    .record({ data: dataKeyArb, mode: fileModeArb, mtime: timeArb })
    .map(({ data, mode, mtime }) => file(DATA[data], { mode, mtimeMs: mtime * 1000 }));
}

function symlinkNodeArb(): fc.Arbitrary<TreeNode> {
  return symlinkTargetArb.map((target) => symlink(target));
}

/**
 * Entries at `depth` (1 = top level). `canHide`: this lower has a lower below it, so
 * whiteouts and opaque dirs mean something.
 */
function entryArb(depth: number, canHide: boolean): fc.Arbitrary<TreeNode> {
  const choices: Array<fc.WeightedArbitrary<TreeNode>> = [
    { weight: 4, arbitrary: fileNodeArb() },
    { weight: 1, arbitrary: symlinkNodeArb() },
  ];
  if (depth < MAX_DEPTH) {
    choices.push({ weight: depth === 1 ? 6 : 3, arbitrary: dirNodeArb(depth, canHide) });
  }
  if (canHide) choices.push({ weight: 1, arbitrary: fc.constant(whiteout()) });
  return fc.oneof(...choices);
}

function dirNodeArb(depth: number, canHide: boolean): fc.Arbitrary<TreeNode> {
  return fc
    .record({
      children: childrenArb(depth + 1, canHide),
      mode: dirModeArb,
      mtime: timeArb,
      opaque: canHide ? mostly(false, [true], 6) : fc.constant(false),
    })
    .map(({ children, mode, mtime, opaque }) =>
      dir(children, opaque ? { opaque, mode, mtimeMs: mtime * 1000 } : { mode, mtimeMs: mtime * 1000 }),
    );
}

function childrenArb(depth: number, canHide: boolean): fc.Arbitrary<Tree> {
  // Dense, so that op paths (same pool, same depths) often resolve; the last level a bit sparser.
  const [nil, some] = depth < MAX_DEPTH ? [1, 2] : [1, 1];
  const slots: Record<string, fc.Arbitrary<TreeNode | undefined>> = {};
  for (const name of NAMES) slots[name] = maybe(entryArb(depth, canHide), nil, some);
  return fc.record(slots).map((r) => {
    const tree: Tree = {};
    for (const name of NAMES) {
      const node = r[name];
      if (node !== undefined) tree[name] = node;
    }
    return tree;
  });
}

/** "Add a hard link named `name` in the `dirPick`-th directory to the `filePick`-th file". */
interface LinkIntent {
  dirPick: number;
  name: Name;
  filePick: number;
}

/**
 * Resolves link intents against a tree, producing a new tree (generated values are shared
 * between shrink candidates, so they must never be mutated). Intents that do not fit (no
 * file, name taken) are dropped, so every shrunk tree is still valid.
 */
function addHardlinks(tree: Tree, intents: readonly LinkIntent[]): Tree {
  if (intents.length === 0) return tree;
  const out = cloneTree(tree);
  for (const intent of intents) {
    const files: string[] = [];
    const dirs: Array<{ path: string; children: Tree }> = [{ path: '', children: out }];
    const walk = (prefix: string, t: Tree): void => {
      for (const [name, node] of Object.entries(t)) {
        const d = describeNode(node);
        if (d.kind === 'file') files.push(`${prefix}/${name}`);
        if (d.kind === 'dir') {
          dirs.push({ path: `${prefix}/${name}`, children: d.children });
          walk(`${prefix}/${name}`, d.children);
        }
      }
    };
    walk('', out);
    if (files.length === 0) continue;
    const target = dirs[intent.dirPick % dirs.length];
    if (intent.name in target.children) continue;
    target.children[intent.name] = hardlink(files[intent.filePick % files.length]);
  }
  return out;
}

/** A deep copy in which every directory's children object is fresh (and plain-object dirs become dir()). */
function cloneTree(tree: Tree): Tree {
  const out: Tree = {};
  for (const [name, node] of Object.entries(tree)) {
    const d = describeNode(node);
    out[name] =
      d.kind === 'dir'
        ? dir(cloneTree(d.children), {
            ...(d.opaque ? { opaque: true } : {}),
            ...(d.mode !== undefined ? { mode: d.mode } : {}),
            ...(d.mtimeMs !== undefined ? { mtimeMs: d.mtimeMs } : {}),
            ...(d.atimeMs !== undefined ? { atimeMs: d.atimeMs } : {}),
            ...(d.uid !== undefined ? { uid: d.uid } : {}),
            ...(d.gid !== undefined ? { gid: d.gid } : {}),
          })
        : node;
  }
  return out;
}

const linkIntentsArb: fc.Arbitrary<LinkIntent[]> = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.constant<LinkIntent[]>([]) },
  {
    weight: 1,
    arbitrary: fc.array(fc.record({ dirPick: fc.nat(20), name: nameArb, filePick: fc.nat(20) }), {
      minLength: 1,
      maxLength: 2,
    }),
  },
);

function layerArb(canHide: boolean): fc.Arbitrary<Tree> {
  return fc
    .tuple(childrenArb(1, canHide), linkIntentsArb)
    .map(([tree, intents]) => addHardlinks(tree, intents));
}

/**
 * Removes whiteouts from directories that only one lower contributes to (no same-named
 * directory below, or the directory is opaque, or a non-directory sits below it).
 *
 * Such a whiteout hides nothing, and the kernel does not filter it: a directory served by
 * a single lower is listed straight from that lower (overlayfs only filters merged dirs and
 * dirs with an upper), so `readdir` shows the whiteout's name while `lstat` of it says
 * ENOENT. That is an artefact of malformed input, not a semantic Vellum should copy, so the
 * generator never produces it.
 */
export function dropUnmergedWhiteouts(lowers: readonly Tree[]): Tree[] {
  const out = lowers.map(cloneTree);
  const visit = (dirs: ReadonlyArray<Tree | undefined>): void => {
    const contributing = dirs.filter((d): d is Tree => d !== undefined);
    if (contributing.length === 1) {
      const only = contributing[0];
      for (const [name, node] of Object.entries(only))
        if (describeNode(node).kind === 'whiteout') delete only[name];
    }
    const names = new Set(contributing.flatMap((d) => Object.keys(d)));
    for (const name of names) {
      // Lookup of `name`, top layer first, as overlayfs does it (§1 of overlay-semantics.md).
      const childDirs: Array<Tree | undefined> = dirs.map(() => undefined);
      for (let i = 0; i < dirs.length; i++) {
        const node = dirs[i]?.[name];
        if (node === undefined) continue;
        const d = describeNode(node);
        if (d.kind !== 'dir') break; // a whiteout or a non-directory ends the merge
        childDirs[i] = d.children;
        if (d.opaque) break;
      }
      if (childDirs.some((d) => d !== undefined)) visit(childDirs);
    }
  };
  visit(out);
  return out;
}

/**
 * 2 or 3 lowers, top first. Whiteouts and opaque dirs only in lowers that have one below.
 * Prints as a literal of tree.ts helpers.
 */
export const lowerTreeArb: fc.Arbitrary<Tree[]> = fc
  .oneof(fc.tuple(layerArb(true), layerArb(false)), fc.tuple(layerArb(true), layerArb(true), layerArb(false)))
  .map((lowers): Tree[] => printable(dropUnmergedWhiteouts(lowers), formatLowers));

const opArbs: Array<fc.WeightedArbitrary<Op>> = [
  {
    weight: 3,
    arbitrary: fc
      .record({ path: destPathArb, data: dataKeyArb })
      .map(({ path, data }): Op => ({ op: 'writeFile', path, data })),
  },
  {
    weight: 1,
    // Never an empty append: on a file copied up for metadata only, the kernel's data
    // copy-up at open(O_APPEND) stamps mtime with "now" although nothing is written,
    // against overlay-semantics.md §4 (copy-up keeps mtime). Vellum keeps the mtime.
    arbitrary: fc
      .record({ path: pathArb, data: dataKeyArb.filter((key) => key !== 'empty') })
      .map(({ path, data }): Op => ({ op: 'appendFile', path, data })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ path: pathArb, len: fc.constantFrom(...TRUNCATE_LENGTHS) })
      .map(({ path, len }): Op => ({ op: 'truncate', path, len })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ path: destPathArb, mode: maybe(fc.constantFrom(0o700, 0o777, 0o1777, 0o750), 3, 1) })
      .map(
        ({ path, mode }): Op => (mode === undefined ? { op: 'mkdir', path } : { op: 'mkdir', path, mode }),
      ),
  },
  { weight: 2, arbitrary: pathArb.map((path): Op => ({ op: 'unlink', path })) },
  { weight: 2, arbitrary: pathArb.map((path): Op => ({ op: 'rmdir', path })) },
  { weight: 1, arbitrary: rmPathArb.map((path): Op => ({ op: 'rm', path })) },
  {
    weight: 4,
    arbitrary: fc
      .record({ from: pathArb, to: destPathArb })
      .map(({ from, to }): Op => ({ op: 'rename', from, to })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ target: symlinkTargetArb, path: destPathArb })
      .map(({ target, path }): Op => ({ op: 'symlink', target, path })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ existing: pathArb, path: destPathArb })
      .map(({ existing, path }): Op => ({ op: 'link', existing, path })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ path: pathArb, mode: chmodModeArb })
      .map(({ path, mode }): Op => ({ op: 'chmod', path, mode })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ path: pathArb, atime: timeArb, mtime: timeArb })
      .map(({ path, atime, mtime }): Op => ({ op: 'utimes', path, atime, mtime })),
  },
];

export const opArb: fc.Arbitrary<Op> = fc.oneof(...opArbs).map((op) => printable(op, formatOp));

/**
 * 25–40 ops. Each slot may also be empty, almost never when generating but as a shrink
 * target, so a counterexample can shrink below the minimum length down to the ops that matter.
 */
export const opsArb: fc.Arbitrary<Op[]> = fc
  .array(maybe(opArb, 1, 200), { minLength: 25, maxLength: 40 })
  .map((slots) =>
    printable(
      slots.filter((op): op is Op => op !== undefined),
      formatOps,
    ),
  );
