/**
 * A workspace: the writable view the user edits, plus a read-only view of the base (the same lowers
 * under a fresh, never-written memory upper) that diffs and reverts read from.
 */
import { MemoryUpper } from '@vellum/core';
import { InProcessFs } from './fs/in-process.js';
import type { WorkspaceFs } from './fs/workspace-fs.js';
import type { LoadedLower } from './layers/load.js';

export type WorkspaceMode = 'ephemeral' | 'persistent';

export interface Workspace {
  mode: WorkspaceMode;
  fs: WorkspaceFs;
  base: WorkspaceFs;
  /** Lower names, topmost first: index n is what `origin().layer === n` means. */
  lowerNames: string[];
}

/** A memory upper: nothing survives a reload, like a live CD. */
export async function openEphemeral(lowers: readonly LoadedLower[]): Promise<Workspace> {
  const layers = lowers.map((l) => l.layer);
  const [fs, base] = await Promise.all([
    InProcessFs.open(layers, new MemoryUpper()),
    InProcessFs.open(layers),
  ]);
  return { mode: 'ephemeral', fs, base, lowerNames: lowers.map((l) => l.name) };
}
