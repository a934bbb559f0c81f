/**
 * ZipLayer over bytes and Blobs: entry kinds, modes, times, symlinks, stored and deflate (both
 * inflaters), CRC-32, Zip64, the limits that protect the tab, unsafe names, OCI whiteouts, and
 * the engine over a zip lower behaving as over the same tree in memory.
 */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { dir, file, type LowerEntry, MemoryUpper, Overlay, symlink, type Tree } from '../src/index.js';
import { type LayerWarning, writeZip, ZipLayer } from '../src/zip/index.js';
import { rejection, sameBytes } from './helpers.js';
import { memoryOf, T0, zipOf } from './zip/fixtures.js';

const encoder = new TextEncoder();
const big = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7919) % 251);

const sample: Tree = {
  'README.md': file('# hello\n'.repeat(50), { mode: 0o644 }),
  bin: dir({ run: file('#!/bin/sh\necho hi\n', { mode: 0o755 }) }, { mode: 0o750 }),
  src: { 'main.ts': 'export const x = 1;\n', 'data.bin': big(200_000), empty: '' },
  latest: symlink('src/main.ts'),
};

async function listing(layer: ZipLayer): Promise<Map<string, LowerEntry>> {
  const out = new Map<string, LowerEntry>();
  for await (const e of layer.entries()) out.set(e.path, e);
  return out;
}

describe('ZipLayer from bytes', () => {
  it('lists kinds, Unix modes, times and symlink targets, and reads stored and deflated entries', async () => {
    const zip = zipOf(sample);
    const layer = await ZipLayer.open(zip);
    expect(layer.warnings).toEqual([]);
    expect(layer.id).toMatch(/^zip:[0-9a-f]{32}$/);
    const entries = await listing(layer);
    expect(entries.get('/bin')).toMatchObject({ kind: 'dir', mode: 0o750, mtimeMs: T0 });
    expect(entries.get('/bin/run')).toMatchObject({ kind: 'file', mode: 0o755, size: 18 });
    expect(entries.get('/latest')).toMatchObject({ kind: 'symlink', target: 'src/main.ts' });
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    expect(await ov.readFile('/README.md', 'utf8')).toBe('# hello\n'.repeat(50));
    expect(sameBytes(await ov.readFile('/src/data.bin'), big(200_000))).toBe(true);
    expect(await ov.readFile('/latest', 'utf8')).toBe('export const x = 1;\n');
    expect(await ov.readFile('/src/empty', 'utf8')).toBe('');
    expect((await ov.stat('/bin/run')).mode & 0o7777).toBe(0o755);
    expect((await ov.lstat('/latest')).isSymbolicLink()).toBe(true);
    expect((await ov.stat('/src/main.ts')).mtimeMs).toBe(T0);
  });

  it('is deterministic: the same tree gives the same bytes and the same id', async () => {
    const a = zipOf(sample);
    expect(zipOf(sample)).toEqual(a);
    expect((await ZipLayer.open(a)).id).toBe((await ZipLayer.open(zipOf(sample))).id);
    expect((await ZipLayer.open(a)).id).not.toBe((await ZipLayer.open(zipOf({ ...sample, more: 'x' }))).id);
  });

  it.each(['native', 'fflate'] as const)(
    'inflates with %s and serves ranges of a deflated entry',
    async (inflate) => {
      const layer = await ZipLayer.open(zipOf(sample), { inflate });
      const ref = [...(await listing(layer)).values()].find((e) => e.path === '/src/data.bin');
      if (ref?.kind !== 'file') throw new Error('missing');
      expect(await layer.read(ref.ref, 1000, 10)).toEqual(big(200_000).subarray(1000, 1010));
      expect(await layer.read(ref.ref, 199_995, 100)).toEqual(big(200_000).subarray(199_995));
      // Cached now: served at once, and a copy each time.
      const once = layer.readSync(ref.ref, 0, 4);
      expect(once).toEqual(big(4));
      if (once) once[0] = 99;
      expect(layer.readSync(ref.ref, 0, 1)).toEqual(Uint8Array.of(0));
    },
  );

  it('reads archives made by fflate (deflate levels, implicit directories)', async () => {
    const zip = zipSync({
      'a/b/c.txt': strToU8('deep '.repeat(1000)),
      'top.txt': [strToU8('top'), { level: 0 }],
    });
    const ov = await Overlay.create({ lowers: [await ZipLayer.open(zip)], upper: new MemoryUpper() });
    expect(await ov.readdir('/a/b')).toEqual(['c.txt']);
    expect(await ov.readFile('/a/b/c.txt', 'utf8')).toBe('deep '.repeat(1000));
    expect(await ov.readFile('/top.txt', 'utf8')).toBe('top');
  });

  it('reads a Blob lazily, like bytes', async () => {
    const layer = await ZipLayer.open(new Blob([zipOf(sample) as Uint8Array<ArrayBuffer>]));
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    expect(sameBytes(await ov.readFile('/src/data.bin'), big(200_000))).toBe(true);
    expect(layer.lazy).toBe(true);
  });

  it('reads Zip64 archives', async () => {
    const layer = await ZipLayer.open(zipOf(sample, { zip64: 'always' }));
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    expect(sameBytes(await ov.readFile('/src/data.bin'), big(200_000))).toBe(true);
    expect(await ov.readlink('/latest')).toBe('src/main.ts');
  });

  it('checks the CRC-32 of every whole entry: EIO naming the entry', async () => {
    const zip = writeZip(
      [{ path: 'a.txt', kind: 'file', data: encoder.encode('hello world'), mode: 0o644 }],
      { level: 0 },
    );
    const at = findBytes(zip, encoder.encode('hello world'));
    zip[at] = 'j'.charCodeAt(0);
    const ov = await Overlay.create({ lowers: [await ZipLayer.open(zip)], upper: new MemoryUpper() });
    const e = await rejection(ov.readFile('/a.txt'));
    expect(e.code).toBe('EIO');
    expect(e.path).toBe('/a.txt');
    expect(String((e.cause as Error).message)).toMatch(/CRC-32 mismatch in 'a.txt'/);
    // Not poisoned: still EIO next time (the bytes are still wrong), not a cached answer.
    expect((await rejection(ov.readFile('/a.txt'))).code).toBe('EIO');
  });

  it('a damaged or non-zip file fails to open with EIO', async () => {
    const e = await rejection(ZipLayer.open(encoder.encode('not a zip at all')));
    expect(e.code).toBe('EIO');
    expect(String((e.cause as Error).message)).toMatch(/end of central directory/);
  });
});

