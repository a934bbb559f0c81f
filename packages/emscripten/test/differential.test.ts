/**
 * The same Python program (differential/script.py: open with every mode, listdir/scandir/walk,
 * rename/replace, rmtree/copytree, pathlib, seek/truncate/append, symlinks, hard links, the
 * exceptions of the usual mistakes) run three ways on the lowers of one scenario:
 *   1. Pyodide over Vellum (this package, way (a): the engine's *Sync calls in the same thread);
 *   2. the host's CPython over a kernel overlay mount of the same lowers (root; skipped with the
 *      reason printed elsewhere);
 *   3. Pyodide over its own MEMFS holding the merged tree, which tells what Emscripten does
 *      differently from what Vellum does.
 * Every step's output or exception (type and errno), and the final trees, must match, except the
 * steps listed below with the reason for each; a listed difference that goes away fails too, so
 * the list stays true.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Overlay } from '@vellum/core';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { beforeAll, describe, expect, it } from 'vitest';
import { canMountOverlay, KernelOverlay } from '../../core/test/kernel/mount.js';
import {
  havePython,
  memfsCopy,
  type RunResult,
  runInCPython,
  runInPyodide,
  type StepLine,
  vellumMount,
} from './differential/runners.js';
import { SCENARIO } from './differential/scenario.js';

/** Steps where Pyodide differs from CPython on Linux whatever the filesystem: Vellum answers as MEMFS does. */
const EMSCRIPTEN_DIFFERS: Record<string, string> = {
  'hard link':
    "Pyodide's os module has no link(): Emscripten's FS has no hard links (linkat is not implemented)",
  'create with mode 0o666 (umask applies)':
    "Emscripten's FS.open creates the file, then chmods it to the mode the program gave: no umask for files",
};

/** Steps where MEMFS differs from Linux and Vellum does not (Vellum answers as the kernel does). */
const MEMFS_DIFFERS: Record<string, string> = {
  'mkdir with mode 0o777 (umask applies)':
    "MEMFS stores the mode mkdir gives; Vellum applies its umask (0o022 by default), as the kernel applies the process's",
};

const VELLUM_AT = '/home/pyodide/vellum';
const MEMFS_AT = '/home/pyodide/memfs';

type Tree = Record<string, unknown[]>;

/** The merged tree as the script prints it, read by Node from a directory (the kernel mount). */
function diskTree(root: string): Tree {
  const out: Tree = {};
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const abs = path.join(root, p);
      const st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) out[p] = ['symlink', fs.readlinkSync(abs)];
      else if (st.isDirectory()) {
        out[p] = ['dir'];
        walk(p);
      } else out[p] = ['file', fs.readFileSync(abs).toString('hex')];
    }
  };
  walk('');
  return out;
}

/** The same, read from the overlay itself rather than through Emscripten. */
async function overlayTree(ov: Overlay): Promise<Tree> {
  const out: Tree = {};
  for (const entry of await ov.walk('/')) {
    if (entry.path === '/') continue;
    const p = entry.path.slice(1);
    if (entry.type === 'symlink') out[p] = ['symlink', ov.readlinkSync(entry.path)];
    else if (entry.type === 'dir') out[p] = ['dir'];
    else out[p] = ['file', Buffer.from(ov.readFileSync(entry.path)).toString('hex')];
  }
  return out;
}

const sorted = (tree: Tree): Tree =>
  Object.fromEntries(Object.entries(tree).sort(([a], [b]) => (a < b ? -1 : 1)));
const stepNames = (run: RunResult): string[] => [...run.steps.keys()];
const line = (run: RunResult, step: string): StepLine | undefined => run.steps.get(step);

let pyodide: PyodideAPI;
let vellum: RunResult;
let memfs: RunResult;
let ov: Overlay;
let mount: Awaited<ReturnType<typeof vellumMount>>['mount'];

beforeAll(async () => {
  pyodide = await loadPyodide();
  ({ ov, mount } = await vellumMount(pyodide, SCENARIO, VELLUM_AT));
  vellum = runInPyodide(pyodide, VELLUM_AT);
  await memfsCopy(pyodide, SCENARIO, MEMFS_AT);
  memfs = runInPyodide(pyodide, MEMFS_AT);
});

