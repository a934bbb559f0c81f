/**
 * fsck for any upper: the structure of its records, checked from `load()`.
 * What the kernel's upper directory guarantees by being a directory tree, a
 * record store must be checked for: every entry's parent and child exist,
 * nothing stored is unreachable, link counts and chunk ranges agree.
 */
import { ROOT_INO } from './inode.js';
import type { UpperInode, UpperProblem, UpperSnapshot } from './layer.js';
import { getOrInsert } from './map.js';

/**
 * What `ov.fsck()` found.
 *
 * @example
 * ```ts
 * const report = await ov.fsck();
 * if (!report.ok) for (const p of report.problems) console.warn(p.kind, p.message);
 * ```
 */
export interface FsckReport {
  /** No problems. */
  ok: boolean;
  /** Every problem found, in the records' structure and in the upper's own storage. */
  problems: UpperProblem[];
  /** What the upper holds. */
  counts: {
    /** Inode records. */
    inodes: number;
    /** Directory entries, whiteouts included. */
    dirents: number;
    /** Whiteouts. */
    whiteouts: number;
    /** Stored chunks of file data. */
    chunks: number;
  };
}

const LOWER_INO_START = 2 ** 32;

/** Every structural problem of a snapshot of an upper built with chunks of `chunkSize` bytes. */
export function checkSnapshot(snapshot: UpperSnapshot, chunkSize: number): FsckReport {
  const problems: UpperProblem[] = [];
  const report = (kind: string, message: string): void => {
    problems.push({ kind, message });
  };
  const inodes = new Map<number, UpperInode>();
  for (const rec of snapshot.inodes) inodes.set(rec.ino, rec);
  const byParent = new Map<number, { name: string; ino: number | null }[]>();
  let dirents = 0;
  let whiteouts = 0;
  for (const d of snapshot.dirents) {
    dirents++;
    if (d.ino === null) whiteouts++;
    getOrInsert(byParent, d.parent, () => []).push(d);
  }

  // Walk from the root: what the walk does not reach, replay never shows.
  const names = new Map<number, number>();
  const reached = new Set<number>([ROOT_INO]);
  const stack = [ROOT_INO];
  while (stack.length > 0) {
    const parent = stack.pop() as number;
    for (const { name, ino } of byParent.get(parent) ?? []) {
      if (ino === null) continue;
      const rec = inodes.get(ino);
      if (!rec) {
        report(
          'dangling-dirent',
          `entry '${name}' of directory ${parent} names inode ${ino}, which is not stored`,
        );
        continue;
      }
      names.set(ino, (names.get(ino) ?? 0) + 1);
      if (rec.kind !== 'dir') continue;
      if (reached.has(ino)) {
        report(
          'dir-linked-twice',
          `directory ${ino} has more than one name (again as '${name}' in ${parent})`,
        );
        continue;
      }
      reached.add(ino);
      stack.push(ino);
    }
  }
  for (const [parent, entries] of byParent) {
    if (reached.has(parent)) continue;
    const rec = inodes.get(parent);
    const why = !rec ? 'is not stored' : rec.kind !== 'dir' ? 'is not a directory' : 'is unreachable';
    report('missing-parent', `${entries.length} entries have parent ${parent}, which ${why}`);
  }

  const nextIno = snapshot.meta?.nextIno;
  for (const rec of inodes.values()) {
    if (rec.ino === ROOT_INO) continue;
    // A copy of a lower object (`origin` another object's number, see `isCopy`) is born in the upper too.
    const bornUpper = rec.origin === undefined || rec.origin !== rec.ino;
    const linked = names.get(rec.ino) ?? 0;
    if (rec.kind === 'dir') {
      if (!reached.has(rec.ino)) report('orphan-inode', `directory ${rec.ino} has no name`);
    } else if (bornUpper) {
      // A copied-up lower object may keep all its names in lower directories; an upper-born one may not.
      if (linked === 0) {
        report('orphan-inode', `${rec.kind} ${rec.ino} has no name (an unlinked file still open, or lost)`);
      } else if (rec.nlink !== linked) {
        report('nlink-mismatch', `${rec.kind} ${rec.ino} records nlink ${rec.nlink} but has ${linked} names`);
      }
    }
    if (bornUpper && rec.ino < LOWER_INO_START && nextIno !== undefined && rec.ino >= nextIno) {
      report('ino-past-next', `inode ${rec.ino} is not below the next inode number ${nextIno}`);
    }
  }

  let chunks = 0;
  for (const { ino, index } of snapshot.chunks) {
    chunks++;
    const rec = inodes.get(ino);
    if (rec?.kind !== 'file') {
      report(
        'orphan-chunk',
        `chunk ${index} of inode ${ino}, which is ${rec ? `a ${rec.kind}` : 'not stored'}`,
      );
    } else if (index * chunkSize >= (rec.size ?? 0)) {
      report('chunk-past-eof', `chunk ${index} of file ${ino} starts past its size ${rec.size ?? 0}`);
    } else if (rec.metacopy) {
      report('metacopy-chunk', `file ${ino} is metadata-only but stores chunk ${index}`);
    }
  }
  return { ok: problems.length === 0, problems, counts: { inodes: inodes.size, dirents, whiteouts, chunks } };
}
