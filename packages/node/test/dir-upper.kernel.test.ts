/**
 * DirUpper and the kernel read each other's upperdirs.
 *
 * - Vellum → kernel: random lowers (the kernel differential's generator) written to disk,
 *   Vellum (DirLayer lowers, DirUpper) runs random operations, then `mount -t overlay` over the
 *   same lowers with that upperdir and workdir must show the tree Vellum showed. Vellum
 *   reopening the same upperdir must show it too.
 * - kernel → Vellum: the kernel runs random operations on a fresh upper, is unmounted, and
 *   Vellum opening that upperdir as a DirUpper must show the tree the kernel showed.
 *
 * Needs Linux, root and overlayfs; elsewhere it is skipped and says why.
 * VELLUM_DIFF_RUNS sets the number of cases (60 each by default), VELLUM_DIFF_SEED and
 * VELLUM_DIFF_PATH replay a failure.
 */
import { execFileSync } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Overlay } from '@vellum/core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Tree } from '../../core/src/tree.js';
import { ensureUmask022 } from '../../core/test/kernel/compare.js';
import {
  canMountOverlay,
  DEFAULT_DIR_MODE,
  KernelOverlay,
  OVERLAY_OPTIONS,
  writeTree,
} from '../../core/test/kernel/mount.js';
import { applyOp, formatOps, lowerTreeArb, type Op, opsArb } from '../../core/test/kernel/ops.js';
import { diffSnapshots, formatSnapshot, snapshot } from '../../core/test/kernel/snapshot.js';
import { DirLayer, DirUpper } from '../src/index.js';

const mountCheck = canMountOverlay();
if (!mountCheck.ok)
  console.warn(`dir-upper kernel tests: skipped, cannot mount overlayfs: ${mountCheck.reason}`);

const numRuns = Number(process.env.VELLUM_DIFF_RUNS ?? 60);
const seed = process.env.VELLUM_DIFF_SEED === undefined ? undefined : Number(process.env.VELLUM_DIFF_SEED);
const replayPath = process.env.VELLUM_DIFF_PATH;
const runOptions = {
  numRuns,
  ...(seed === undefined ? {} : { seed }),
  ...(replayPath === undefined ? {} : { path: replayPath }),
  includeErrorInReport: true,
  timeout: 60_000,
  interruptAfterTimeLimit: 6 * 60_000,
  markInterruptAsFailure: true,
};

