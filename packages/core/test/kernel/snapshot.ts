/**
 * What a merged tree looks like, reduced to what must be identical between the kernel and
 * Vellum: types, contents, permission bits, symlink targets, link counts, which names share
 * an inode, and mtimes where they are deterministic.
 *
 * Left out on purpose: inode numbers themselves, devices, sizes of directories, atimes and
 * ctimes, and the mount root (its metadata comes from how the upper dir was made).
 */
import { createHash } from 'node:crypto';
import { errorCode, type FsLike, type StatLike, TIME_LIMIT_MS } from './ops.js';

export type EntrySnapshot =
  | {
      type: 'file';
      mode: string;
      nlink: number;
      mtime: string;
      content: string;
      /** Other paths with the same st_ino (hard links), when there are any. */
      sameInode?: string[];
    }
  | { type: 'dir'; mode: string; nlink: number; mtime: string }
  | { type: 'symlink'; target: string; sameInode?: string[] }
  | { type: 'other'; mode: string }
  /** A call that failed while walking: a listed name that cannot be stat'ed, and so on. */
  | { type: 'error'; call: string; code: string };

const perm = (st: StatLike): string => `0o${(st.mode & 0o7777).toString(8).padStart(3, '0')}`;

/**
 * Times before TIME_LIMIT_MS were set deliberately (tree metadata, utimes) and must match to
 * the millisecond; later ones were stamped by a change at "now" and can only be said to be
 * recent.
 */
const mtimeOf = (st: StatLike): string =>
  st.mtimeMs < TIME_LIMIT_MS ? new Date(st.mtimeMs).toISOString() : 'recent';

function describeContent(data: Uint8Array): string {
  if (data.length > 64) {
    const hash = createHash('sha256').update(data).digest('hex').slice(0, 16);
    return `${data.length} bytes, sha256 ${hash}…`;
  }
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(data);
  // Printable ASCII (plus newline) reads as text; anything else as hex so that no byte hides.
  return /^[\x20-\x7e\n]*$/.test(decoded)
    ? JSON.stringify(decoded)
    : `hex ${Buffer.from(data).toString('hex')}`;
}

/** Walks the merged tree under `root` (see applyOp for `root`); keys are absolute paths, sorted. */
export async function snapshot(fs: FsLike, root: string): Promise<Record<string, EntrySnapshot>> {
  const entries = new Map<string, EntrySnapshot>();
  const inodes = new Map<number, string[]>(); // st_ino -> paths, non-directories only

  const attempt = async <T>(path: string, call: string, f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (err) {
      entries.set(path, { type: 'error', call, code: errorCode(err) });
      return undefined;
    }
  };

  const visit = async (path: string): Promise<void> => {
    const full = root + path;
    const st = await attempt(path, 'lstat', () => fs.lstat(full));
    if (st === undefined) return;
    if (st.isDirectory()) {
      entries.set(path, { type: 'dir', mode: perm(st), nlink: st.nlink, mtime: mtimeOf(st) });
      await walkDir(path);
      return;
    }
    if (st.isFile()) {
      const data = await attempt(path, 'readFile', () => fs.readFile(full));
      if (data === undefined) return;
      entries.set(path, {
        type: 'file',
        mode: perm(st),
        nlink: st.nlink,
        mtime: mtimeOf(st),
        content: describeContent(data),
      });
    } else if (st.isSymbolicLink()) {
      const target = await attempt(path, 'readlink', () => fs.readlink(full));
      if (target === undefined) return;
      entries.set(path, { type: 'symlink', target });
    } else {
      entries.set(path, { type: 'other', mode: `0o${st.mode.toString(8)}` });
      return;
    }
    const same = inodes.get(st.ino) ?? [];
    same.push(path);
    inodes.set(st.ino, same);
  };

  const walkDir = async (path: string): Promise<void> => {
    const names = await attempt(path, 'readdir', () => fs.readdir(root + (path === '' ? '/' : path)));
    if (names === undefined) return;
    // The kernel's readdir order is its own; only the set of names matters.
    for (const name of [...names].sort()) await visit(`${path}/${name}`);
  };

  await walkDir('');

  for (const paths of inodes.values()) {
    if (paths.length < 2) continue;
    for (const p of paths) {
      const entry = entries.get(p);
      if (entry?.type === 'file' || entry?.type === 'symlink') entry.sameInode = paths.filter((q) => q !== p);
    }
  }
  const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(sorted);
}

/** A readable list of differences, or '' when the snapshots are equal. */
export function diffSnapshots(
  expected: Record<string, EntrySnapshot>,
  actual: Record<string, EntrySnapshot>,
  labels: readonly [string, string] = ['kernel', 'vellum'],
): string {
  const paths = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  const lines: string[] = [];
  const show = (e: EntrySnapshot | undefined): string => (e === undefined ? '(absent)' : JSON.stringify(e));
  for (const p of paths) {
    const a = expected[p];
    const b = actual[p];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    lines.push(`${p}\n    ${labels[0]}: ${show(a)}\n    ${labels[1]}: ${show(b)}`);
  }
  return lines.join('\n');
}

/** The whole snapshot, one path a line, for printing a state. */
export function formatSnapshot(snap: Record<string, EntrySnapshot>): string {
  return Object.entries(snap)
    .map(([p, e]) => `${p} ${JSON.stringify(e)}`)
    .join('\n');
}
