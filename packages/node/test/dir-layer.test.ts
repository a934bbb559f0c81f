/**
 * DirLayer's own contract: what the listing holds, ranged reads, bad input, the descriptor.
 * The overlay semantics of its marks are checked against the kernel in dir-layer.kernel.test.ts.
 */
import { execFileSync } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryUpper, Overlay, openLower } from '@vellum/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirLayer, registerNodeLayerTypes } from '../src/index.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot)
  console.warn('dir-layer: whiteout and trusted xattr cases skipped: not root (mknod and trusted.* need it)');

let base: string;
beforeEach(async () => {
  base = await fsp.mkdtemp(path.join(os.tmpdir(), 'vellum-dirlayer-unit-'));
});
afterEach(async () => {
  await fsp.rm(base, { recursive: true, force: true });
});

const at = (...parts: string[]) => path.join(base, ...parts);

describe('DirLayer listing', () => {
  it('lists files, directories, symlinks with their metadata, and hard links once by inode', async () => {
    await fsp.mkdir(at('src'), { mode: 0o750 });
    await fsp.writeFile(at('src/a.txt'), 'hello');
    await fsp.chmod(at('src/a.txt'), 0o600);
    await fsp.utimes(at('src/a.txt'), 1_000_000, 1_234_567);
    await fsp.link(at('src/a.txt'), at('b.txt'));
    await fsp.symlink('src/a.txt', at('l'));
    const layer = await DirLayer.open(base);
    const byPath = new Map([...layer.entries()].map((e) => [e.path, e]));
    expect(byPath.get('/src')).toMatchObject({ kind: 'dir', mode: 0o750, opaque: false });
    expect(byPath.get('/l')).toMatchObject({ kind: 'symlink', target: 'src/a.txt' });
    // 'b.txt' sorts before 'src': it is the file, the later name its hard link.
    expect(byPath.get('/b.txt')).toMatchObject({
      kind: 'file',
      size: 5,
      mode: 0o600,
      mtimeMs: 1_234_567_000,
      nlink: 2,
    });
    expect(byPath.get('/src/a.txt')).toEqual({ path: '/src/a.txt', kind: 'hardlink', linkOf: '/b.txt' });
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    expect((await ov.stat('/src/a.txt')).ino).toBe((await ov.stat('/b.txt')).ino);
    expect((await ov.stat('/b.txt')).nlink).toBe(2);
    layer.close();
  });

  it('leaves out fifos with a warning', async () => {
    execFileSync('mkfifo', [at('pipe')]);
    await fsp.writeFile(at('f'), 'x');
    const layer = await DirLayer.open(base);
    expect([...layer.entries()].map((e) => e.path)).toEqual(['/f']);
    expect(layer.warnings).toEqual([{ path: '/pipe', message: expect.stringContaining('left out') }]);
  });

  it('reads OCI names only when asked', async () => {
    await fsp.mkdir(at('d'));
    await fsp.writeFile(at('d/.wh..wh..opq'), '');
    await fsp.writeFile(at('.wh.gone'), '');
    const plain = await DirLayer.open(base);
    expect([...plain.entries()].map((e) => e.path).sort()).toEqual(['/.wh.gone', '/d', '/d/.wh..wh..opq']);
    const oci = await DirLayer.open(base, { whiteouts: 'oci' });
    expect([...oci.entries()]).toEqual([
      { path: '/gone', kind: 'whiteout' },
      expect.objectContaining({ path: '/d', kind: 'dir', opaque: true }),
    ]);
  });

  it.skipIf(!isRoot)('reads char 0/0 as a whiteout, trusted or user opaque marks as asked', async () => {
    execFileSync('mknod', [at('w'), 'c', '0', '0']);
    await fsp.mkdir(at('t'));
    await fsp.mkdir(at('u'));
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', at('t')]);
    execFileSync('setfattr', ['-n', 'user.overlay.opaque', '-v', 'y', at('u')]);
    const trusted = new Map([...(await DirLayer.open(base)).entries()].map((e) => [e.path, e]));
    expect(trusted.get('/w')).toEqual({ path: '/w', kind: 'whiteout' });
    expect(trusted.get('/t')).toMatchObject({ opaque: true });
    expect(trusted.get('/u')).toMatchObject({ opaque: false });
    const user = new Map(
      [...(await DirLayer.open(base, { xattrs: 'user' })).entries()].map((e) => [e.path, e]),
    );
    expect(user.get('/t')).toMatchObject({ opaque: false });
    expect(user.get('/u')).toMatchObject({ opaque: true });
    const none = new Map(
      [...(await DirLayer.open(base, { xattrs: 'none' })).entries()].map((e) => [e.path, e]),
    );
    expect(none.get('/t')).toMatchObject({ opaque: false });
  });

  it.skipIf(!isRoot)('refuses a redirect or a metacopy file with EINVAL naming the path', async () => {
    await fsp.mkdir(at('moved'));
    execFileSync('setfattr', ['-n', 'trusted.overlay.redirect', '-v', '/old', at('moved')]);
    await expect(DirLayer.open(base)).rejects.toMatchObject({
      code: 'EINVAL',
      path: at('moved'),
      message: expect.stringContaining('redirect (to /old)'),
    });
    execFileSync('setfattr', ['-x', 'trusted.overlay.redirect', at('moved')]);
    await fsp.writeFile(at('meta'), '');
    execFileSync('setfattr', ['-n', 'trusted.overlay.metacopy', '-v', '', at('meta')]);
    await expect(DirLayer.open(base)).rejects.toMatchObject({ code: 'EINVAL', path: at('meta') });
  });

  it('has an id that follows the content', async () => {
    await fsp.writeFile(at('a'), 'one');
    await fsp.utimes(at('a'), 1, 1);
    const first = (await DirLayer.open(base)).id;
    expect((await DirLayer.open(base)).id).toBe(first);
    await fsp.writeFile(at('a'), 'two!');
    await fsp.utimes(at('a'), 1, 1);
    expect((await DirLayer.open(base)).id).not.toBe(first);
    expect((await DirLayer.open(base, { id: 'mine' })).id).toBe('mine');
  });
});

