/**
 * The Linux kernel's overlayfs as a bench peer: tmpfs and overlay mounts through `mount(8)`,
 * which needs root. `kernelProbe()` says why a suite must skip the kernel side, or null.
 */
import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayerContent } from './stack.js';

export function run(cmd: string, args: readonly string[]): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`${cmd} ${args.join(' ')}: ${stderr || (error as Error).message}`);
  }
}

export const mountTmpfs = (at: string): void => run('mount', ['-t', 'tmpfs', '-o', 'size=1g', 'tmpfs', at]);

export function mountOverlay(lower: string, upper: string, work: string, at: string): void {
  run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, at]);
}

/** Unmounts whatever of `points` is mounted, innermost first; errors are collected, not thrown midway. */
export function unmountAll(points: readonly string[]): void {
  const errors: string[] = [];
  for (const point of [...points].reverse()) {
    try {
      run('umount', [point]);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(errors.join('; '));
}

/** Null if overlay mounts work here; else why the kernel side is skipped. */
export function kernelProbe(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return `not root (uid ${process.getuid?.()}): mount needs it`;
  const base = nodeFs.mkdtempSync(join(tmpdir(), 'vellum-overlay-probe-'));
  const mounted: string[] = [];
  try {
    mountTmpfs(base);
    mounted.push(base);
    for (const d of ['lower', 'upper', 'work', 'merged']) nodeFs.mkdirSync(join(base, d));
    nodeFs.writeFileSync(join(base, 'lower', 'x'), 'x');
    mountOverlay(join(base, 'lower'), join(base, 'upper'), join(base, 'work'), join(base, 'merged'));
    mounted.push(join(base, 'merged'));
    nodeFs.writeFileSync(join(base, 'merged', 'y'), 'y');
    if (nodeFs.readdirSync(join(base, 'merged')).length !== 2)
      return 'the probe overlay does not list 2 names';
    return null;
  } catch (error) {
    return `overlay mount failed: ${(error as Error).message}`;
  } finally {
    try {
      unmountAll(mounted);
      nodeFs.rmSync(base, { recursive: true, force: true });
    } catch {
      // The probe's own mess; the reason above (or the run) says more.
    }
  }
}

/** Every entry below `dir` (recursive). */
export function countEntries(dir: string): number {
  return nodeFs.readdirSync(dir, { recursive: true }).length;
}

/** Where one fresh overlay is mounted: its merged view and its (empty at first) upperdir. */
export interface KernelOverlay {
  readonly merged: string;
  readonly upper: string;
  /** The lower directory (read-only under the overlay). */
  readonly lower: string;
}

/** A tmpfs lower, and fresh overlays over it: one per sample, each with an empty upper. */
export interface KernelLower {
  /** Mounts an overlay with a new tmpfs for upper and work, runs `fn` on it, unmounts it. */
  withOverlay<T>(fn: (overlay: KernelOverlay) => Promise<T> | T): Promise<T>;
  /** Unmounts the lower and removes the temporary directory. */
  dispose(): void;
}

/** Writes `content` (directories listed before what they hold) into a fresh tmpfs. */
export function kernelLower(prefix: string, content: LayerContent): KernelLower {
  const base = nodeFs.mkdtempSync(join(tmpdir(), prefix));
  const lower = join(base, 'lower');
  nodeFs.mkdirSync(lower);
  mountTmpfs(lower);
  try {
    for (const d of content.dirs) nodeFs.mkdirSync(join(lower, d), { recursive: true });
    for (const f of content.files) nodeFs.writeFileSync(join(lower, f.path), f.data);
  } catch (error) {
    unmountAll([lower]);
    throw error;
  }
  let round = 0;
  return {
    async withOverlay(fn) {
      const r = round++;
      const top = join(base, `top${r}`);
      const upper = join(top, 'upper');
      const merged = join(base, `merged${r}`);
      nodeFs.mkdirSync(top);
      nodeFs.mkdirSync(merged);
      const mounted: string[] = [];
      try {
        mountTmpfs(top);
        mounted.push(top);
        nodeFs.mkdirSync(upper);
        nodeFs.mkdirSync(join(top, 'work'));
        mountOverlay(lower, upper, join(top, 'work'), merged);
        mounted.push(merged);
        return await fn({ merged, upper, lower });
      } finally {
        unmountAll(mounted);
        nodeFs.rmSync(top, { recursive: true, force: true });
        nodeFs.rmSync(merged, { recursive: true, force: true });
      }
    },
    dispose() {
      unmountAll([lower]);
      nodeFs.rmSync(base, { recursive: true, force: true });
    },
  };
}
