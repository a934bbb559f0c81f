/**
 * Golden inode numbers of lower objects. A persisted upper (IndexedDB) finds the lower objects
 * it copied up by inode number, so these numbers must never change: `lowerInoBase(layer) +
 * ordinal`, the ordinal counting the layer's `entries()` in order, an implicit parent numbered
 * when first needed, a merged directory taking its topmost layer's number, a hard link its
 * target's. The expected values were recorded from the engine at c3340c0, before the lower index
 * moved into wasm; they are literals on purpose.
 */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { type LowerEntry, type LowerLayer, MemoryLayer, MemoryUpper, Overlay } from '../src/index.js';
import { ZipLayer } from '../src/zip/index.js';
import { T0 } from './zip/fixtures.js';

const encoder = new TextEncoder();

/** A lower that lists exactly the entries given, in that order (MemoryLayer may not). */
function rawLayer(id: string, entries: LowerEntry[]): LowerLayer {
  return {
    id,
    entries: () => entries,
    read: async () => new Uint8Array(0),
  };
}

const meta = { mode: 0o644, uid: 0, gid: 0, atimeMs: T0, mtimeMs: T0, ctimeMs: T0, birthtimeMs: T0 };
const dirMeta = { ...meta, mode: 0o755 };
const file = (path: string, ref = 0): LowerEntry => ({ ...meta, path, kind: 'file', size: 0, ref });
const dirE = (path: string, opaque = false): LowerEntry => ({ ...dirMeta, path, kind: 'dir', opaque });

/**
 * Every name the overlay shows, depth first in readdir order: lstat's ino, stat's ino (symlinks
 * followed; '-' when dangling) and the ino readdir's Dirent reports.
 */
async function inodes(ov: Overlay): Promise<string[]> {
  const out: string[] = [];
  const root = await ov.lstat('/');
  out.push(`/ ${root.ino}`);
  const visit = async (dir: string): Promise<void> => {
    const dirents = await ov.readdir(dir, { withFileTypes: true });
    for (const d of dirents) {
      const path = dir === '/' ? `/${d.name}` : `${dir}/${d.name}`;
      const l = await ov.lstat(path);
      let followed = '-';
      try {
        followed = String((await ov.stat(path)).ino);
      } catch {}
      const kind = l.isDirectory() ? 'd' : l.isSymbolicLink() ? 'l' : 'f';
      out.push(`${path} ${kind} ${l.ino} ${followed} ${d.ino} nlink=${l.nlink}`);
      if (l.isDirectory()) await visit(path);
    }
  };
  await visit('/');
  return out;
}

async function inodesOf(lowers: LowerLayer[]): Promise<string[]> {
  const ov = await Overlay.create({ lowers, upper: new MemoryUpper() });
  try {
    return await inodes(ov);
  } finally {
    await ov.close();
  }
}

/** Written by Debian's `zip` 3.0 (`zip -X -y`): README, src/lib/a.txt (before src/), src/, src/b.txt, a symlink, two empty dirs. */
const DEBIAN_ZIP = Uint8Array.from(
  atob(
    'UEsDBAoAAAAAAABgwVizkOQWBwAAAAcAAAAGAAAAUkVBRE1FcmVhZG1lClBLAwQKAAAAAAAAYMFYIDA6NgYAAAAGAAAADQAAAHNyYy9saWIvYS50eHRoZWxsbwpQSwMECgAAAAAAAGDBWAAAAAAAAAAAAAAAAAQAAABzcmMvUEsDBAoAAAAAAABgwVioYTjdBgAAAAYAAAAJAAAAc3JjL2IudHh0d29ybGQKUEsDBAoAAAAAAABgwVi/5p/NCQAAAAkAAAAEAAAAbGlua3NyYy9iLnR4dFBLAwQKAAAAAAAAYMFYAAAAAAAAAAAAAAAABgAAAGVtcHR5L1BLAwQKAAAAAAAAYMFYAAAAAAAAAAAAAAAABQAAAGRvY3MvUEsBAh4DCgAAAAAAAGDBWLOQ5BYHAAAABwAAAAYAAAAAAAAAAQAAAICBAAAAAFJFQURNRVBLAQIeAwoAAAAAAABgwVggMDo2BgAAAAYAAAANAAAAAAAAAAEAAACkgSsAAABzcmMvbGliL2EudHh0UEsBAh4DCgAAAAAAAGDBWAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAQAO1BXAAAAHNyYy9QSwECHgMKAAAAAAAAYMFYqGE43QYAAAAGAAAACQAAAAAAAAABAAAApIF+AAAAc3JjL2IudHh0UEsBAh4DCgAAAAAAAGDBWL/mn80JAAAACQAAAAQAAAAAAAAAAAAAAP+hqwAAAGxpbmtQSwECHgMKAAAAAAAAYMFYAAAAAAAAAAAAAAAABgAAAAAAAAAAABAA7UHWAAAAZW1wdHkvUEsBAh4DCgAAAAAAAGDBWAAAAAAAAAAAAAAAAAUAAAAAAAAAAAAQAO1B+gAAAGRvY3MvUEsFBgAAAAAHAAcAcQEAAB0BAAAAAA==',
  ),
  (c) => c.charCodeAt(0),
);

