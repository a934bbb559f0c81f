/**
 * What changed in the base under a persistent workspace: the base files that are not as they were
 * when the workspace was made, and which of them the workspace itself changed (those are the ones
 * whose edits now sit on a different original).
 *
 * A base file is remembered by a stamp — its size and modification time, as `make` would — taken from
 * one walk of the base: no file is read, so making or opening a workspace does not download the
 * archives. For the files the workspace copied up, the engine checks more than that when it opens
 * the upper (a zip entry's CRC-32: `baseChanges`), and those count whatever the stamps say.
 */
import type { BaseChange, Change } from '@vellum/core';
import type { WorkspaceFs } from '../fs/workspace-fs.js';

export interface BaseDrift {
  /** Base files added, removed or changed since the workspace was made. */
  changed: string[];
  /** Of those, the ones the workspace has changes for. */
  affected: string[];
}

/** FNV-1a of `bytes`, as 8 hex digits: enough to compare listings in tests and the console. */
export function fnv(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** `path → "size:mtimeMs"` of every file of the base. */
export async function stampFiles(base: WorkspaceFs): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await base.walk()) if (e.kind === 'file') out[e.path] = `${e.size}:${e.mtimeMs}`;
  return out;
}

export function baseDrift(
  before: Record<string, string>,
  now: Record<string, string>,
  changes: readonly Change[],
  found: readonly BaseChange[] = [],
): BaseDrift {
  const changed = new Set<string>(found.map((c) => c.path));
  for (const [path, stamp] of Object.entries(before)) if (now[path] !== stamp) changed.add(path);
  for (const path of Object.keys(now)) if (!(path in before)) changed.add(path);
  const touched = new Set(changes.flatMap((c) => (c.from ? [c.path, c.from] : [c.path])));
  const list = [...changed].sort();
  return { changed: list, affected: list.filter((p) => touched.has(p)) };
}
