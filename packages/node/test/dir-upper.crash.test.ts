/**
 * One operation on a DirUpper is one atomic commit, across a SIGKILL: a child process applies
 * random operations (the kernel differential's generator) over DirLayer lowers and a DirUpper and
 * is killed at a random moment; reopening the upperdir must show the tree after the last operation
 * it finished or after the one in flight, never a mix, and `mount -t overlay` over the same
 * directories must show that tree too.
 *
 * The trees to expect come from the same operations run here on a copy, reopened after each one.
 * Needs Linux, root and overlayfs; elsewhere it is skipped and says why. VELLUM_CRASH_RUNS sets
 * the number of cases (12 by default; each starts a Node process).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Overlay } from '@vellum/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tree } from '../../core/src/tree.js';
import { ensureUmask022 } from '../../core/test/kernel/compare.js';
import {
  canMountOverlay,
  DEFAULT_DIR_MODE,
  OVERLAY_OPTIONS,
  writeTree,
} from '../../core/test/kernel/mount.js';
import { applyOp, lowerTreeArb, type Op, opsArb } from '../../core/test/kernel/ops.js';
import { diffSnapshots, type EntrySnapshot, snapshot } from '../../core/test/kernel/snapshot.js';
import { DirLayer, DirUpper } from '../src/index.js';

const mountCheck = canMountOverlay();
if (!mountCheck.ok)
  console.warn(`dir-upper crash test: skipped, cannot mount overlayfs: ${mountCheck.reason}`);
const numRuns = Number(process.env.VELLUM_CRASH_RUNS ?? 12);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

type Snap = Record<string, EntrySnapshot>;

/** Kills that landed before the child finished its ops: the test means nothing without some. */
let killedMidRun = 0;

async function layout(base: string, lowers: readonly Tree[]) {
  const lowerDirs = lowers.map((_, i) => path.join(base, `l${i}`));
  const [upper, work, mnt] = ['u', 'w', 'm'].map((d) => path.join(base, d));
  for (const d of [...lowerDirs, upper, work, mnt]) await fsp.mkdir(d, { recursive: true });
  for (const d of [...lowerDirs, upper]) await fsp.chmod(d, DEFAULT_DIR_MODE);
  for (const [i, tree] of lowers.entries()) await writeTree(lowerDirs[i], tree);
  return { lowerDirs, upper, work, mnt };
}

async function openSnapshot(lowerDirs: readonly string[], upper: string, work: string): Promise<Snap> {
  const lowers = await Promise.all(lowerDirs.map((d) => DirLayer.open(d)));
  const ov = await Overlay.create({ lowers, upper: await DirUpper.open(upper, { workdir: work, lowers }) });
  try {
    return await snapshot(ov, '');
  } finally {
    await ov.close();
  }
}

/** The tree after 0, 1, … n of the ops, each read by reopening the upperdir. */
async function expectedTrees(base: string, lowers: readonly Tree[], ops: readonly Op[]): Promise<Snap[]> {
  const { lowerDirs, upper, work } = await layout(base, lowers);
  const trees = [await openSnapshot(lowerDirs, upper, work)];
  for (const op of ops) {
    const layers = await Promise.all(lowerDirs.map((d) => DirLayer.open(d)));
    const ov = await Overlay.create({
      lowers: layers,
      upper: await DirUpper.open(upper, { workdir: work, lowers: layers }),
    });
    await applyOp(ov, '', op);
    await ov.close();
    trees.push(await openSnapshot(lowerDirs, upper, work));
  }
  return trees;
}

/** Runs the child until it has started, then kills it after `delayMs`; returns how many ops it finished. */
async function runAndKill(args: string[], delayMs: number): Promise<number> {
  const proc = spawn(process.execPath, ['--conditions=vellum-source', '--import', 'tsx', child, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    proc.on('exit', () => reject(new Error(`the child exited before it was ready:\n${err}`)));
  });
  await new Promise((r) => setTimeout(r, delayMs));
  proc.kill('SIGKILL');
  await exited;
  const counts = out.split('\n').filter((l) => /^\d+$/.test(l));
  return counts.length === 0 ? 0 : Number(counts.at(-1));
}

async function crashCase(lowers: readonly Tree[], ops: readonly Op[], delayMs: number): Promise<void> {
  ensureUmask022();
  const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'vellum-crash-'));
  try {
    const trees = await expectedTrees(path.join(base, 'expected'), lowers, ops);
    const { lowerDirs, upper, work, mnt } = await layout(path.join(base, 'run'), lowers);
    const opsFile = path.join(base, 'ops.json');
    await fsp.writeFile(opsFile, JSON.stringify(ops));
    const done = await runAndKill([opsFile, upper, work, ...lowerDirs], delayMs);
    if (done < ops.length) killedMidRun++;
    const after = await openSnapshot(lowerDirs, upper, work);
    const candidates = [trees[done], trees[done + 1]].filter((t): t is Snap => t !== undefined);
    const labels = ['expected', 'reopened after SIGKILL'] as const;
    if (!candidates.some((t) => diffSnapshots(t, after, labels) === '')) {
      throw new Error(
        `killed after ${done} of ${ops.length} ops (${delayMs} ms): the reopened tree is neither the tree before nor after the op in flight:\n` +
          candidates.map((t) => diffSnapshots(t, after, labels)).join('\n-- or --\n'),
      );
    }
    execFileSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lowerDirs.join(':')},upperdir=${upper},workdir=${work},${OVERLAY_OPTIONS}`,
      mnt,
    ]);
    try {
      const diff = diffSnapshots(await snapshot(fsp, mnt), after, ['kernel', 'vellum']);
      if (diff) throw new Error(`after the crash the kernel reads another tree:\n${diff}`);
    } finally {
      execFileSync('umount', [mnt]);
    }
  } finally {
    await fsp.rm(base, { recursive: true, force: true });
  }
}

describe('DirUpper across SIGKILL', () => {
  it.skipIf(!mountCheck.ok)(
    `reopens to the tree before or after the op in flight (${numRuns} kills)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(lowerTreeArb, opsArb, fc.integer({ min: 0, max: 70 }), crashCase),
        // No shrinking: each try starts a process, and the first failure already says what broke.
        { numRuns, includeErrorInReport: true, timeout: 120_000, endOnFailure: true },
      );
      expect(killedMidRun).toBeGreaterThan(0);
    },
    10 * 60_000,
  );
});
