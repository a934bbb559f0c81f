/**
 * One differential case: the same lowers and ops against a fresh kernel overlay and against a
 * subject (Vellum), failing with a readable message at the first difference.
 *
 * Kept apart from the Vitest file so the harness can be checked against the kernel alone (a
 * second kernel mount as the subject, with or without injected faults).
 */

import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { Tree } from '../../src/tree.js';
import { KernelOverlay } from './mount.js';
import { applyOp, type FsLike, formatOp, formatOutcome, type Op, sameOutcome } from './ops.js';
import { diffSnapshots, snapshot } from './snapshot.js';

/** The thing compared against the kernel: an fs and the prefix its absolute paths need. */
export interface Subject {
  readonly fs: FsLike;
  readonly root: string;
  dispose?(): Promise<void>;
}

/**
 * The kernel creates files with the process umask; Vellum applies 022 by default. Node can
 * set the umask only on the main thread (not in worker threads), so elsewhere it is checked.
 */
export function ensureUmask022(): void {
  try {
    process.umask(0o022);
    return;
  } catch {
    // Worker thread: fall through and read it.
  }
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const umask = /^Umask:\s*([0-7]+)$/m.exec(status)?.[1];
  if (umask === undefined || Number.parseInt(umask, 8) !== 0o022) {
    throw new Error(
      `the process umask is ${umask ?? 'unknown'}, not 0022, and cannot be set from this thread`,
    );
  }
}

/**
 * Mounts `lowers`, builds the subject over the same trees, applies every op to both and
 * requires the same outcome after each, then the same final tree. Always unmounts.
 */
export async function compareWithKernel(
  lowers: readonly Tree[],
  ops: readonly Op[],
  makeSubject: (lowers: readonly Tree[]) => Promise<Subject>,
  label = 'vellum',
): Promise<void> {
  ensureUmask022();
  const kernel = await KernelOverlay.create(lowers);
  let subject: Subject | undefined;
  try {
    subject = await makeSubject(lowers);
    const { fs: sfs, root } = subject;
    const labels = ['kernel', label] as const;
    for (const [i, op] of ops.entries()) {
      const expected = await applyOp(fsp, kernel.mountPoint, op);
      const actual = await applyOp(sfs, root, op);
      if (!sameOutcome(expected, actual)) {
        // The trees right after the diverging op usually show why.
        const diff = diffSnapshots(await snapshot(fsp, kernel.mountPoint), await snapshot(sfs, root), labels);
        throw new Error(
          `op #${i} ${formatOp(op)}: kernel ${formatOutcome(expected)}, ${label} ${formatOutcome(actual)}` +
            (diff ? `\ntrees after this op differ:\n${diff}` : '\ntrees after this op are equal'),
        );
      }
    }
    const diff = diffSnapshots(await snapshot(fsp, kernel.mountPoint), await snapshot(sfs, root), labels);
    if (diff) throw new Error(`all ${ops.length} ops agreed, but the final trees differ:\n${diff}`);
  } finally {
    try {
      await subject?.dispose?.();
    } finally {
      await kernel.dispose();
    }
  }
}