function fflateZip(): Uint8Array {
  const opts = { mtime: new Date(T0), level: 0 as const };
  return zipSync({
    'top/deep/er/f1.txt': [encoder.encode('1'), opts],
    'top/': [new Uint8Array(0), opts],
    'top/deep/f2.txt': [encoder.encode('2'), opts],
    'other/f3.txt': [encoder.encode('3'), opts],
    'top/deep/er/f1b.txt': [encoder.encode('4'), opts],
    'root.txt': [encoder.encode('5'), opts],
  });
}

describe('lower inode numbers (golden)', () => {
  it('one layer: implicit parents, a directory listed after its children, duplicates, hard links, whiteouts, opaque', async () => {
    const layer = rawLayer('one', [
      file('/a/b/c.txt'),
      dirE('/a'),
      file('/d.txt', 1),
      file('/d.txt', 2),
      { path: '/h2', kind: 'hardlink', linkOf: '/h1' },
      file('/h1', 3),
      { path: '/deep/link', kind: 'hardlink', linkOf: '/h1' },
      { ...meta, path: '/ln', kind: 'symlink', target: 'd.txt' },
      { ...meta, path: '/dangling', kind: 'symlink', target: 'nowhere' },
      { path: '/gone', kind: 'whiteout' },
      dirE('/op', true),
      file('/op/in.txt'),
      dirE('/e'),
      dirE('/e'),
      dirE('/'),
    ]);
    expect(await inodesOf([layer])).toEqual(GOLDEN_ONE);
  });

  it('three layers: merged directories, whiteouts and opaque directories over lower layers', async () => {
    const bottom = rawLayer('bottom', [
      file('/a/b/c.txt'),
      file('/a/x.txt'),
      file('/gone.txt'),
      file('/gonedir/f'),
      dirE('/op'),
      file('/op/old.txt'),
      file('/keep/k.txt'),
      file('/h1'),
      { path: '/h2', kind: 'hardlink', linkOf: '/h1' },
      file('/replaced'),
    ]);
    const middle = rawLayer('middle', [
      { path: '/gone.txt', kind: 'whiteout' },
      { path: '/gonedir', kind: 'whiteout' },
      file('/a/b/new.txt'),
      dirE('/op', true),
      file('/op/fresh.txt'),
      dirE('/replaced'),
      file('/replaced/in'),
    ]);
    const top = MemoryLayer.fromEntries(
      [
        { path: '/keep/k2.txt', kind: 'file', data: 'k2', mtimeMs: T0 },
        { path: '/a', kind: 'dir', mtimeMs: T0 },
        { path: '/h2', kind: 'whiteout' },
        { path: '/top.txt', kind: 'file', data: 't', mtimeMs: T0 },
        { path: '/ln', kind: 'symlink', target: '/keep', mtimeMs: T0 },
      ],
      { id: 'top', mtimeMs: T0 },
    );
    expect(await inodesOf([top, middle, bottom])).toEqual(GOLDEN_THREE);
  });

  it('zip lowers: one written by fflate over one written by Debian zip, and OCI whiteouts', async () => {
    const debian = await ZipLayer.open(DEBIAN_ZIP);
    expect(await inodesOf([debian])).toEqual(GOLDEN_DEBIAN);
    const fflate = await ZipLayer.open(fflateZip());
    expect(await inodesOf([fflate])).toEqual(GOLDEN_FFLATE);
    const oci = await ZipLayer.open(
      zipSync({
        'src/.wh.b.txt': [new Uint8Array(0), { mtime: new Date(T0) }],
        'src/new.txt': [encoder.encode('n'), { mtime: new Date(T0) }],
        'docs/.wh..wh..opq': [new Uint8Array(0), { mtime: new Date(T0) }],
        'docs/d.txt': [encoder.encode('d'), { mtime: new Date(T0) }],
        'empty/.wh..wh..opq': [new Uint8Array(0), { mtime: new Date(T0) }],
      }),
      { whiteouts: 'oci' },
    );
    expect(await inodesOf([oci, await ZipLayer.open(fflateZip()), await ZipLayer.open(DEBIAN_ZIP)])).toEqual(
      GOLDEN_STACK,
    );
  });
});

