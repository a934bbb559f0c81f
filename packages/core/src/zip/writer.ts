/**
 * A deterministic zip writer: the same entries give the same bytes. Unix modes and file types go
 * in the external attributes (host = Unix), symlink targets are their entries' data, times are
 * written as a DOS time (UTC) plus an extended-timestamp field (whole seconds), and Zip64 records
 * appear where sizes, offsets or the entry count need them. Whiteouts and opaque directories are
 * written OCI-style (`.wh.<name>`, `.wh..wh..opq`).
 */
import { deflateSync } from 'fflate';
import { concat } from '../bytes.js';
import { crc32 } from './crc32.js';

/** One entry to write; paths use '/' and no leading '/'. */
export type ZipWriteEntry =
  | {
      /** The path in the archive (`src/main.ts`). */
      path: string;
      /** A regular file. */
      kind: 'file';
      /** Its contents. */
      data: Uint8Array;
      /** Permission bits (default 0o644). */
      mode?: number;
      /** Modification time, milliseconds since the epoch (default `options.mtimeMs`). */
      mtimeMs?: number;
    }
  | {
      /** The path in the archive. */
      path: string;
      /** A directory. */
      kind: 'dir';
      /** Permission bits (default 0o755). */
      mode?: number;
      /** Modification time, milliseconds since the epoch. */
      mtimeMs?: number;
      /** Written as an OCI opaque marker (`.wh..wh..opq`) inside the directory. */
      opaque?: boolean;
    }
  | {
      /** The path in the archive. */
      path: string;
      /** A symbolic link. */
      kind: 'symlink';
      /** The link's target (the entry's data). */
      target: string;
      /** Permission bits (default 0o777). */
      mode?: number;
      /** Modification time, milliseconds since the epoch. */
      mtimeMs?: number;
    }
  | {
      /** The hidden name's path; written as `.wh.<name>` beside it. */
      path: string;
      /** A whiteout. */
      kind: 'whiteout';
      /** Modification time, milliseconds since the epoch. */
      mtimeMs?: number;
    };

/** How {@link writeZip} compresses and dates the archive. */
export interface ZipWriteOptions {
  /** Deflate level 0–9 (default 6); 0 stores everything. Entries that do not shrink are stored anyway. */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** Zip64 records: `'auto'` (default) only where needed, `'always'` for every entry. */
  zip64?: 'auto' | 'always';
  /** Time for entries without one (default 1980-01-01, the zip epoch: reproducible builds). */
  mtimeMs?: number;
}

const encoder = new TextEncoder();
const ZIP_EPOCH = Date.UTC(1980, 0, 1);
const MAX32 = 0xffffffff;

interface Written {
  name: Uint8Array;
  crc: number;
  size: number;
  csize: number;
  method: number;
  offset: number;
  external: number;
  time: number;
  date: number;
  unixSeconds: number;
}

/**
 * The zip of `entries`, in the order given (sort them for a canonical archive).
 *
 * @example
 * ```ts
 * const zip = writeZip([
 *   { path: 'src', kind: 'dir', mode: 0o755 },
 *   { path: 'src/main.ts', kind: 'file', data: new TextEncoder().encode('export {}'), mode: 0o644 },
 *   { path: 'latest', kind: 'symlink', target: 'src/main.ts' },
 * ]);
 * ```
 */