describe('ZipLayer limits', () => {
  it('leaves out entries over the size cap and over the compression-ratio cap, with warnings', async () => {
    const zeros = new Uint8Array(4 * 1024 * 1024);
    const zip = writeZip([
      { path: 'bomb.bin', kind: 'file', data: zeros },
      { path: 'big.bin', kind: 'file', data: big(300_000) },
      { path: 'ok.txt', kind: 'file', data: encoder.encode('fine') },
    ]);
    const seen: LayerWarning[] = [];
    const layer = await ZipLayer.open(zip, {
      maxEntrySize: 3 * 1024 * 1024 + 1,
      maxCompressionRatio: 100,
      onWarning: (w) => seen.push(w),
    });
    expect([...(await listing(layer)).keys()].sort()).toEqual(['/big.bin', '/ok.txt']);
    expect(seen).toEqual(layer.warnings);
    expect(seen).toEqual([
      expect.objectContaining({ kind: 'rejected-entry', name: 'bomb.bin', code: 'EFBIG' }),
    ]);
    const capped = await ZipLayer.open(zip, { maxEntrySize: 100_000 });
    expect(capped.warnings.map((w) => w.name).sort()).toEqual(['big.bin', 'bomb.bin']);
  });

  it('stops inflating at the declared size when an entry lies about it', async () => {
    const zip = writeZip([{ path: 'liar.txt', kind: 'file', data: encoder.encode('x'.repeat(10_000)) }]);
    // Shrink the declared size in the central directory (offset 24 of the record) to 100 bytes.
    const cd = findBytes(zip, Uint8Array.of(0x50, 0x4b, 0x01, 0x02));
    new DataView(zip.buffer).setUint32(cd + 24, 100, true);
    for (const inflate of ['native', 'fflate'] as const) {
      const layer = await ZipLayer.open(zip, { inflate });
      const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
      const e = await rejection(ov.readFile('/liar.txt'));
      expect(e.code).toBe('EIO');
      expect(String((e.cause as Error).message)).toMatch(/inflates past its declared size of 100 bytes/);
    }
  });

  it('refuses names with .., absolute paths, backslashes or NUL, with warnings; nothing escapes the root', async () => {
    const names = ['../evil', 'a/../../evil2', '/etc/passwd', 'C:/win', 'a\\b', 'nul\0x', 'fine/ok'];
    const zip = writeZip(names.map((path) => ({ path, kind: 'file' as const, data: encoder.encode(path) })));
    const layer = await ZipLayer.open(zip);
    expect([...(await listing(layer)).keys()]).toEqual(['/fine/ok']);
    expect(layer.warnings.map((w) => w.name)).toEqual(expect.arrayContaining(names.slice(0, 6)));
    expect(layer.warnings).toHaveLength(6);
    for (const w of layer.warnings) expect(w).toMatchObject({ kind: 'rejected-entry', code: 'EINVAL' });
  });
});

describe('ZipLayer OCI whiteouts', () => {
  const lowerTree: Tree = { a: 'below', d: { old: '1' }, keep: 'k', e: { x: 'y' } };
  const zip = writeZip([
    { path: 'a', kind: 'whiteout' },
    { path: 'd', kind: 'dir', opaque: true },
    { path: 'd/new', kind: 'file', data: encoder.encode('n') },
    { path: 'e/x', kind: 'whiteout' },
    // A whiteout never hides a name of its own layer.
    { path: 'same', kind: 'file', data: encoder.encode('mine') },
    { path: 'same', kind: 'whiteout' },
  ]);

  it("`whiteouts: 'oci'` turns .wh. entries into whiteouts and opaque marks", async () => {
    const top = await ZipLayer.open(zip, { whiteouts: 'oci' });
    const ov = await Overlay.create({
      lowers: [top, memoryOf({ ...lowerTree, same: 'theirs' }, 'm')],
      upper: new MemoryUpper(),
    });
    expect((await rejection(ov.stat('/a'))).code).toBe('ENOENT');
    expect(await ov.readdir('/d')).toEqual(['new']);
    expect(await ov.readdir('/e')).toEqual([]);
    expect(await ov.readFile('/keep', 'utf8')).toBe('k');
    expect(await ov.readFile('/same', 'utf8')).toBe('mine');
  });

  it('without the option they are plain files', async () => {
    const top = await ZipLayer.open(zip);
    const ov = await Overlay.create({ lowers: [top, memoryOf(lowerTree, 'm')], upper: new MemoryUpper() });
    expect((await ov.readdir('/')).sort()).toEqual(['.wh.a', '.wh.same', 'a', 'd', 'e', 'keep', 'same']);
    expect((await ov.readdir('/d')).sort()).toEqual(['.wh..wh..opq', 'new', 'old']);
  });
});

function findBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}
