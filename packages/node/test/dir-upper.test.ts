/**
 * DirUpper's own contract: bad input refused with a clear code before anything is written,
 * and what a reopen keeps. (Its format is checked against the kernel in dir-upper.kernel.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryLayer, Overlay } from '@vellum/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canMountOverlay } from '../../core/test/kernel/mount.js';
import { DirLayer, DirUpper } from '../src/index.js';

const isRoot = process.getuid?.() === 0;
const mountCheck = canMountOverlay();
if (!isRoot) console.warn('dir-upper: skipped: not root (trusted xattrs and mknod need it)');
if (isRoot && !mountCheck.ok) console.warn(`dir-upper: EBUSY case skipped: ${mountCheck.reason}`);

let base: string;
beforeEach(async () => {
  base = await fsp.mkdtemp(path.join(os.tmpdir(), 'vellum-dirupper-unit-'));
  for (const d of ['l', 'u', 'w', 'm']) await fsp.mkdir(path.join(base, d));
});
afterEach(async () => {
  await fsp.rm(base, { recursive: true, force: true });
});
const at = (...parts: string[]) => path.join(base, ...parts);

describe.skipIf(!isRoot)('DirUpper bad input', () => {
  it('ENOENT for a missing upperdir or workdir, ENOTDIR for a file', async () => {
    await expect(DirUpper.open(at('nope'), { workdir: at('w') })).rejects.toMatchObject({
      code: 'ENOENT',
      path: at('nope'),
    });
    await expect(DirUpper.open(at('u'), { workdir: at('nope') })).rejects.toMatchObject({
      code: 'ENOENT',
      path: at('nope'),
    });
    await fsp.writeFile(at('f'), '');
    await expect(DirUpper.open(at('f'), { workdir: at('w') })).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('EXDEV for a workdir on another filesystem', async () => {
    const other = await fsp.mkdtemp('/dev/shm/vellum-work-');
    try {
      const [a, b] = [await fsp.stat(at('u')), await fsp.stat(other)];
      if (a.dev === b.dev)
        return console.warn('EXDEV case: /dev/shm is on the same filesystem as the temp dir here');
      await expect(DirUpper.open(at('u'), { workdir: other })).rejects.toMatchObject({
        code: 'EXDEV',
        message: expect.stringContaining('same filesystem'),
      });
    } finally {
      await fsp.rm(other, { recursive: true, force: true });
    }
  });

  it('EINVAL for an upperdir on a filesystem without trusted xattrs (ramfs), nothing written', async () => {
    execFileSync('mount', ['-t', 'ramfs', 'ramfs', at('m')]);
    try {
      for (const d of ['u', 'w']) await fsp.mkdir(at('m', d));
      await expect(DirUpper.open(at('m', 'u'), { workdir: at('m', 'w') })).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringContaining('xattrs'),
      });
      expect(await fsp.readdir(at('m', 'u'))).toEqual([]);
    } finally {
      execFileSync('umount', [at('m')]);
    }
  });

  it.skipIf(!mountCheck.ok)('EBUSY for an upperdir a mounted overlay uses', async () => {
    execFileSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${at('l')},upperdir=${at('u')},workdir=${at('w')}`,
      at('m'),
    ]);
    try {
      await expect(DirUpper.open(at('u'), { workdir: at('w') })).rejects.toMatchObject({
        code: 'EBUSY',
        message: expect.stringContaining('unmount'),
      });
    } finally {
      execFileSync('umount', [at('m')]);
    }
    await expect(DirUpper.open(at('u'), { workdir: at('w') })).resolves.toBeInstanceOf(DirUpper);
  });
});

describe.skipIf(!isRoot)('DirUpper across a reopen', () => {
  it('keeps inode numbers, link counts, contents, and what it copied from the lowers', async () => {
    await fsp.writeFile(
      at('l', 'big'),
      Uint8Array.from({ length: 200_000 }, (_, i) => i & 0xff),
    );
    const lower = await DirLayer.open(at('l'));
    const open = async () => {
      const upper = await DirUpper.open(at('u'), { workdir: at('w'), lowers: [lower] });
      return { upper, ov: await Overlay.create({ lowers: [lower], upper }) };
    };
    const first = await open();
    await first.ov.mkdir('/d');
    await first.ov.writeFile('/d/new.txt', 'new');
    await first.ov.link('/d/new.txt', '/d/twin.txt');
    const fh = await first.ov.open('/big', 'r+');
    await fh.write(new Uint8Array([1, 2, 3]), 0, 3, 100_000); // one chunk changed, the file copied whole on disk
    await fh.close();
    await first.ov.chmod('/d', 0o700);
    const before = new Map<string, { ino: number; nlink: number; mode: number }>();
    for (const p of ['/d', '/d/new.txt', '/d/twin.txt', '/big']) before.set(p, await first.ov.lstat(p));
    const big = await first.ov.readFile('/big');
    await first.ov.close();
    expect((await fsp.readFile(at('u', 'big'))).equals(Buffer.from(big))).toBe(true);
    expect((await fsp.stat(at('u', 'd', 'twin.txt'))).ino).toBe(
      (await fsp.stat(at('u', 'd', 'new.txt'))).ino,
    );

    const second = await open();
    for (const [p, st] of before) {
      const now = await second.ov.lstat(p);
      expect([p, now.ino, now.nlink, now.mode]).toEqual([p, st.ino, st.nlink, st.mode]);
    }
    expect(Buffer.from(await second.ov.readFile('/big')).equals(Buffer.from(big))).toBe(true);
    expect(await second.ov.readFile('/d/twin.txt', 'utf8')).toBe('new');
    await second.ov.close();
  });

  it('copies up from any kind of lower (here memory), whole, into the upperdir', async () => {
    const lower = MemoryLayer.fromTree({ 'a.txt': 'lower' });
    const upper = await DirUpper.open(at('u'), { workdir: at('w'), lowers: [lower] });
    const ov = await Overlay.create({ lowers: [lower], upper });
    await ov.appendFile('/a.txt', '+more');
    expect(await fsp.readFile(at('u', 'a.txt'), 'utf8')).toBe('lower+more');
    await ov.close();
  });
});
