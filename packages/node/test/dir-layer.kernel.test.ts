/**
 * DirLayer against the kernel: random lowers (the kernel differential's generator: whiteouts,
 * opaque directories, hard links, symlinks, modes and times) are written to disk in the
 * kernel's format; the kernel mounts them with `mount -t overlay`, Vellum opens the same trees
 * on disk as DirLayers under a MemoryUpper, and both run the same random operations. Every
 * operation must give the same outcome and the merged trees must be equal (kernel/compare.ts).
 *
 * The same again with the lowers in OCI's format (`.wh.` names) read with `whiteouts: 'oci'`,
 * against the kernel mounting the kernel-format copies.
 *
 * Needs Linux, root and overlayfs; elsewhere it is skipped and says why.
 * VELLUM_DIFF_RUNS sets the number of cases (100 each by default), VELLUM_DIFF_SEED and
 * VELLUM_DIFF_PATH replay a failure.
 */
import { execFileSync } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryUpper, Overlay } from '@vellum/core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Tree } from '../../core/src/tree.js';
import { compareWithKernel, type Subject } from '../../core/test/kernel/compare.js';
import { canMountOverlay, writeTree } from '../../core/test/kernel/mount.js';
import { lowerTreeArb, opsArb } from '../../core/test/kernel/ops.js';
import { DirLayer } from '../src/index.js';

const mountCheck = canMountOverlay();
if (!mountCheck.ok)
  console.warn(`dir-layer kernel differential: skipped, cannot mount overlayfs: ${mountCheck.reason}`);

const numRuns = Number(process.env.VELLUM_DIFF_RUNS ?? 100);
const seed = process.env.VELLUM_DIFF_SEED === undefined ? undefined : Number(process.env.VELLUM_DIFF_SEED);
const replayPath = process.env.VELLUM_DIFF_PATH;

/**
 * Rewrites a kernel-format tree in place into OCI's: each whiteout (char 0/0) becomes an empty
 * `.wh.<name>` file, each opaque mark a `.wh..wh..opq` file. Directory times are put back, as
 * adding names changes them.
 */
async function toOci(root: string): Promise<void> {
  const visit = async (dir: string): Promise<void> => {
    const before = await fsp.lstat(dir);
    for (const d of await fsp.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.isCharacterDevice()) {
        await fsp.rm(p);
        await fsp.writeFile(path.join(dir, `.wh.${d.name}`), '');
      } else if (d.isDirectory()) {
        await visit(p);
      }
    }
    if (isOpaque(dir)) {
      execFileSync('setfattr', ['-x', 'trusted.overlay.opaque', dir]);
      await fsp.writeFile(path.join(dir, '.wh..wh..opq'), '');
    }
    await fsp.utimes(dir, before.atime, before.mtime);
  };
  await visit(root);
}

/** Whether `dir` carries `trusted.overlay.opaque=y` (getfattr exits 1 where it has no such attribute). */
function isOpaque(dir: string): boolean {
  try {
    return (
      execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', dir], {
        stdio: ['ignore', 'pipe', 'ignore'],
      }).toString() === 'y'
    );
  } catch (err) {
    if ((err as { status?: number }).status === 1) return false;
    throw err;
  }
}

function dirSubject(format: 'kernel' | 'oci'): (lowers: readonly Tree[]) => Promise<Subject> {
  return async (lowers) => {
    const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'vellum-dirlayer-'));
    const layers: DirLayer[] = [];
    try {
      for (const [i, tree] of lowers.entries()) {
        const dir = path.join(base, `l${i}`);
        await fsp.mkdir(dir);
        await writeTree(dir, tree);
        if (format === 'oci') await toOci(dir);
        layers.push(await DirLayer.open(dir, { whiteouts: format }));
      }
      const ov = await Overlay.create({ lowers: layers, upper: new MemoryUpper() });
      return {
        fs: ov,
        root: '',
        dispose: async () => {
          for (const layer of layers) layer.close();
          await fsp.rm(base, { recursive: true, force: true });
        },
      };
    } catch (err) {
      await fsp.rm(base, { recursive: true, force: true });
      throw err;
    }
  };
}

const runOptions = {
  numRuns,
  ...(seed === undefined ? {} : { seed }),
  ...(replayPath === undefined ? {} : { path: replayPath }),
  includeErrorInReport: true,
  timeout: 60_000,
  interruptAfterTimeLimit: 6 * 60_000,
  markInterruptAsFailure: true,
};

describe('DirLayer lowers vs Linux overlayfs over the same directories', () => {
  it.skipIf(!mountCheck.ok)(
    `kernel-format lowers: same outcomes, same final tree (${numRuns} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(lowerTreeArb, opsArb, (lowers, ops) =>
          compareWithKernel(lowers, ops, dirSubject('kernel'), 'vellum+DirLayer'),
        ),
        runOptions,
      );
    },
    8 * 60_000,
  );

  it.skipIf(!mountCheck.ok)(
    `OCI-format lowers (.wh. names): same outcomes, same final tree (${numRuns} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(lowerTreeArb, opsArb, (lowers, ops) =>
          compareWithKernel(lowers, ops, dirSubject('oci'), 'vellum+DirLayer(oci)'),
        ),
        runOptions,
      );
    },
    8 * 60_000,
  );
});
