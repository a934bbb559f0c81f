import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BlobReader,
  BlobWriter,
  Uint8ArrayReader,
  Uint8ArrayWriter,
  ZipReader,
  ZipWriter,
} from '@zip.js/zip.js';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { Kind, NamespaceIndex, type WasmFsError, ZipDirectory } from '../src/index.js';
import { writeZip } from './helpers/zip-writer.js';

const encoder = new TextEncoder();
const tmp = mkdtempSync(join(tmpdir(), 'vellum-wasm-zip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hasZip = spawnSync('sh', ['-c', 'command -v zip'], { stdio: 'ignore' }).status === 0;

async function parse(bytes: Uint8Array): Promise<ZipDirectory> {
  return ZipDirectory.fromBytes(bytes, { name: 'test.zip' });
}

async function failure(bytes: Uint8Array): Promise<WasmFsError> {
  try {
    (await parse(bytes)).close();
  } catch (e) {
    return e as WasmFsError;
  }
  throw new Error('parsed without error');
}

/** DOS time is local time without a zone; the parser reads it as UTC. */
const dosAsUtc = (d: Date): number =>
  Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds() & ~1);

describe('zip directory: fflate archives', () => {
  it('reads names, kinds, sizes, method, CRC, offsets, Unix modes, symlinks and DOS times', async () => {
    const mtime = new Date(2021, 4, 6, 7, 8, 10);
    const text = encoder.encode('hello '.repeat(100));
    const zip = zipSync(
      {
        'dir/': [new Uint8Array(), { os: 3, attrs: 0o40750 << 16, mtime }],
        'dir/a.txt': [text, { os: 3, attrs: 0o100640 << 16, mtime }],
        'dir/link': [encoder.encode('a.txt'), { os: 3, attrs: (0o120777 << 16) >>> 0, level: 0, mtime }],
        'ünï cödé/€.bin': [new Uint8Array([1, 2, 3]), { mtime, level: 0 }],
      },
      { mtime },
    );
    const dir = await parse(zip);
    expect(dir.count).toBe(4);
    expect(dir.warnings).toEqual([]);
    const listed = new Map<string, { size: number; originalSize: number; compression: number }>();
    unzipSync(zip, {
      filter: (f) => {
        listed.set(f.name, f);
        return false;
      },
    });
    const entries = [...dir.entries()];
    expect(entries.map((e) => e.path)).toEqual(['dir', 'dir/a.txt', 'dir/link', 'ünï cödé/€.bin']);
    for (const e of entries) {
      const f = listed.get(e.kind === Kind.Dir ? `${e.path}/` : e.path);
      expect(f).toBeDefined();
      expect(e.size).toBe(f?.originalSize);
      expect(e.compressedSize).toBe(f?.size);
      expect(e.method).toBe(f?.compression);
      expect(e.mtimeMs).toBe(dosAsUtc(mtime));
    }
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('dir')).toMatchObject({ kind: Kind.Dir, mode: 0o750 });
    expect(byPath.get('dir/a.txt')).toMatchObject({
      kind: Kind.File,
      mode: 0o640,
      size: text.byteLength,
      method: 8,
    });
    expect(byPath.get('dir/link')).toMatchObject({ kind: Kind.Symlink, mode: 0o777, size: 5, method: 0 });
    expect(byPath.get('ünï cödé/€.bin')).toMatchObject({ kind: Kind.File, mode: 0o644, crc32: 0x55bc801d });
    // The offset points at the local header of the entry.
    const at = byPath.get('dir/a.txt')?.offset as number;
    expect(new DataView(zip.buffer, zip.byteOffset + at).getUint32(0, true)).toBe(0x04034b50);
    dir.close();
  });
});

