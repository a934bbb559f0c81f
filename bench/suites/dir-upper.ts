/**
 * Vellum on real directories against the kernel: the same workloads over the same lower
 * directory (N files in directories of 100, on the same filesystem), run by Vellum with a
 * `DirLayer` lower and a `DirUpper` (the kernel's upperdir format, journaled commits) and by
 * the kernel's overlayfs (`mount -t overlay`, driven through `node:fs/promises` on the mount
 * point), each on a fresh upper per sample. Extra rows put Vellum's `MemoryUpper` over the same
 * `DirLayer` beside the kernel, to show what the disk upper costs.
 *
 * Needs root (mount, trusted xattrs): without it the suite fails with the reason.
 */
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Case, Suite } from '../lib/harness.js';
import { kernelProbe, run, unmountAll } from '../lib/kernel-overlay.js';
import { loadVellum, type VellumCore } from '../lib/vellum.js';

const N = 1_000;
const PER_DIR = 100;
const SAMPLES = 5;
const DATA = new TextEncoder().encode('x'.repeat(1024));

type Workload = 'create' | 'append' | 'unlink' | 'rename-dirs';
const WORKLOADS: ReadonlyArray<{ id: Workload; figure: string }> = [
  { id: 'create', figure: `create ${N} new 1 KiB files` },
  { id: 'append', figure: `append to ${N} lower files (copy-up)` },
  { id: 'unlink', figure: `unlink ${N} lower files (whiteouts)` },
  { id: 'rename-dirs', figure: `rename ${N / PER_DIR} lower directories of ${PER_DIR} files (redirects)` },
];

interface FsLike {
  writeFile(p: string, d: Uint8Array): Promise<unknown>;
  appendFile(p: string, d: Uint8Array): Promise<unknown>;
  unlink(p: string): Promise<unknown>;
  rename(a: string, b: string): Promise<unknown>;
  mkdir(p: string): Promise<unknown>;
}

async function workload(fs: FsLike, root: string, w: Workload): Promise<void> {
  const dirs = N / PER_DIR;
  if (w === 'create') {
    await fs.mkdir(`${root}/new`);
    for (let i = 0; i < N; i++) await fs.writeFile(`${root}/new/f${i}`, DATA);
  } else if (w === 'rename-dirs') {
    for (let d = 0; d < dirs; d++) await fs.rename(`${root}/d${d}`, `${root}/moved${d}`);
  } else {
    for (let d = 0; d < dirs; d++)
      for (let i = 0; i < PER_DIR; i++) {
        const p = `${root}/d${d}/f${i}`;
        if (w === 'append') await fs.appendFile(p, DATA);
        else await fs.unlink(p);
      }
  }
}

interface State {
  readonly core: VellumCore;
  readonly node: typeof import('@vellum/node');
  readonly base: string;
  readonly lower: string;
}

let sampleNo = 0;

async function fresh(state: State): Promise<{ upper: string; work: string; mnt: string }> {
  const dir = join(state.base, `s${sampleNo++}`);
  const [upper, work, mnt] = ['u', 'w', 'm'].map((d) => join(dir, d));
  for (const d of [upper, work, mnt]) await fsp.mkdir(d, { recursive: true });
  return { upper, work, mnt };
}

/** Median of SAMPLES runs of `once` (each on a fresh upper), in ms. */
async function median(once: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) times.push(await once());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

async function vellumOnce(state: State, w: Workload, disk: boolean): Promise<number> {
  const { upper, work } = await fresh(state);
  const layer = await state.node.DirLayer.open(state.lower);
  const up = disk
    ? await state.node.DirUpper.open(upper, { workdir: work, lowers: [layer] })
    : new state.core.MemoryUpper();
  const ov = await state.core.Overlay.create({ lowers: [layer], upper: up });
  const t0 = performance.now();
  await workload(ov, '', w);
  const ms = performance.now() - t0;
  await ov.close();
  layer.close();
  return ms;
}

async function kernelOnce(state: State, w: Workload): Promise<number> {
  const { upper, work, mnt } = await fresh(state);
  // The options Vellum follows (redirect_dir: a directory rename is not EXDEV).
  const options = `lowerdir=${state.lower},upperdir=${upper},workdir=${work},redirect_dir=on,index=on,metacopy=on`;
  run('mount', ['-t', 'overlay', 'overlay', '-o', options, mnt]);
  try {
    const t0 = performance.now();
    await workload(fsp, mnt, w);
    return performance.now() - t0;
  } finally {
    unmountAll([mnt]);
  }
}

export const dirUpperSuite: Suite<State> = {
  name: 'dir-upper',
  title: 'Vellum on directories (DirLayer + DirUpper) vs the kernel overlayfs',
  description:
    `A lower directory of ${N} 1 KiB files in directories of ${PER_DIR} on the temp filesystem. Each row: the median of ${SAMPLES} samples, each on a fresh upper, ` +
    'of one workload through Vellum (`DirLayer` lower, `DirUpper` upper: kernel upperdir format, undo-journaled commits) and through `mount -t overlay` ' +
    'over the same lower (peer: calls on the mount point with `node:fs/promises`). Rows marked MemoryUpper put the same Vellum with its in-memory upper beside the kernel.',
  async setup(ctx) {
    const why = kernelProbe();
    if (why !== null) throw new Error(`the kernel side cannot run: ${why}`);
    const base = await fsp.mkdtemp(join(tmpdir(), 'vellum-bench-dir-upper-'));
    const lower = join(base, 'lower');
    for (let d = 0; d < N / PER_DIR; d++) {
      await fsp.mkdir(join(lower, `d${d}`), { recursive: true });
      for (let i = 0; i < PER_DIR; i++) await fsp.writeFile(join(lower, `d${d}`, `f${i}`), DATA);
    }
    ctx.log(`lower of ${N} files in ${base}`);
    return { core: await loadVellum(), node: await import('@vellum/node'), base, lower };
  },
  cases(): readonly Case<State>[] {
    return WORKLOADS.flatMap(({ id, figure }) => [
      {
        figure: `${figure}: DirUpper vs kernel`,
        unit: 'ms' as const,
        vellum: (s: State) => median(() => vellumOnce(s, id, true)),
        peer: (s: State) => median(() => kernelOnce(s, id)),
      },
      {
        figure: `${figure}: MemoryUpper vs kernel`,
        unit: 'ms' as const,
        vellum: (s: State) => median(() => vellumOnce(s, id, false)),
        peer: (s: State) => median(() => kernelOnce(s, id)),
      },
    ]);
  },
  async teardown(state) {
    await fsp.rm(state.base, { recursive: true, force: true });
  },
};
