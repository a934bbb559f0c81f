/**
 * The workspace's changes as a zip: one entry per change and nothing else. Files (new, modified,
 * moved, metadata-only) carry their current bytes, folders are `dir/` entries, and deletions are
 * OCI-style `.wh.<name>` markers (an opaque folder adds `.wh..wh..opq`), so the zip says everything
 * `changes()` says.
 */
import type { Change } from '@vellum/core';
import { type Zippable, zipSync } from 'fflate';
import type { WorkspaceFs } from '../fs/workspace-fs.js';
import { baseName, parentOf } from '../ui/tree-model.js';

const rel = (path: string): string => path.replace(/^\/+/, '');

/** The zip entry name for one change. */
export function zipNameOf(change: Change): string {
  if (change.change === 'deleted') {
    const dir = rel(parentOf(change.path));
    return `${dir ? `${dir}/` : ''}.wh.${baseName(change.path)}`;
  }
  return change.type === 'dir' ? `${rel(change.path)}/` : rel(change.path);
}

export async function changesToZip(fs: WorkspaceFs, changes: readonly Change[]): Promise<Uint8Array> {
  const files: Zippable = {};
  // Fixed time: an export of the same changes is the same bytes.
  const mtime = new Date(Date.UTC(2025, 0, 1));
  for (const c of changes) {
    const name = zipNameOf(c);
    if (c.change === 'deleted' || c.type === 'dir') {
      files[name] = [new Uint8Array(0), { mtime }];
      if (c.change === 'opaque') files[`${name}.wh..wh..opq`] = [new Uint8Array(0), { mtime }];
      continue;
    }
    // A symlink is stored as the bytes it leads to (empty if dangling): the adapter has no readlink,
    // and the sample project has no symlinks.
    const data = await fs.readFile(c.path).catch(() => new Uint8Array(0));
    files[name] = [data, { mtime }];
  }
  return zipSync(files, { level: 6 });
}
