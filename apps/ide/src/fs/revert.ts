/**
 * "Revert to base" for one change. The engine's `ov.revert(path)` drops what the upper holds at a
 * name so the lowers show through again; a moved entry is first moved back to where the base has it
 * when that name is free (the engine refuses to revert a moved folder in place, and reverting only
 * the new name would leave the old one deleted). An adapter without `revert` falls back to restoring through the fs API,
 * which gives the base's bytes but leaves a copied-up entry that `changes()` may still list.
 */
import type { Change } from '@vellum/core';
import { parentOf } from '../ui/tree-model.js';
import type { WorkspaceFs } from './workspace-fs.js';

/**
 * Whether reverting `change` moves the entry back to the name the base has it under: a moved entry
 * whose old name is free. When the old name is in use again (it was reverted on its own, which gives
 * it the base's entry back), only the new name is reverted: it reads what the base has there.
 */
export async function movesBack(fs: WorkspaceFs, change: Change): Promise<boolean> {
  return change.change === 'renamed' && change.from !== undefined && !(await fs.lstat(change.from));
}

export async function revertChange(fs: WorkspaceFs, base: WorkspaceFs, change: Change): Promise<string> {
  let path = change.path;
  if (change.from !== undefined && (await movesBack(fs, change))) {
    await fs.mkdir(parentOf(change.from), { recursive: true });
    await fs.rename(path, change.from);
    path = change.from;
  }
  await revertToBase(fs, base, path);
  return path;
}

export async function revertToBase(fs: WorkspaceFs, base: WorkspaceFs, path: string): Promise<void> {
  if (fs.revert) {
    await fs.revert(path);
    return;
  }
  await restore(fs, base, path);
}

async function restore(fs: WorkspaceFs, base: WorkspaceFs, path: string): Promise<void> {
  const want = await base.lstat(path);
  const have = await fs.lstat(path);
  if (want === undefined) {
    await fs.rm(path, { recursive: true, force: true });
    return;
  }
  if (have !== undefined && have.kind !== want.kind) await fs.rm(path, { recursive: true, force: true });
  if (want.kind === 'dir') {
    await fs.mkdir(path, { recursive: true });
    // A deleted folder comes back whole: everything the base has below it.
    for (const e of await base.walk()) {
      if (!e.path.startsWith(`${path}/`)) continue;
      if ((await fs.lstat(e.path)) !== undefined) continue;
      if (e.kind === 'dir') await fs.mkdir(e.path, { recursive: true });
      else if (e.kind === 'file') await fs.writeFile(e.path, await base.readFile(e.path));
    }
    return;
  }
  await fs.mkdir(parentOf(path), { recursive: true });
  await fs.writeFile(path, await base.readFile(path));
}
