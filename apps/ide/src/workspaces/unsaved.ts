/**
 * Unsaved editor buffers kept per workspace while the tab shows another one: switching workspace
 * reloads the page, so the buffers are put in sessionStorage (this tab only) under the workspace
 * they belong to, and the page that opens that workspace again takes them back.
 */
import type { BufferCopy } from '../ui/editor.js';

const keyOf = (workspace: string | undefined): string => `vellum-ide:unsaved:${workspace ?? 'ephemeral'}`;

/** Keeps `buffers` (the unsaved ones) for when this tab opens `workspace` (undefined: ephemeral) again. */
export function keepUnsaved(workspace: string | undefined, buffers: readonly BufferCopy[]): void {
  const unsaved = buffers.filter((b) => b.text !== b.saved);
  if (unsaved.length === 0) sessionStorage.removeItem(keyOf(workspace));
  else sessionStorage.setItem(keyOf(workspace), JSON.stringify(unsaved));
}

function isBufferCopy(value: unknown): value is BufferCopy {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.path === 'string' && typeof v.text === 'string' && typeof v.saved === 'string';
}

/** The unsaved buffers kept for `workspace`, now handed over (and no longer kept). */
export function takeUnsaved(workspace: string | undefined): BufferCopy[] {
  const key = keyOf(workspace);
  const raw = sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  if (raw === null) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isBufferCopy) : [];
  } catch {
    return [];
  }
}