const GOLDEN_ONE: string[] = [
  '/ 1',
  '/a d 4294967296 4294967296 4294967296 nlink=3',
  '/a/b d 4294967297 4294967297 4294967297 nlink=2',
  '/a/b/c.txt f 4294967298 4294967298 4294967298 nlink=1',
  '/d.txt f 4294967301 4294967301 4294967301 nlink=1',
  '/dangling l 4294967307 - 4294967307 nlink=1',
  '/deep d 4294967304 4294967304 4294967304 nlink=2',
  '/deep/link f 4294967303 4294967303 4294967303 nlink=1',
  '/e d 4294967311 4294967311 4294967311 nlink=2',
  '/h1 f 4294967303 4294967303 4294967303 nlink=1',
  '/h2 f 4294967303 4294967303 4294967303 nlink=1',
  '/ln l 4294967306 4294967301 4294967306 nlink=1',
  '/op d 4294967309 4294967309 4294967309 nlink=2',
  '/op/in.txt f 4294967310 4294967310 4294967310 nlink=1',
];
const GOLDEN_THREE: string[] = [
  '/ 1',
  '/a d 4294967298 4294967298 4294967298 nlink=1',
  '/a/b d 8589934595 8589934595 8589934595 nlink=1',
  '/a/b/c.txt f 12884901890 12884901890 12884901890 nlink=1',
  '/a/b/new.txt f 8589934596 8589934596 8589934596 nlink=1',
  '/a/x.txt f 12884901891 12884901891 12884901891 nlink=1',
  '/h1 f 12884901899 12884901899 12884901899 nlink=1',
  '/keep d 4294967296 4294967296 4294967296 nlink=1',
  '/keep/k.txt f 12884901898 12884901898 12884901898 nlink=1',
  '/keep/k2.txt f 4294967297 4294967297 4294967297 nlink=1',
  '/ln l 4294967301 4294967296 4294967301 nlink=1',
  '/op d 8589934597 8589934597 8589934597 nlink=2',
  '/op/fresh.txt f 8589934598 8589934598 8589934598 nlink=1',
  '/replaced d 8589934599 8589934599 8589934599 nlink=2',
  '/replaced/in f 8589934600 8589934600 8589934600 nlink=1',
  '/top.txt f 4294967300 4294967300 4294967300 nlink=1',
];
const GOLDEN_DEBIAN: string[] = [
  '/ 1',
  '/README f 4294967296 4294967296 4294967296 nlink=1',
  '/docs d 4294967304 4294967304 4294967304 nlink=2',
  '/empty d 4294967303 4294967303 4294967303 nlink=2',
  '/link l 4294967302 4294967301 4294967302 nlink=1',
  '/src d 4294967297 4294967297 4294967297 nlink=3',
  '/src/b.txt f 4294967301 4294967301 4294967301 nlink=1',
  '/src/lib d 4294967298 4294967298 4294967298 nlink=2',
  '/src/lib/a.txt f 4294967299 4294967299 4294967299 nlink=1',
];
const GOLDEN_FFLATE: string[] = [
  '/ 1',
  '/other d 4294967302 4294967302 4294967302 nlink=2',
  '/other/f3.txt f 4294967303 4294967303 4294967303 nlink=1',
  '/root.txt f 4294967305 4294967305 4294967305 nlink=1',
  '/top d 4294967296 4294967296 4294967296 nlink=3',
  '/top/deep d 4294967297 4294967297 4294967297 nlink=3',
  '/top/deep/er d 4294967298 4294967298 4294967298 nlink=2',
  '/top/deep/er/f1.txt f 4294967299 4294967299 4294967299 nlink=1',
  '/top/deep/er/f1b.txt f 4294967304 4294967304 4294967304 nlink=1',
  '/top/deep/f2.txt f 4294967301 4294967301 4294967301 nlink=1',
];
const GOLDEN_STACK: string[] = [
  '/ 1',
  '/README f 12884901888 12884901888 12884901888 nlink=1',
  '/docs d 4294967298 4294967298 4294967298 nlink=2',
  '/docs/d.txt f 4294967299 4294967299 4294967299 nlink=1',
  '/empty d 4294967302 4294967302 4294967302 nlink=2',
  '/link l 12884901894 - 12884901894 nlink=1',
  '/other d 8589934598 8589934598 8589934598 nlink=2',
  '/other/f3.txt f 8589934599 8589934599 8589934599 nlink=1',
  '/root.txt f 8589934601 8589934601 8589934601 nlink=1',
  '/src d 4294967296 4294967296 4294967296 nlink=1',
  '/src/lib d 12884901890 12884901890 12884901890 nlink=2',
  '/src/lib/a.txt f 12884901891 12884901891 12884901891 nlink=1',
  '/src/new.txt f 4294967297 4294967297 4294967297 nlink=1',
  '/top d 8589934592 8589934592 8589934592 nlink=3',
  '/top/deep d 8589934593 8589934593 8589934593 nlink=3',
  '/top/deep/er d 8589934594 8589934594 8589934594 nlink=2',
  '/top/deep/er/f1.txt f 8589934595 8589934595 8589934595 nlink=1',
  '/top/deep/er/f1b.txt f 8589934600 8589934600 8589934600 nlink=1',
  '/top/deep/f2.txt f 8589934597 8589934597 8589934597 nlink=1',
];