describe('zip directory: Info-ZIP zip archives', () => {
  it.skipIf(!hasZip)('reads a tree with modes, a symlink, UTF-8 names and extended timestamps', async () => {
    const root = join(tmp, 'infozip');
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    writeFileSync(join(root, 'src', 'main.ts'), 'export const x = 1;\n'.repeat(50));
    writeFileSync(join(root, 'src', 'deep', 'ßpecial ñame.txt'), 'x');
    writeFileSync(join(root, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('src/main.ts', join(root, 'link'));
    const when = 1_600_000_000;
    for (const p of ['src/main.ts', 'src/deep/ßpecial ñame.txt', 'run.sh'])
      utimesSync(join(root, p), when, when);
    const out = join(tmp, 'infozip.zip');
    const run = spawnSync('zip', ['-q', '-r', '-y', out, '.'], { cwd: root });
    expect(run.status, String(run.stderr)).toBe(0);
    const dir = await parse(new Uint8Array(readFileSync(out)));
    expect(dir.warnings).toEqual([]);
    const byPath = new Map([...dir.entries()].map((e) => [e.path, e]));
    expect([...byPath.keys()].sort()).toEqual(
      ['link', 'run.sh', 'src', 'src/deep', 'src/deep/ßpecial ñame.txt', 'src/main.ts'].sort(),
    );
    expect(byPath.get('src')?.kind).toBe(Kind.Dir);
    expect(byPath.get('link')).toMatchObject({ kind: Kind.Symlink, size: 'src/main.ts'.length });
    expect(byPath.get('run.sh')).toMatchObject({ kind: Kind.File, mode: 0o755, size: 10 });
    expect(byPath.get('src/main.ts')).toMatchObject({ method: 8, size: 20 * 50, mtimeMs: when * 1000 });
    expect(byPath.get('src/deep/ßpecial ñame.txt')?.mtimeMs).toBe(when * 1000);
    dir.close();
  });

  it.skipIf(!hasZip)('reads an archive of 70,000 entries (Zip64 end records)', async () => {
    const root = join(tmp, 'many');
    for (let d = 0; d < 70; d++) {
      mkdirSync(join(root, `d${d}`), { recursive: true });
      for (let f = 0; f < 1000; f++) writeFileSync(join(root, `d${d}`, `f${f}`), '');
    }
    const out = join(tmp, 'many.zip');
    const run = spawnSync('zip', ['-q', '-r', '-0', '-X', out, '.'], { cwd: root, maxBuffer: 1 << 26 });
    expect(run.status, String(run.stderr)).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    // It is a Zip64 archive: the locator sits right before the classic end record.
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect(v.getUint32(bytes.byteLength - 22 - 20, true)).toBe(0x07064b50);
    const dir = await parse(bytes);
    expect(dir.count).toBe(70_070);
    expect(dir.warnings).toEqual([]);
    const index = await NamespaceIndex.create();
    index.addZipLayer(0, dir);
    expect(index.nodeCount).toBe(1 + 70_070);
    expect(index.childCount(index.lookupPath('/d69'))).toBe(1000);
    expect(dir.path(index.ref(index.lookupPath('/d12/f345')))).toBe('d12/f345');
    index.close();
    dir.close();
  });
});

describe('zip directory: Node zlib writer', () => {
  it('reads forced Zip64 records and extra fields, CP437 names, the Unicode path field', async () => {
    const data = encoder.encode('data '.repeat(1000));
    const zip = writeZip(
      [
        { name: new Uint8Array([0x81, 0x62, 0x65, 0x72, 0xe1]), data }, // CP437 "über" + ß
        { name: 'utf8/ok.txt', data: new Uint8Array([1]), unixTime: 1_234_567_890 },
        { name: new Uint8Array([0x3f, 0x2e, 0x74, 0x78, 0x74]), unicodePath: 'naïve.txt', data },
        { name: 'bin/tool', unixMode: 0o100755, data: new Uint8Array(10) },
        { name: 'bin/sh', unixMode: 0o120777, data: encoder.encode('tool'), method: 0 },
        { name: '/abs//./x', data: new Uint8Array(1) },
      ],
      { zip64: true, comment: 'a comment with PK\x05\x06 inside' },
    );
    const dir = await parse(zip);
    expect(dir.warnings).toEqual([]);
    const e = [...dir.entries()];
    expect(e.map((x) => x.path)).toEqual([
      'überß',
      'utf8/ok.txt',
      'naïve.txt',
      'bin/tool',
      'bin/sh',
      'abs/x',
    ]);
    expect(e[0]).toMatchObject({ size: data.byteLength, method: 8 });
    expect(e[1]?.mtimeMs).toBe(1_234_567_890_000);
    expect(e[0]?.mtimeMs).toBe(Date.UTC(2020, 0, 2, 3, 4, 6));
    expect(e[3]).toMatchObject({ kind: Kind.File, mode: 0o755 });
    expect(e[4]).toMatchObject({ kind: Kind.Symlink });
    dir.close();
  });

  it('reads 70,000 entries written with automatic Zip64 and builds the index from them', async () => {
    const entries = Array.from({ length: 70_000 }, (_, i) => ({ name: `t${i % 10}/d${i % 97}/f${i}` }));
    const zip = writeZip(entries);
    const index = await NamespaceIndex.create();
    // Parsed into the index's own instance (no copy), with a second zip layer on top.
    const dir = await index.openZip({ size: zip.byteLength, read: (o, n) => zip.subarray(o, o + n) });
    expect(dir.count).toBe(70_000);
    expect(dir.path(69_999)).toBe('t9/d62/f69999');
    index.addZipLayer(3, dir);
    const top = await index.openZip({ size: 0, read: () => new Uint8Array() }).catch((e: WasmFsError) => e);
    expect(top).toMatchObject({ code: 'EIO' });
    const small = writeZip([{ name: 't9/d62/f69999', data: new Uint8Array(7) }]);
    const over = await index.openZip({ size: small.byteLength, read: (o, n) => small.subarray(o, o + n) });
    index.addZipLayer(2, over);
    const id = index.lookupPath('/t9/d62/f69999');
    expect([index.layer(id), index.ref(id)]).toEqual([2, 0]);
    expect(over.size(0)).toBe(7);
    over.close();
    expect(dir.path(index.ref(index.lookupPath('/t0/d0/f0')))).toBe('t0/d0/f0');
    expect(index.flags(index.lookupPath('/t9')) & 16).toBe(16); // implicit parent
    dir.close();
    index.close();
  });
});

describe('zip directory: @zip.js/zip.js archives', () => {
  it('agrees with zip.js getEntries (names, sizes, offsets, CRC, method, directories)', async () => {
    const writer = new ZipWriter(new Uint8ArrayWriter(), { zip64: true, extendedTimestamp: true });
    await writer.add('docs/', undefined, { directory: true });
    await writer.add('docs/readme.md', new Uint8ArrayReader(encoder.encode('# hi\n'.repeat(99))));
    await writer.add('docs/日本語.txt', new Uint8ArrayReader(encoder.encode('x')), { level: 0 });
    await writer.add('b.bin', new BlobReader(new Blob([new Uint8Array(5000)])));
    const zip = await writer.close();
    const reader = new ZipReader(new BlobReader(new Blob([zip])));
    const theirs = await reader.getEntries();
    await reader.close();
    const dir = await parse(zip);
    expect(dir.warnings).toEqual([]);
    expect(dir.count).toBe(theirs.length);
    theirs.forEach((t, i) => {
      expect(dir.path(i)).toBe(t.filename.replace(/\/$/, ''));
      expect(dir.kind(i)).toBe(t.directory ? Kind.Dir : Kind.File);
      expect(dir.size(i)).toBe(t.uncompressedSize);
      expect(dir.compressedSize(i)).toBe(t.compressedSize);
      expect(dir.offset(i)).toBe(t.offset);
      expect(dir.crc32(i)).toBe(t.signature);
      expect(dir.method(i)).toBe(t.compressionMethod);
      expect(Math.abs(dir.mtimeMs(i) - t.lastModDate.getTime())).toBeLessThan(2000 + 24 * 3600 * 1000);
    });
    void BlobWriter;
  });
});

describe('zip directory: damaged and hostile input', () => {
  const good = (): Uint8Array =>
    writeZip([
      { name: 'a.txt', data: encoder.encode('aaaa') },
      { name: 'b/c.txt', data: encoder.encode('c') },
    ]);
  const eocd = (z: Uint8Array): DataView => new DataView(z.buffer, z.byteOffset + z.byteLength - 22);

  it('refuses what is not a zip, or a truncated one, with EIO and a cause', async () => {
    for (const bytes of [
      new Uint8Array(),
      new Uint8Array(21),
      encoder.encode('not a zip file at all'.repeat(9)),
    ]) {
      const e = await failure(bytes);
      expect(e.code).toBe('EIO');
      expect(e.path).toBe('test.zip');
      expect(String((e.cause as Error).message)).toMatch(/end of central directory/);
    }
    const z = good();
    expect((await failure(z.subarray(0, z.byteLength - 30))).code).toBe('EIO');
  });

  it('refuses lying counts, sizes and offsets', async () => {
    const count = good();
    eocd(count).setUint16(8, 60_000, true);
    eocd(count).setUint16(10, 60_000, true);
    expect(String((await failure(count)).cause)).toMatch(/entry count/);
    const size = good();
    eocd(size).setUint32(12, 0x7fffffff, true);
    expect(String((await failure(size)).cause)).toMatch(/outside the file/);
    const offset = good();
    eocd(offset).setUint32(16, 0xfffffff0, true);
    expect(String((await failure(offset)).cause)).toMatch(/outside the file/);
    const shifted = good();
    eocd(shifted).setUint32(16, eocd(shifted).getUint32(16, true) - 1, true);
    expect(String((await failure(shifted)).cause)).toMatch(
      /entry #0 of 2: bad central directory record signature/,
    );
    const disks = good();
    eocd(disks).setUint16(4, 1, true);
    expect(String((await failure(disks)).cause)).toMatch(/several disks/);
    const long = good();
    // The first record claims a name longer than the directory.
    const cdAt = eocd(long).getUint32(16, true);
    new DataView(long.buffer, long.byteOffset + cdAt).setUint16(28, 0xffff, true);
    expect(String((await failure(long)).cause)).toMatch(
      /entry #0 of 2: central directory record is truncated/,
    );
  });

  it('rejects unsafe names and impossible data offsets with warnings naming the entry', async () => {
    const zip = writeZip([
      { name: 'ok.txt', data: new Uint8Array(1) },
      { name: 'evil/../../etc/passwd' },
      { name: 'nul\0byte' },
      { name: `${'x'.repeat(256)}/y` },
      { name: new Uint8Array([0xff, 0xfe]), utf8: true },
      { name: 'ok.txt', data: new Uint8Array(2) },
      { name: 'ok.txt/below', data: new Uint8Array(1) },
    ]);
    // Flag the raw 0xff 0xfe name as UTF-8 (the writer only flags string names).
    const v = new DataView(zip.buffer, zip.byteOffset);
    let at = v.getUint32(zip.byteLength - 22 + 16, true);
    for (let i = 0; i < 4; i++) at += 46 + v.getUint16(at + 28, true) + v.getUint16(at + 30, true);
    v.setUint16(at + 8, 0x800, true);
    const dir = await parse(zip);
    expect(dir.warnings.map((w) => [w.index, w.code, w.message])).toEqual([
      [1, 'EINVAL', "the name has a '..' component"],
      [2, 'EINVAL', 'the name contains a NUL byte'],
      [3, 'EINVAL', 'a name component is longer than 255 bytes'],
      [4, 'EINVAL', 'the name is flagged UTF-8 but is not valid UTF-8'],
    ]);
    expect(dir.warnings[0]?.name).toBe('evil/../../etc/passwd');
    expect(dir.usable(1)).toBe(false);
    const index = await NamespaceIndex.create();
    index.addZipLayer(0, dir);
    expect(index.childNames(index.root)).toEqual(['ok.txt']);
    expect(index.ref(index.lookupPath('/ok.txt'))).toBe(5);
    expect(index.warnings.map((w) => [w.ref, w.code])).toEqual([
      [0, 'EEXIST'],
      [6, 'ENOTDIR'],
    ]);
    index.close();

    // A local header offset past the central directory.
    const bad = writeZip([{ name: 'far', data: new Uint8Array(4) }]);
    const cd = new DataView(
      bad.buffer,
      bad.byteOffset + new DataView(bad.buffer).getUint32(bad.byteLength - 6, true),
    );
    cd.setUint32(42, 0x7ffffff0, true);
    const far = await parse(bad);
    expect(far.warnings).toEqual([
      expect.objectContaining({ index: 0, code: 'EIO', name: 'far', message: expect.stringMatching(/past/) }),
    ]);
  });
});
