/**
 * A deterministic POSIX (ustar) tar writer, enough for an OCI image layer: files, directories,
 * symlinks, with PAX headers for names longer than ustar holds. Whiteouts are `.wh.` entries,
 * written as empty files (`writeTarLayer` turns a layer's entries into them).
 */
import { concat } from '../bytes.js';
import type { ZipWriteEntry } from './writer.js';

/** One entry of a tar archive. */
interface TarEntry {
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  mode: number;
  mtimeMs: number;
  data?: Uint8Array;
  target?: string;
}

const encoder = new TextEncoder();

/**
 * The tar archive of `entries`, in the order given, ending with the two zero blocks.
 *
 * @example
 * ```ts
 * const tar = writeTar([{ path: 'a.txt', kind: 'file', mode: 0o644, mtimeMs: 0, data: bytes }]);
 * ```
 */
function writeTar(entries: Iterable<TarEntry>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const name = e.kind === 'dir' ? `${e.path}/` : e.path;
    const data = e.kind === 'file' ? (e.data ?? new Uint8Array(0)) : new Uint8Array(0);
    const target = e.kind === 'symlink' ? (e.target ?? '') : '';
    if (encoder.encode(name).length > 100 || encoder.encode(target).length > 100) {
      const pax = paxRecords({ path: name, ...(target ? { linkpath: target } : {}) });
      blocks.push(
        header({
          name: 'PaxHeader',
          type: 'x',
          size: pax.length,
          mode: 0o644,
          mtimeMs: e.mtimeMs,
          target: '',
        }),
      );
      blocks.push(padded(pax));
    }
    const type = e.kind === 'dir' ? '5' : e.kind === 'symlink' ? '2' : '0';
    blocks.push(header({ name, type, size: data.length, mode: e.mode, mtimeMs: e.mtimeMs, target }));
    if (data.length > 0) blocks.push(padded(data));
  }
  blocks.push(new Uint8Array(1024));
  return concat(blocks);
}

function header(h: {
  name: string;
  type: string;
  size: number;
  mode: number;
  mtimeMs: number;
  target: string;
}): Uint8Array {
  const b = new Uint8Array(512);
  const put = (offset: number, length: number, text: string): void => {
    b.set(encoder.encode(text).subarray(0, length), offset);
  };
  const octal = (offset: number, length: number, value: number): void => {
    put(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  };
  put(0, 100, h.name);
  octal(100, 8, h.mode & 0o7777);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, h.size);
  octal(136, 12, Math.max(0, Math.floor(h.mtimeMs / 1000)));
  put(148, 8, '        ');
  put(156, 1, h.type);
  put(157, 100, h.target);
  put(257, 8, 'ustar\x0000');
  let sum = 0;
  for (const x of b) sum += x;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return b;
}

function paxRecords(fields: Record<string, string>): Uint8Array {
  let text = '';
  for (const [key, value] of Object.entries(fields)) {
    const body = ` ${key}=${value}\n`;
    // The length prefix counts itself: grow it until it is stable.
    let len = encoder.encode(body).length + 1;
    while (String(len).length + encoder.encode(body).length !== len)
      len = String(len).length + encoder.encode(body).length;
    text += `${len}${body}`;
  }
  return encoder.encode(text);
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/**
 * A layer's entries (what `writeZip` takes) as an OCI image layer tar: whiteouts and opaque marks
 * as OCI's `.wh.` files, everything else as it is, in the order given.
 *
 * @example
 * ```ts
 * const tar = writeTarLayer([{ path: 'a.txt', kind: 'file', data: new TextEncoder().encode('hi') }]);
 * ```
 */
export function writeTarLayer(entries: readonly ZipWriteEntry[]): Uint8Array {
  return writeTar(tarEntries(entries));
}

function* tarEntries(entries: readonly ZipWriteEntry[]): Generator<TarEntry> {
  for (const e of entries) {
    const mtimeMs = e.mtimeMs ?? 0;
    if (e.kind === 'whiteout') {
      const slash = e.path.lastIndexOf('/');
      yield {
        path: `${e.path.slice(0, slash + 1)}.wh.${e.path.slice(slash + 1)}`,
        kind: 'file',
        mode: 0o644,
        mtimeMs,
      };
    } else if (e.kind === 'dir') {
      yield { path: e.path, kind: 'dir', mode: e.mode ?? 0o755, mtimeMs };
      if (e.opaque) yield { path: `${e.path}/.wh..wh..opq`, kind: 'file', mode: 0o644, mtimeMs };
    } else if (e.kind === 'symlink')
      yield { path: e.path, kind: 'symlink', mode: 0o777, mtimeMs, target: e.target };
    else yield { path: e.path, kind: 'file', mode: e.mode ?? 0o644, mtimeMs, data: e.data };
  }
}
