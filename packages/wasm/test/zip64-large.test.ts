/**
 * A zip of more than 4 GiB, declared but never written: the central directory, Zip64 end record,
 * locator and end record sit at offsets past 2^32 in a sparse source that holds only those bytes
 * (the rest reads as zeros, and only the last 64 KiB may be read). Sizes, compressed sizes, local header
 * offsets and the directory offset above 2^32 must come out exact, through the Zip64 extra field
 * and the Zip64 end record.
 */
import { describe, expect, it } from 'vitest';
import { Kind, NamespaceIndex, ZipDirectory, type ZipSource } from '../src/index.js';

const encoder = new TextEncoder();
const GiB = 2 ** 30;

interface Declared {
  readonly name: string;
  readonly size: number;
  readonly csize: number;
  readonly offset: number;
  readonly crc: number;
  readonly method: 0 | 8;
  readonly unixTime?: number;
}

/** A central record whose 32-bit fields say 0xffffffff wherever the value needs the Zip64 field. */
function centralRecord(e: Declared): Uint8Array {
  const name = encoder.encode(e.name);
  const wide = [e.size, e.csize, e.offset].map((v) => v >= 0xffffffff);
  const zip64Length = wide.filter(Boolean).length * 8;
  const extra = (zip64Length > 0 ? 4 + zip64Length : 0) + (e.unixTime === undefined ? 0 : 9);
  const b = new Uint8Array(46 + name.byteLength + extra);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x02014b50, true);
  v.setUint16(4, (3 << 8) | 45, true); // made by Unix, version 4.5 (Zip64)
  v.setUint16(6, 45, true);
  v.setUint16(8, 0x800, true); // UTF-8 names
  v.setUint16(10, e.method, true);
  v.setUint16(12, (3 << 11) | (4 << 5) | 3, true);
  v.setUint16(14, (40 << 9) | (1 << 5) | 2, true);
  v.setUint32(16, e.crc, true);
  v.setUint32(20, wide[1] ? 0xffffffff : e.csize, true);
  v.setUint32(24, wide[0] ? 0xffffffff : e.size, true);
  v.setUint16(28, name.byteLength, true);
  v.setUint16(30, extra, true);
  v.setUint32(38, 0o100644 << 16, true);
  v.setUint32(42, wide[2] ? 0xffffffff : e.offset, true);
  b.set(name, 46);
  let x = 46 + name.byteLength;
  if (zip64Length > 0) {
    v.setUint16(x, 0x0001, true);
    v.setUint16(x + 2, zip64Length, true);
    x += 4;
    // The order the specification fixes: size, compressed size, offset (only those that overflowed).
    for (const [k, value] of [e.size, e.csize, e.offset].entries()) {
      if (!wide[k]) continue;
      v.setBigUint64(x, BigInt(value), true);
      x += 8;
    }
  }
  if (e.unixTime !== undefined) {
    v.setUint16(x, 0x5455, true);
    v.setUint16(x + 2, 5, true);
    v.setUint8(x + 4, 1);
    v.setInt32(x + 5, e.unixTime, true);
  }
  return b;
}

/** The archive's tail (directory + Zip64 end record + locator + end record) placed at `cdOffset`. */
function sparseZip(entries: readonly Declared[], cdOffset: number): { source: ZipSource; reads: number[] } {
  const records = entries.map(centralRecord);
  const cdSize = records.reduce((n, r) => n + r.byteLength, 0);
  const tail = new Uint8Array(cdSize + 56 + 20 + 22);
  const v = new DataView(tail.buffer);
  let at = 0;
  for (const r of records) {
    tail.set(r, at);
    at += r.byteLength;
  }
  const zip64At = cdOffset + cdSize;
  v.setUint32(at, 0x06064b50, true);
  v.setBigUint64(at + 4, 44n, true);
  v.setUint16(at + 12, 45, true);
  v.setUint16(at + 14, 45, true);
  v.setBigUint64(at + 24, BigInt(entries.length), true);
  v.setBigUint64(at + 32, BigInt(entries.length), true);
  v.setBigUint64(at + 40, BigInt(cdSize), true);
  v.setBigUint64(at + 48, BigInt(cdOffset), true);
  at += 56;
  v.setUint32(at, 0x07064b50, true);
  v.setBigUint64(at + 8, BigInt(zip64At), true);
  v.setUint32(at + 16, 1, true);
  at += 20;
  v.setUint32(at, 0x06054b50, true);
  v.setUint16(at + 8, 0xffff, true);
  v.setUint16(at + 10, 0xffff, true);
  v.setUint32(at + 12, 0xffffffff, true);
  v.setUint32(at + 16, 0xffffffff, true);
  const reads: number[] = [];
  const size = cdOffset + tail.byteLength;
  const source: ZipSource = {
    size,
    read(offset, length) {
      reads.push(offset);
      if (offset < 0 || offset + length > size)
        throw new Error(`read of ${length} bytes at ${offset}: past the end`);
      // Entry data is never written: it reads as zeros (the end-record search reads 64 KiB of it).
      const out = new Uint8Array(length);
      const from = Math.max(offset, cdOffset);
      if (from < offset + length)
        out.set(tail.subarray(from - cdOffset, offset + length - cdOffset), from - offset);
      return out;
    },
  };
  return { source, reads };
}