function mount(lowerDirs: readonly string[], upper: string, work: string, mnt: string): void {
  const opts = `lowerdir=${lowerDirs.join(':')},upperdir=${upper},workdir=${work},${OVERLAY_OPTIONS}`;
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', opts, mnt], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function umount(mnt: string): void {
  execFileSync('umount', [mnt], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Vellum over DirLayers of `lowerDirs` and a DirUpper in `upper`/`work`. */
async function openVellum(lowerDirs: readonly string[], upper: string, work: string) {
  const layers = await Promise.all(lowerDirs.map((d) => DirLayer.open(d)));
  const dirUpper = await DirUpper.open(upper, { workdir: work, lowers: layers });
  const ov = await Overlay.create({ lowers: layers, upper: dirUpper });
  return {
    ov,
    upper: dirUpper,
    close: async () => {
      await ov.close();
      await dirUpper.close();
      for (const l of layers) l.close();
    },
  };
}

async function vellumThenKernel(lowers: readonly Tree[], ops: readonly Op[]): Promise<void> {
  ensureUmask022();
  const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'vellum-dirupper-'));
  const lowerDirs = lowers.map((_, i) => path.join(base, `l${i}`));
  const [upper, work, mnt] = ['u', 'w', 'm'].map((d) => path.join(base, d));
  try {
    for (const d of [...lowerDirs, upper, work, mnt]) await fsp.mkdir(d);
    for (const d of [...lowerDirs, upper]) await fsp.chmod(d, DEFAULT_DIR_MODE);
    for (const [i, tree] of lowers.entries()) await writeTree(lowerDirs[i], tree);
    const first = await openVellum(lowerDirs, upper, work);
    for (const op of ops) {
      // An operation may fail as the kernel's would (ENOENT, ENOTEMPTY…), never because the upper could not store it.
      const outcome = await applyOp(first.ov, '', op);
      if (!outcome.ok && outcome.code === 'EIO')
        throw new Error(`DirUpper failed to store ${JSON.stringify(op)}`);
    }
    const vellum = await snapshot(first.ov, '');
    // Directories DirUpper copied up to hold a lower file's other names (see DirUpper.linkCopies):
    // merged on disk, so nlink 1 there, where the running overlay still says the lower's count.
    for (const [p, entry] of Object.entries(vellum)) {
      if (entry.type === 'dir' && first.upper.linkCopies.has((await first.ov.lstat(p)).ino)) entry.nlink = 1;
    }
    await first.close();

    const again = await openVellum(lowerDirs, upper, work);
    const reopened = await snapshot(again.ov, '');
    await again.close();
    const reopenDiff = diffSnapshots(vellum, reopened, ['vellum', 'vellum reopened']);
    if (reopenDiff) throw new Error(`Vellum reopening its DirUpper shows another tree:\n${reopenDiff}`);

    mount(lowerDirs, upper, work, mnt);
    let kernel: Awaited<ReturnType<typeof snapshot>>;
    try {
      kernel = await snapshot(fsp, mnt);
    } finally {
      umount(mnt);
    }
    const diff = diffSnapshots(kernel, vellum, ['kernel over the DirUpper', 'vellum']);
    if (diff) {
      const disk = execFileSync('sh', [
        '-c',
        `cd ${upper} && find . -printf '%y %m %n %p\\n' | sort`,
      ]).toString();
      throw new Error(`the kernel reads another tree from Vellum's upperdir:\n${diff}\nupperdir:\n${disk}`);
    }
  } finally {
    try {
      umount(mnt);
    } catch {
      // not mounted
    }
    await fsp.rm(base, { recursive: true, force: true });
  }
}

async function kernelThenVellum(lowers: readonly Tree[], ops: readonly Op[]): Promise<void> {
  ensureUmask022();
  const kernel = await KernelOverlay.create(lowers);
  try {
    for (const op of ops) await applyOp(fsp, kernel.mountPoint, op);
    const expected = await snapshot(fsp, kernel.mountPoint);
    umount(kernel.mountPoint);
    const lowerDirs = lowers.map((_, i) => path.join(kernel.baseDir, `l${i}`));
    const vellum = await openVellum(
      lowerDirs,
      path.join(kernel.baseDir, 'u'),
      path.join(kernel.baseDir, 'w'),
    );
    let actual: Awaited<ReturnType<typeof snapshot>>;
    try {
      actual = await snapshot(vellum.ov, '');
    } finally {
      await vellum.close();
    }
    const diff = diffSnapshots(expected, actual, ['kernel', 'vellum over the kernel upperdir']);
    if (diff)
      throw new Error(
        `Vellum reads another tree from the kernel's upperdir:\n${diff}\n(ops: ${formatOps(ops)})\n${formatSnapshot(actual)}`,
      );
  } finally {
    await kernel.dispose().catch(() => undefined); // already unmounted: only its directories go
  }
}

describe('DirUpper and Linux overlayfs read each other’s upperdir', () => {
  it.skipIf(!mountCheck.ok)(
    `Vellum writes, the kernel reads (${numRuns} cases)`,
    async () => {
      await fc.assert(fc.asyncProperty(lowerTreeArb, opsArb, vellumThenKernel), runOptions);
    },
    8 * 60_000,
  );

  it.skipIf(!mountCheck.ok)(
    `the kernel writes, Vellum reads (${numRuns} cases)`,
    async () => {
      await fc.assert(fc.asyncProperty(lowerTreeArb, opsArb, kernelThenVellum), runOptions);
    },
    8 * 60_000,
  );
});
