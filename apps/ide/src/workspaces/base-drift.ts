/**
 * What changed in the base under a persistent workspace: the base files whose bytes differ from
 * when the workspace was made, and which of them the workspace itself changed (those are the ones
 * whose edits now sit on a different original).
 */
import type { Change } from '@vellum/core';
import type { WorkspaceFs } from '../fs/workspace-fs.js';

export interface BaseDrift {
  /** Base files added, removed or changed since the workspace was made. */
  changed: string[];
  /** Of those, the ones the workspace has changes for. */
  affected: string[];
}

export function fnv(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** `path → hash` of every file of the base. */
export async function hashFiles(base: WorkspaceFs): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await base.walk()) if (e.kind === 'file') out[e.path] = fnv(await base.readFile(e.path));
  return out;
}

export function baseDrift(
  before: Record<string, string>,
  now: Record<string, string>,
  changes: readonly Change[],
): BaseDrift {
  const changed = new Set<string>();
  for (const [path, hash] of Object.entries(before)) if (now[path] !== hash) changed.add(path);
  for (const path of Object.keys(now)) if (!(path in before)) changed.add(path);
  const touched = new Set(changes.flatMap((c) => (c.from ? [c.path, c.from] : [c.path])));
  const list = [...changed].sort();
  return { changed: list, affected: list.filter((p) => touched.has(p)) };
}