describe('DirLayer reads', () => {
  it('reads ranges, clamped to the size listed, in sync and async alike', async () => {
    const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff);
    await fsp.writeFile(at('big'), data);
    const layer = await DirLayer.open(base);
    const [entry] = [...layer.entries()];
    if (entry.kind !== 'file') throw new Error('expected a file');
    expect(await layer.read(entry.ref, 65_530, 20)).toEqual(data.slice(65_530, 65_550));
    expect(layer.readSync(entry.ref, 299_990, 100)).toEqual(data.slice(299_990));
    expect(await layer.read(entry.ref, 400_000, 10)).toEqual(new Uint8Array(0));
    // Many files read in turn: descriptors are recycled, never exhausted or mixed up.
    for (let i = 0; i < 100; i++) await fsp.writeFile(at(`f${i}`), `file ${i}`);
    const many = await DirLayer.open(base);
    const files = [...many.entries()].filter((e) => e.kind === 'file' && e.path !== '/big');
    const texts = await Promise.all(
      files.map(async (e) =>
        e.kind === 'file' ? new TextDecoder().decode(await many.read(e.ref, 0, 100)) : '',
      ),
    );
    expect(texts).toEqual(files.map((e) => `file ${e.path.slice(2)}`));
    many.close();
    layer.close();
  });

  it('says EIO when a file shrank on disk after the listing', async () => {
    await fsp.writeFile(at('f'), 'hello world');
    const layer = await DirLayer.open(base);
    await fsp.writeFile(at('f'), 'hi');
    const [entry] = [...layer.entries()];
    if (entry.kind !== 'file') throw new Error('expected a file');
    await expect(layer.read(entry.ref, 0, 100)).rejects.toMatchObject({ code: 'EIO', path: at('f') });
    expect(() => layer.readSync(entry.ref, 0, 100)).toThrow(expect.objectContaining({ code: 'EIO' }));
  });
});

describe('DirLayer bad input', () => {
  it('ENOENT for a directory that does not exist, ENOTDIR for a file', async () => {
    await expect(DirLayer.open(at('missing'))).rejects.toMatchObject({ code: 'ENOENT', path: at('missing') });
    await fsp.writeFile(at('file'), '');
    await expect(DirLayer.open(at('file'))).rejects.toMatchObject({ code: 'ENOTDIR', path: at('file') });
  });
});

describe('the dir descriptor', () => {
  it('opens through openLower once registered', async () => {
    await fsp.writeFile(at('x.txt'), 'from disk');
    registerNodeLayerTypes();
    const layer = await openLower({ type: 'dir', path: base });
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    expect(await ov.readFile('/x.txt', 'utf8')).toBe('from disk');
  });
});