describe('the differential program', () => {
  it('runs every step on Pyodide over Vellum as on Pyodide over MEMFS, but for the listed MEMFS differences', () => {
    expect(stepNames(vellum)).toEqual(stepNames(memfs));
    expect(stepNames(vellum).length).toBeGreaterThan(80);
    for (const step of stepNames(vellum)) {
      if (step in MEMFS_DIFFERS) expect(line(vellum, step), step).not.toEqual(line(memfs, step));
      else expect(line(vellum, step), step).toEqual(line(memfs, step));
    }
  });

  it('raises the exceptions Python programs expect', () => {
    const error = (step: string) => {
      const l = line(vellum, step);
      return l?.error && `${l.error} ${l.errno}`;
    };
    expect(error('open missing')).toBe('FileNotFoundError ENOENT');
    expect(error('open dir for writing')).toBe('IsADirectoryError EISDIR');
    expect(error('rmdir non-empty')).toBe('OSError ENOTEMPTY');
    expect(error('rename dir onto non-empty dir')).toBe('OSError ENOTEMPTY');
    expect(error('open gone (whited out in the top lower)')).toBe('FileNotFoundError ENOENT');
    expect(error('copytree onto existing')).toBe('FileExistsError EEXIST');
  });

  it('leaves the same final tree seen through Emscripten, in MEMFS, and in the overlay itself', async () => {
    expect(sorted(vellum.tree)).toEqual(sorted(memfs.tree));
    expect(sorted(await overlayTree(ov))).toEqual(sorted(vellum.tree));
  });

  it('matches CPython on a kernel overlay mount of the same lowers', async (ctx) => {
    const mountable = canMountOverlay();
    const python = havePython();
    if (!mountable.ok || !python.ok) {
      const reason = mountable.ok ? (python as { reason: string }).reason : mountable.reason;
      console.log(
        `skipped: the kernel side of the differential needs a kernel overlay mount and python3: ${reason}`,
      );
      ctx.skip();
      return;
    }
    const kernel = await KernelOverlay.create(SCENARIO);
    let cpython: RunResult;
    let kernelTree: Tree;
    try {
      cpython = runInCPython(kernel.mountPoint);
      kernelTree = diskTree(kernel.mountPoint);
    } finally {
      await kernel.dispose();
    }
    expect(stepNames(vellum)).toEqual(stepNames(cpython));
    const differences: string[] = [];
    for (const step of stepNames(cpython)) {
      if (step in EMSCRIPTEN_DIFFERS) {
        // Emscripten's doing, not Vellum's: MEMFS answers the same, and the kernel does not.
        expect(line(vellum, step), step).toEqual(line(memfs, step));
        expect(line(vellum, step), step).not.toEqual(line(cpython, step));
        differences.push(`${step}: ${EMSCRIPTEN_DIFFERS[step]}`);
      } else expect(line(vellum, step), step).toEqual(line(cpython, step));
    }
    console.log(`differences from CPython that come from Emscripten:\n  ${differences.join('\n  ')}`);
    expect(sorted(cpython.tree)).toEqual(sorted(vellum.tree));
    expect(sorted(kernelTree)).toEqual(sorted(await overlayTree(ov)));
  });

  it("shows the program's changes in changes(), and reset() brings the lowers back", async () => {
    const changes = await ov.changes();
    const summary = changes.map((c) => `${c.change} ${c.path}`);
    // rmtree + mkdir of a lower dir, a merged dir renamed (redirect), a lower file renamed, copy-up.
    expect(summary).toEqual(
      expect.arrayContaining([
        'opaque /data',
        'renamed /lib',
        'deleted /src',
        'deleted /long.txt',
        'added /renamed.txt',
        'modified /base.txt',
        'added /copy/top.py',
      ]),
    );
    await ov.reset();
    mount.refresh();
    expect(await ov.changes()).toEqual([]);
    const listing = pyodide.runPython(`import os; sorted(os.listdir(${JSON.stringify(VELLUM_AT)}))`).toJs();
    expect(listing).toEqual([
      'base.txt',
      'bin.dat',
      'data',
      'link-to-base',
      'long.txt',
      'notes.txt',
      'opaque',
      'src',
    ]);
  });
});