// Local headers are 30 bytes + name; each entry's data follows its header, the directory follows them all.
const big: Declared = {
  name: 'big/disk.img',
  size: 5 * GiB + 3,
  csize: 4 * GiB + 17,
  offset: 0,
  crc: 0xdeadbeef,
  method: 8,
};
const afterBig: Declared = {
  name: 'big/after.txt',
  size: 12,
  csize: 12,
  offset: 30 + 12 + big.csize, // 4,294,967,355: past 2^32, only the offset needs Zip64
  crc: 0x12345678,
  method: 0,
  unixTime: 1_700_000_000,
};
const exactly4G: Declared = {
  name: 'edge/four.bin',
  size: 0xffffffff, // the sentinel value itself: must come from the Zip64 field
  csize: 0xffffffff,
  offset: afterBig.offset + 30 + 13 + 12,
  crc: 1,
  method: 0,
};
const farOffset: Declared = {
  name: 'edge/far.txt',
  size: 2 ** 33 + 1,
  csize: 100,
  offset: exactly4G.offset + 30 + 13 + exactly4G.csize,
  crc: 2,
  method: 8,
};
const cdOffset = farOffset.offset + 30 + 12 + farOffset.csize; // 8,589,934,890

describe('zip directory: Zip64 past 4 GiB (sparse archive)', () => {
  it('reads sizes, offsets and the directory offset above 2^32 exactly', async () => {
    const entries = [big, afterBig, exactly4G, farOffset];
    const { source, reads } = sparseZip(entries, cdOffset);
    expect(source.size).toBeGreaterThan(8 * GiB);
    const dir = await ZipDirectory.open(source, { name: 'sparse.zip' });
    expect(dir.warnings).toEqual([]);
    expect(dir.count).toBe(4);
    expect(dir.directoryOffset).toBe(cdOffset);
    expect(cdOffset).toBe(8_589_934_890);
    entries.forEach((e, i) => {
      expect(dir.entry(i)).toMatchObject({
        path: e.name,
        kind: Kind.File,
        size: e.size,
        compressedSize: e.csize,
        offset: e.offset,
        crc32: e.crc,
        method: e.method,
      });
    });
    expect(dir.size(0)).toBe(5_368_709_123);
    expect(dir.compressedSize(0)).toBe(4_294_967_313);
    expect(dir.offset(1)).toBe(4_294_967_355);
    expect(dir.mtimeMs(1)).toBe(1_700_000_000_000);
    expect(dir.size(2)).toBe(4_294_967_295);
    expect(dir.size(3)).toBe(8_589_934_593);
    expect(dir.offset(3)).toBe(8_589_934_748);
    // Only the end-record search window and the directory were read, never the 8 GiB before them.
    expect(Math.min(...reads)).toBe(source.size - (22 + 0xffff + 20));
    dir.close();
  });

  it('builds the index from it; refs lead back to the exact sizes', async () => {
    const { source } = sparseZip([big, afterBig, exactly4G, farOffset], cdOffset);
    const index = await NamespaceIndex.create();
    const dir = await index.openZip(source, { name: 'sparse.zip' });
    index.addZipLayer(0, dir);
    expect(dir.size(index.ref(index.lookupPath('/big/disk.img')))).toBe(5 * GiB + 3);
    expect(dir.offset(index.ref(index.lookupPath('/edge/far.txt')))).toBe(farOffset.offset);
    expect(index.childNames(index.lookupPath('/big'))).toEqual(['disk.img', 'after.txt']);
    dir.close();
    index.close();
  });

  it('rejects entries whose 64-bit data would overlap the directory, or that exceed 2^53', async () => {
    const overlapping: Declared = { ...afterBig, name: 'bad/overlap', offset: cdOffset - 30 };
    const tooLarge: Declared = { ...afterBig, name: 'bad/huge', size: 2 ** 53 + 2 };
    const { source } = sparseZip([big, overlapping, tooLarge], cdOffset);
    const dir = await ZipDirectory.open(source, { name: 'sparse.zip' });
    expect(dir.warnings.map((w) => [w.index, w.name, w.code])).toEqual([
      [1, 'bad/overlap', 'EIO'],
      [2, 'bad/huge', 'EIO'],
    ]);
    expect(dir.warnings[0]?.message).toMatch(/central directory/);
    expect(dir.warnings[1]?.message).toMatch(/2\^53/);
    expect([dir.usable(0), dir.usable(1), dir.usable(2)]).toEqual([true, false, false]);
    expect(dir.size(0)).toBe(5 * GiB + 3);
    dir.close();
  });
});
