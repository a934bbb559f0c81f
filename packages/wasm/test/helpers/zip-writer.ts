/**
 * A small zip writer on Node's zlib (deflateRawSync, crc32), for tests: it can force Zip64
 * records, write CP437 or UTF-8 names, the extended-timestamp and Unicode-path extra fields,
 * and Unix modes, so the parser sees what real writers produce and what they rarely do.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface WriterEntry {
  /** A string is written as UTF-8 (flag bit 11 set unless `utf8: false`); bytes are written raw. */
  readonly name: string | Uint8Array;
  readonly data?: Uint8Array;
  readonly utf8?: boolean;
  /** st_mode including the type bits (e.g. 0o100644, 0o40755, 0o120777); sets host = Unix. */
  readonly unixMode?: number;
  /** Extended timestamp extra field (0x5455), seconds since the epoch. */
  readonly unixTime?: number;
  /** Info-ZIP Unicode path extra field (0x7075) carrying this name, with the CRC of the raw name. */
  readonly unicodePath?: string;
  readonly method?: 0 | 8;
  /** DOS date/time fields (default 2020-01-02 03:04:06). */
  readonly dosTime?: number;
  readonly dosDate?: number;
}

export interface WriterOptions {
  /** Write Zip64 extra fields for every entry and the Zip64 end records. */
  readonly zip64?: boolean;
  readonly comment?: string;
}

const encoder = new TextEncoder();

class Out {
  private chunks: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.byteLength;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.byteLength;
    }
    return out;
  }
}

function le(size: number, fill: (v: DataView) => void): Uint8Array {
  const b = new Uint8Array(size);
  fill(new DataView(b.buffer));
  return b;
}

export function writeZip(entries: readonly WriterEntry[], options: WriterOptions = {}): Uint8Array {
  const out = new Out();
  const central = new Out();
  // Like real writers, switch to Zip64 when the count does not fit the classic end record.
  const zip64 = options.zip64 === true || entries.length >= 0xffff;
  for (const e of entries) {
    const name = typeof e.name === 'string' ? encoder.encode(e.name) : e.name;
    const utf8 = typeof e.name === 'string' && e.utf8 !== false;
    const data = e.data ?? new Uint8Array();
    const method = e.method ?? (data.byteLength > 0 ? 8 : 0);
    const packed = method === 8 ? new Uint8Array(deflateRawSync(data)) : data;
    const crc = crc32(data) >>> 0;
    const offset = out.length;
    const extras: Uint8Array[] = [];
    if (zip64) {
      extras.push(
        le(28, (v) => {
          v.setUint16(0, 1, true);
          v.setUint16(2, 24, true);
          v.setBigUint64(4, BigInt(data.byteLength), true);
          v.setBigUint64(12, BigInt(packed.byteLength), true);
          v.setBigUint64(20, BigInt(offset), true);
        }),
      );
    }
    if (e.unixTime !== undefined) {
      const t = e.unixTime;
      extras.push(
        le(9, (v) => {
          v.setUint16(0, 0x5455, true);
          v.setUint16(2, 5, true);
          v.setUint8(4, 1);
          v.setInt32(5, t, true);
        }),
      );
    }
    if (e.unicodePath !== undefined) {
      const u = encoder.encode(e.unicodePath);
      const head = le(9, (v) => {
        v.setUint16(0, 0x7075, true);
        v.setUint16(2, 5 + u.byteLength, true);
        v.setUint8(4, 1);
        v.setUint32(5, crc32(name) >>> 0, true);
      });
      const field = new Uint8Array(head.byteLength + u.byteLength);
      field.set(head);
      field.set(u, head.byteLength);
      extras.push(field);
    }
    const extra = new Out();
    for (const x of extras) extra.push(x);
    const extraBytes = extra.bytes();
    const flags = utf8 ? 0x800 : 0;
    const dosTime = e.dosTime ?? (3 << 11) | (4 << 5) | 3;
    const dosDate = e.dosDate ?? (40 << 9) | (1 << 5) | 2;
    const big = zip64 ? 0xffffffff : -1;
    out.push(
      le(30, (v) => {
        v.setUint32(0, 0x04034b50, true);
        v.setUint16(4, zip64 ? 45 : 20, true);
        v.setUint16(6, flags, true);
        v.setUint16(8, method, true);
        v.setUint16(10, dosTime, true);
        v.setUint16(12, dosDate, true);
        v.setUint32(14, crc, true);
        v.setUint32(18, big >= 0 ? big : packed.byteLength, true);
        v.setUint32(22, big >= 0 ? big : data.byteLength, true);
        v.setUint16(26, name.byteLength, true);
        v.setUint16(28, 0, true);
      }),
    );
    out.push(name);
    out.push(packed);
    const unix = e.unixMode !== undefined;
    central.push(
      le(46, (v) => {
        v.setUint32(0, 0x02014b50, true);
        v.setUint16(4, ((unix ? 3 : 0) << 8) | 45, true);
        v.setUint16(6, zip64 ? 45 : 20, true);
        v.setUint16(8, flags, true);
        v.setUint16(10, method, true);
        v.setUint16(12, dosTime, true);
        v.setUint16(14, dosDate, true);
        v.setUint32(16, crc, true);
        v.setUint32(20, big >= 0 ? big : packed.byteLength, true);
        v.setUint32(24, big >= 0 ? big : data.byteLength, true);
        v.setUint16(28, name.byteLength, true);
        v.setUint16(30, extraBytes.byteLength, true);
        v.setUint16(32, 0, true);
        v.setUint16(34, 0, true);
        v.setUint16(36, 0, true);
        v.setUint32(38, unix ? ((e.unixMode as number) << 16) >>> 0 : 0, true);
        v.setUint32(42, big >= 0 ? big : offset, true);
      }),
    );
    central.push(name);
    central.push(extraBytes);
  }
  const cdOffset = out.length;
  const cd = central.bytes();
  out.push(cd);
  const count = entries.length;
  if (zip64) {
    const recordAt = out.length;
    out.push(
      le(56, (v) => {
        v.setUint32(0, 0x06064b50, true);
        v.setBigUint64(4, 44n, true);
        v.setUint16(12, 45, true);
        v.setUint16(14, 45, true);
        v.setBigUint64(24, BigInt(count), true);
        v.setBigUint64(32, BigInt(count), true);
        v.setBigUint64(40, BigInt(cd.byteLength), true);
        v.setBigUint64(48, BigInt(cdOffset), true);
      }),
    );
    out.push(
      le(20, (v) => {
        v.setUint32(0, 0x07064b50, true);
        v.setBigUint64(8, BigInt(recordAt), true);
        v.setUint32(16, 1, true);
      }),
    );
  }
  const comment = encoder.encode(options.comment ?? '');
  out.push(
    le(22, (v) => {
      v.setUint32(0, 0x06054b50, true);
      v.setUint16(8, zip64 ? 0xffff : count, true);
      v.setUint16(10, zip64 ? 0xffff : count, true);
      v.setUint32(12, zip64 ? 0xffffffff : cd.byteLength, true);
      v.setUint32(16, zip64 ? 0xffffffff : cdOffset, true);
      v.setUint16(20, comment.byteLength, true);
    }),
  );
  out.push(comment);
  return out.bytes();
}
