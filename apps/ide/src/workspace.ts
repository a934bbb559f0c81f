/**
 * A workspace: the writable view the user edits, plus a read-only view of the base (the same lowers
 * under a fresh, never-written memory upper) that diffs and reverts read from. Ephemeral workspaces
 * keep their upper in memory (reload = fresh, like a live CD); persistent ones in IndexedDB.
 */
import { MemoryUpper, Overlay } from '@vellum/core';
import { IndexedDBUpper } from '@vellum/core/idb';
import { InProcessFs } from './fs/in-process.js';
import { WorkerFs } from './fs/worker.js';
import type { WorkspaceFs } from './fs/workspace-fs.js';
import type { LoadedLower } from './layers/load.js';
import { type BaseDrift, baseDrift, hashFiles } from './workspaces/base-drift.js';
import {
  addWorkspace,
  databaseOf,
  removeWorkspace,
  updateWorkspace,
  type WorkspaceRecord,
} from './workspaces/registry.js';

export interface Workspace {
  /** Undefined for the ephemeral workspace. */
  record: WorkspaceRecord | undefined;
  fs: WorkspaceFs;
  base: WorkspaceFs;
  /** Lower names, topmost first: index n is what `origin().layer === n` means. */
  lowerNames: string[];
  /** Set when the base changed since this persistent workspace was made. */
  drift: BaseDrift | undefined;
  engine: Engine;
}

const names = (lowers: readonly LoadedLower[]): string[] => lowers.map((l) => l.name);
const layers = (lowers: readonly LoadedLower[]) => lowers.map((l) => l.layer);

/** Where the engine of an ephemeral workspace runs: this thread, or a Web Worker. */
export type Engine = 'page' | 'worker';

export async function openEphemeral(
  lowers: readonly LoadedLower[],
  engine: Engine = 'page',
): Promise<Workspace> {
  const [fs, base] = await Promise.all([
    engine === 'worker' ? WorkerFs.open(layers(lowers)) : InProcessFs.open(layers(lowers), new MemoryUpper()),
    // The base view is only read (diffs, reverts), so it stays in the page.
    InProcessFs.open(layers(lowers)),
  ]);
  return { record: undefined, fs, base, lowerNames: names(lowers), drift: undefined, engine };
}

/** Registers a new persistent workspace on the current lowers; open it with `openPersistent`. */
export async function createPersistent(
  lowers: readonly LoadedLower[],
  name: string,
): Promise<WorkspaceRecord> {
  const base = await InProcessFs.open(layers(lowers));
  const record: WorkspaceRecord = {
    id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    name,
    createdMs: Date.now(),
    lowerIds: lowers.map((l) => l.layer.id),
    baseFiles: await hashFiles(base),
  };
  addWorkspace(record);
  return record;
}

/**
 * Opens a persistent workspace. If the lowers changed since it was made, it still opens (its
 * changes laid over the new base, as overlayfs would) and `drift` lists the base files that changed.
 */
export async function openPersistent(
  lowers: readonly LoadedLower[],
  record: WorkspaceRecord,
): Promise<Workspace> {
  const upper = new IndexedDBUpper({ name: databaseOf(record.id) });
  const ov = await Overlay.create({ lowers: layers(lowers), upper, onLowerChange: 'open' });
  const fs = new InProcessFs(ov);
  const base = await InProcessFs.open(layers(lowers));
  const same = record.lowerIds.join('\n') === lowers.map((l) => l.layer.id).join('\n');
  const drift = same ? undefined : baseDrift(record.baseFiles, await hashFiles(base), await fs.changes());
  return { record, fs, base, lowerNames: names(lowers), drift, engine: 'page' };
}

/** Accepts the current base: the warning goes away until the base changes again. */
export async function acceptBase(ws: Workspace, lowers: readonly LoadedLower[]): Promise<void> {
  if (!ws.record) return;
  ws.record = { ...ws.record, lowerIds: lowers.map((l) => l.layer.id), baseFiles: await hashFiles(ws.base) };
  updateWorkspace(ws.record);
  ws.drift = undefined;
}

export async function deletePersistent(record: WorkspaceRecord): Promise<void> {
  removeWorkspace(record.id);
  await IndexedDBUpper.delete(databaseOf(record.id));
}
