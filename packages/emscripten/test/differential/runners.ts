/**
 * The three places the differential script runs: Pyodide over Vellum, Pyodide over its own
 * MEMFS holding the merged tree, and the host's CPython over a kernel overlay mount.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MemoryLayer, MemoryUpper, Overlay, type Tree } from '@vellum/core';
import type { PyodideAPI } from 'pyodide';
import { type EmscriptenFS, type MountedOverlay, mountOverlay } from '../../src/index.js';
import { pyodideMemory } from './pyodide-memory.js';

/** One printed step: its result, or the exception it raised. */
export interface StepLine {
  step: string;
  ok?: unknown;
  error?: string;
  errno?: string | number;
}

/** What one run printed: every step by name, and the final tree (path → [kind, data]). */
export interface RunResult {
  steps: Map<string, StepLine>;
  tree: Record<string, unknown[]>;
}

export const SCRIPT = readFileSync(new URL('./script.py', import.meta.url), 'utf8');

export function parseOutput(text: string): RunResult {
  const steps = new Map<string, StepLine>();
  let tree: Record<string, unknown[]> | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const parsed = JSON.parse(line) as StepLine | { tree: Record<string, unknown[]> };
    if ('tree' in parsed) tree = parsed.tree;
    else steps.set(parsed.step, parsed);
  }
  if (!tree) throw new Error(`the script printed no final tree:\n${text}`);
  return { steps, tree };
}

/** Runs the script in Pyodide with `root` as its argument; returns what it printed. */
export function runInPyodide(pyodide: PyodideAPI, root: string): RunResult {
  const lines: string[] = [];
  pyodide.setStdout({ batched: (line: string) => lines.push(line) });
  try {
    pyodide.globals.set('__diff_root', root);
    pyodide.globals.set('__diff_src', SCRIPT);
    pyodide.runPython(
      "import sys\nsys.argv = ['script.py', __diff_root]\nexec(compile(__diff_src, 'script.py', 'exec'), {'__name__': '__main__'})",
    );
  } finally {
    pyodide.setStdout();
  }
  return parseOutput(lines.join('\n'));
}

/** A fresh overlay of the scenario's lowers over a memory upper. */
export function scenarioOverlay(lowers: readonly Tree[]): Promise<Overlay> {
  return Overlay.create({ lowers: lowers.map((t) => MemoryLayer.fromTree(t)), upper: new MemoryUpper() });
}

/** Mounts a fresh overlay of the lowers at `at` in Pyodide's FS. */
export async function vellumMount(
  pyodide: PyodideAPI,
  lowers: readonly Tree[],
  at: string,
): Promise<{ ov: Overlay; mount: MountedOverlay }> {
  const ov = await scenarioOverlay(lowers);
  const mount = mountOverlay(pyodide.FS as EmscriptenFS, ov, at, { memory: pyodideMemory(pyodide) });
  return { ov, mount };
}

/**
 * Writes the merged view of the lowers into Pyodide's MEMFS at `at`: the third run, which shows
 * what Emscripten itself does with the same tree.
 */
export async function memfsCopy(pyodide: PyodideAPI, lowers: readonly Tree[], at: string): Promise<void> {
  const ov = await scenarioOverlay(lowers);
  const FS = pyodide.FS;
  FS.mkdirTree(at);
  for (const entry of await ov.walk('/')) {
    if (entry.path === '/') continue;
    const target = at + entry.path;
    if (entry.type === 'dir') FS.mkdir(target);
    else if (entry.type === 'symlink') FS.symlink(ov.readlinkSync(entry.path), target);
    else FS.writeFile(target, ov.readFileSync(entry.path));
  }
  await ov.close();
}

/** Runs the script with the host's `python3` in `root`; throws with its stderr if it fails. */
export function runInCPython(root: string): RunResult {
  const scriptPath = new URL('./script.py', import.meta.url).pathname;
  const run = spawnSync('python3', [scriptPath, root], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
  return parseOutput(run.stdout);
}

/** Whether the host has a `python3`; the reason if not. */
export function havePython(): { ok: true } | { ok: false; reason: string } {
  const run = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return run.status === 0
    ? { ok: true }
    : { ok: false, reason: `no python3 on this host (${run.error?.message ?? run.stderr})` };
}