export function writeZip(entries: Iterable<ZipWriteEntry>, options: ZipWriteOptions = {}): Uint8Array {
  const level = options.level ?? 6;
  const always = options.zip64 === 'always';
  const parts: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    offset += b.length;
  };
  const written: Written[] = [];
  const expanded: ZipWriteEntry[] = [];
  for (const e of entries) {
    if (e.kind === 'whiteout') {
      const slash = e.path.lastIndexOf('/');
      expanded.push({ ...e, path: `${e.path.slice(0, slash + 1)}.wh.${e.path.slice(slash + 1)}` });
    } else {
      expanded.push(e);
      if (e.kind === 'dir' && e.opaque)
        expanded.push({ path: `${e.path}/.wh..wh..opq`, kind: 'whiteout', mtimeMs: e.mtimeMs });
    }
  }
  for (const e of expanded) {
    const mtimeMs = e.mtimeMs ?? options.mtimeMs ?? ZIP_EPOCH;
    let raw: Uint8Array;
    let type: number;
    let perm: number;
    let path = e.path;
    switch (e.kind) {
      case 'file':
        raw = e.data;
        type = 0o100000;
        perm = e.mode ?? 0o644;
        break;
      case 'dir':
        raw = new Uint8Array(0);
        type = 0o040000;
        perm = e.mode ?? 0o755;
        path = `${e.path}/`;
        break;
      case 'symlink':
        raw = encoder.encode(e.target);
        type = 0o120000;
        perm = e.mode ?? 0o777;
        break;
      case 'whiteout':
        // `e.path` already carries the `.wh.` prefix here.
        raw = new Uint8Array(0);
        type = 0o100000;
        perm = 0o644;
        break;
    }
    const name = encoder.encode(path);
    let data = raw;
    let method = 0;
    if (level > 0 && raw.length > 0 && e.kind === 'file') {
      const deflated = deflateSync(raw, { level });
      if (deflated.length < raw.length) {
        data = deflated;
        method = 8;
      }
    }
    const { time, date } = dosTime(mtimeMs);
    const zip64 = always || raw.length >= MAX32 || data.length >= MAX32 || offset >= MAX32;
    const w: Written = {
      name,
      crc: crc32(raw),
      size: raw.length,
      csize: data.length,
      method,
      offset,
      external: (((type | (perm & 0o7777)) << 16) | (e.kind === 'dir' ? 0x10 : 0)) >>> 0,
      time,
      date,
      unixSeconds: Math.floor(mtimeMs / 1000),
    };
    const extra = concat([
      timestampExtra(w.unixSeconds),
      zip64 ? zip64Extra(w.size, w.csize) : new Uint8Array(0),
    ]);
    const h = new DataView(new ArrayBuffer(30));
    h.setUint32(0, 0x04034b50, true);
    h.setUint16(4, zip64 ? 45 : 20, true);
    h.setUint16(6, 0x0800, true); // names are UTF-8
    h.setUint16(8, method, true);
    h.setUint16(10, time, true);
    h.setUint16(12, date, true);
    h.setUint32(14, w.crc, true);
    h.setUint32(18, zip64 ? MAX32 : w.csize, true);
    h.setUint32(22, zip64 ? MAX32 : w.size, true);
    h.setUint16(26, name.length, true);
    h.setUint16(28, extra.length, true);
    push(new Uint8Array(h.buffer));
    push(name);
    push(extra);
    push(data);
    written.push(w);
  }
  const cdStart = offset;
  for (const w of written) {
    const needs64 = always || w.size >= MAX32 || w.csize >= MAX32 || w.offset >= MAX32;
    const extra = concat([
      timestampExtra(w.unixSeconds),
      needs64 ? zip64Extra(w.size, w.csize, w.offset) : new Uint8Array(0),
    ]);
    const h = new DataView(new ArrayBuffer(46));
    h.setUint32(0, 0x02014b50, true);
    h.setUint16(4, (3 << 8) | (needs64 ? 45 : 20), true); // made by Unix
    h.setUint16(6, needs64 ? 45 : 20, true);
    h.setUint16(8, 0x0800, true);
    h.setUint16(10, w.method, true);
    h.setUint16(12, w.time, true);
    h.setUint16(14, w.date, true);
    h.setUint32(16, w.crc, true);
    h.setUint32(20, needs64 ? MAX32 : w.csize, true);
    h.setUint32(24, needs64 ? MAX32 : w.size, true);
    h.setUint16(28, w.name.length, true);
    h.setUint16(30, extra.length, true);
    h.setUint32(38, w.external, true);
    h.setUint32(42, needs64 ? MAX32 : w.offset, true);
    push(new Uint8Array(h.buffer));
    push(w.name);
    push(extra);
  }
  const cdSize = offset - cdStart;
  const count = written.length;
  if (always || count >= 0xffff || cdStart >= MAX32 || cdSize >= MAX32) {
    const at = offset;
    const r = new DataView(new ArrayBuffer(56));
    r.setUint32(0, 0x06064b50, true);
    r.setBigUint64(4, 44n, true);
    r.setUint16(12, (3 << 8) | 45, true);
    r.setUint16(14, 45, true);
    r.setBigUint64(24, BigInt(count), true);
    r.setBigUint64(32, BigInt(count), true);
    r.setBigUint64(40, BigInt(cdSize), true);
    r.setBigUint64(48, BigInt(cdStart), true);
    push(new Uint8Array(r.buffer));
    const l = new DataView(new ArrayBuffer(20));
    l.setUint32(0, 0x07064b50, true);
    l.setBigUint64(8, BigInt(at), true);
    l.setUint32(16, 1, true);
    push(new Uint8Array(l.buffer));
  }
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, always ? 0xffff : Math.min(count, 0xffff), true);
  end.setUint16(10, always ? 0xffff : Math.min(count, 0xffff), true);
  end.setUint32(12, always ? MAX32 : Math.min(cdSize, MAX32), true);
  end.setUint32(16, always ? MAX32 : Math.min(cdStart, MAX32), true);
  push(new Uint8Array(end.buffer));
  return concat(parts);
}

/** DOS date/time fields of a UTC time (clamped to the format's 1980–2107 range). */
function dosTime(ms: number): { time: number; date: number } {
  const d = new Date(Math.min(Math.max(ms, ZIP_EPOCH), Date.UTC(2107, 11, 31, 23, 59, 58)));
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** Extended timestamp (0x5455) with the modification time only. */
function timestampExtra(seconds: number): Uint8Array {
  const v = new DataView(new ArrayBuffer(9));
  v.setUint16(0, 0x5455, true);
  v.setUint16(2, 5, true);
  v.setUint8(4, 1);
  v.setInt32(5, Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, seconds)), true);
  return new Uint8Array(v.buffer);
}

/** Zip64 extended information (0x0001): sizes, and the header offset in the central directory. */
function zip64Extra(size: number, csize: number, offset?: number): Uint8Array {
  const n = offset === undefined ? 16 : 24;
  const v = new DataView(new ArrayBuffer(4 + n));
  v.setUint16(0, 0x0001, true);
  v.setUint16(2, n, true);
  v.setBigUint64(4, BigInt(size), true);
  v.setBigUint64(12, BigInt(csize), true);
  if (offset !== undefined) v.setBigUint64(20, BigInt(offset), true);
  return new Uint8Array(v.buffer);
}
