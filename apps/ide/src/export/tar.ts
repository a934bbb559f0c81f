/**
 * The workspace's changes as an OCI image layer (an uncompressed ustar archive): files and folders as
 * they are now, deletions as `.wh.<name>` whiteout files and an opaque folder as `.wh..wh..opq`, so
 * the workspace can become a container layer on top of its base.
 */
import type { Change } from '@vellum/core';
import type { WorkspaceFs } from '../fs/workspace-fs.js';
import { baseName, parentOf } from '../ui/tree-model.js';

const rel = (path: string): string => path.replace(/^\/+/, '');

/** The layer entry name for one change: `.wh.<name>` for a deletion, `dir/` for a folder. */
export function layerNameOf(change: Change): string {
  if (change.change === 'deleted') {
    const dir = rel(parentOf(change.path));
    return `${dir ? `${dir}/` : ''}.wh.${baseName(change.path)}`;
  }
  return change.type === 'dir' ? `${rel(change.path)}/` : rel(change.path);
}

const encoder = new TextEncoder();
const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** One 512-byte ustar header; long names go into `prefix` (up to 155 + 100 bytes). */
function header(name: string, size: number, type: '0' | '5', mode: number, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  let prefix = '';
  let base = name;
  if (encoder.encode(name).length > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const put = (text: string, at: number, width: number): void => {
    h.set(encoder.encode(text).subarray(0, width), at);
  };
  put(base, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtime, 12), 136, 12);
  put('        ', 148, 8); // the checksum counts its own field as spaces
  put(type, 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

export async function changesToTar(fs: WorkspaceFs, changes: readonly Change[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const mtime = Math.floor(Date.UTC(2025, 0, 1) / 1000);
  const entry = (name: string, data: Uint8Array, type: '0' | '5', mode: number): void => {
    parts.push(header(name, data.length, type, mode, mtime), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(new Uint8Array(pad));
  };
  for (const c of changes) {
    // The same names as the zip export: one entry per change (an opaque folder adds its marker).
    const name = layerNameOf(c);
    if (c.change === 'deleted') entry(name, new Uint8Array(0), '0', 0o644);
    else if (c.type === 'dir') {
      entry(name, new Uint8Array(0), '5', 0o755);
      if (c.change === 'opaque') entry(`${name}.wh..wh..opq`, new Uint8Array(0), '0', 0o644);
    } else entry(name, await fs.readFile(c.path).catch(() => new Uint8Array(0)), '0', 0o644);
  }
  parts.push(new Uint8Array(BLOCK * 2)); // end of archive
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
