/**
 * "Revert to base" for one path. The engine's `revert` (when this build of Overlay has it) drops
 * the upper's entry so the lowers show through again. Without it, the fallback restores through the
 * fs API — copying the base's bytes back, or removing what the base does not have — which gives the
 * base's content but leaves a copied-up entry behind, so `changes()` may still list the path.
 */
import { parentOf } from '../ui/tree-model.js';
import type { WorkspaceFs } from './workspace-fs.js';

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
