/**
 * One test per rule of overlay-semantics.md; each expected result is what the
 * kernel's overlayfs (redirect_dir=on,index=on,metacopy=on) does, checked by
 * mounting it (see kernel-differential.test.ts for the randomized comparison).
 *
 * The same suite runs on every upper (semantics.test.ts: memory; semantics.idb.test.ts:
 * IndexedDB under fake-indexeddb; semantics.browser.test.ts: real IndexedDB in Chromium).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Tree, UpperLayer } from '../src/index.js';
import { dir, file, hardlink, symlink, whiteout } from '../src/index.js';
import {
  byteList,
  overlay as overlayOn,
  ProbeUpper,
  rejection,
  reopen as reopenOn,
  sameBytes,
  text,
  type UpperEnv,
} from './helpers.js';

/** Every test below, on uppers made by `env`. */
export function semanticsSuite(env: UpperEnv): void {
  const overlay = (lowers: Tree[], options: { chunkSize?: number; upper?: UpperLayer } = {}) =>
    overlayOn(lowers, options, env);
  const reopen = (lowers: Tree[], upper: UpperLayer) => reopenOn(lowers, upper, env);

  describe(env.name, () => {
    describe('§1 lookup of one name', () => {
      it('a whiteout in an upper lower ends the walk', async () => {
        const { ov } = await overlay([{ a: whiteout() }, { a: 'below' }]);
        expect((await rejection(ov.stat('/a'))).code).toBe('ENOENT');
      });

      it('a non-directory wins outright over anything below', async () => {
        const { ov } = await overlay([{ a: 'file' }, { a: { inner: 'x' } }]);
        expect((await ov.stat('/a')).isFile()).toBe(true);
        expect((await rejection(ov.stat('/a/inner'))).code).toBe('ENOTDIR');
      });

      it('directories merge; the topmost gives the metadata; non-directories below a directory are ignored', async () => {
        const { ov } = await overlay([
          { d: dir({ top: '1' }, { mode: 0o700 }) },
          { d: dir({ bottom: '2' }, { mode: 0o755 }) },
          { d: 'a file under two directories' },
        ]);
        expect(await ov.readdir('/d')).toEqual(['bottom', 'top']);
        expect((await ov.stat('/d')).mode & 0o777).toBe(0o700);
        expect((await ov.stat('/d')).nlink).toBe(1);
      });

      it('an opaque directory hides everything below it', async () => {
        const { ov } = await overlay([{ d: dir({ mine: '1' }, { opaque: true }) }, { d: { hidden: '2' } }]);
        expect(await ov.readdir('/d')).toEqual(['mine']);
      });

      it('a walk through a non-directory is ENOTDIR', async () => {
        const { ov } = await overlay([{ f: 'x' }]);
        const e = await rejection(ov.readFile('/f/g'));
        expect(e.code).toBe('ENOTDIR');
      });
    });

    describe('§2 whiteouts and opaque directories', () => {
      it('deleting a lower name leaves a whiteout; an upper-only name is really deleted', async () => {
        const { ov, upper } = await overlay([{ low: 'x' }]);
        await ov.writeFile('/new', 'y');
        await ov.unlink('/low');
        await ov.unlink('/new');
        expect(await ov.readdir('/')).toEqual([]);
        const snap = await upper.load();
        const dirents = [...snap.dirents];
        expect(dirents).toEqual([{ parent: 1, name: 'low', ino: null }]);
        expect(await ov.changes()).toEqual([{ path: '/low', type: 'file', change: 'deleted' }]);
      });

      it('deleting a copied-up file still leaves a whiteout', async () => {
        const { ov, upper } = await overlay([{ low: 'x' }]);
        await ov.writeFile('/low', 'changed');
        await ov.unlink('/low');
        expect([...(await upper.load()).dirents]).toEqual([{ parent: 1, name: 'low', ino: null }]);
        expect([...(await upper.load()).inodes].filter((i) => i.kind === 'file')).toEqual([]);
      });

      it('rmdir of a merged directory is ENOTEMPTY until every visible entry is gone', async () => {
        const { ov } = await overlay([{ d: { a: '1' } }, { d: { b: '2' } }]);
        expect((await rejection(ov.rmdir('/d'))).code).toBe('ENOTEMPTY');
        await ov.unlink('/d/a');
        await ov.unlink('/d/b');
        await ov.rmdir('/d');
        expect((await rejection(ov.stat('/d'))).code).toBe('ENOENT');
      });

      it('creating a file where a whiteout is replaces the whiteout', async () => {
        const { ov } = await overlay([{ f: 'old' }]);
        await ov.unlink('/f');
        await ov.writeFile('/f', 'new');
        expect(await text(ov, '/f')).toBe('new');
      });

      it('mkdir where a whiteout is makes an opaque directory: old children stay hidden', async () => {
        const { ov } = await overlay([{ d: { old: '1' } }]);
        await ov.rm('/d', { recursive: true });
        await ov.mkdir('/d');
        expect(await ov.readdir('/d')).toEqual([]);
        expect(await ov.changes()).toEqual([{ path: '/d', type: 'dir', change: 'opaque' }]);
      });

      it('a new directory inside a merged parent is opaque (redirect_dir=on)', async () => {
        const { ov, upper } = await overlay([{ d: {} }]);
        await ov.mkdir('/d/new');
        const inodes = [...(await upper.load()).inodes];
        expect(inodes.find((i) => i.kind === 'dir' && i.origin === undefined)?.opaque).toBe(true);
      });

      it('whiteouts and opaque marks inside lowers hide only what is below them', async () => {
        const { ov } = await overlay([
          { gone: whiteout(), d: dir({ x: 'top' }, { opaque: true }) },
          { gone: 'middle', d: { y: 'middle' }, keep: 'm' },
          { gone: 'bottom', d: { z: 'bottom' } },
        ]);
        expect(await ov.readdir('/')).toEqual(['d', 'keep']);
        expect(await ov.readdir('/d')).toEqual(['x']);
      });
    });

    describe('§3 readdir', () => {
      it('lists the union in a stable order, without . and ..', async () => {
        const { ov } = await overlay([
          { b: '1', a: { x: '' } },
          { c: '2', a: { y: '' } },
        ]);
        const first = await ov.readdir('/');
        expect(first).toEqual(['a', 'b', 'c']);
        await ov.writeFile('/0', '');
        await ov.unlink('/0');
        expect(await ov.readdir('/')).toEqual(first);
        const typed = await ov.readdir('/', { withFileTypes: true });
        expect(typed.map((d) => [d.name, d.isDirectory()])).toEqual([
          ['a', true],
          ['b', false],
          ['c', false],
        ]);
      });

      it("readdir's d_ino equals stat's st_ino", async () => {
        const { ov } = await overlay([{ a: 'x', d: {} }, { b: 'y' }]);
        for (const d of await ov.readdir('/', { withFileTypes: true })) {
          expect(d.ino).toBe((await ov.lstat(`/${d.name}`)).ino);
        }
      });
    });

    describe('§4 copy-up', () => {
      it('read, stat, readdir and readlink never copy up', async () => {
        const { ov, upper } = await overlay([{ d: { f: 'x', l: symlink('f') } }]);
        await ov.readFile('/d/f');
        await ov.stat('/d/l');
        await ov.readdir('/d');
        await ov.readlink('/d/l');
        expect(await upper.usage()).toEqual({ bytes: 0, entries: 0 });
        expect(ov.origin('/d/f')).toEqual({ layer: 0, copiedUp: false, metacopy: false });
      });

      it('open for write copies up even when nothing is written', async () => {
        const { ov } = await overlay([{ f: 'x' }]);
        const fh = await ov.open('/f', 'r+');
        await fh.close();
        expect(ov.origin('/f')).toMatchObject({ layer: 'upper', copiedUp: true, metacopy: false });
        expect(await text(ov, '/f')).toBe('x');
      });

      it('keeps data, mode, owner, times, symlink target and inode number', async () => {
        const { ov } = await overlay([
          { f: file('data', { mode: 0o640, uid: 7, gid: 8, mtimeMs: 123456789 }), l: symlink('f') },
        ]);
        const before = await ov.stat('/f');
        const linkBefore = await ov.lstat('/l');
        await ov.open('/f', 'r+').then((fh) => fh.close());
        await ov.lchown('/l', 1, 1);
        const after = await ov.stat('/f');
        expect([after.mode, after.uid, after.gid, after.mtimeMs, after.ino]).toEqual([
          before.mode,
          before.uid,
          before.gid,
          before.mtimeMs,
          before.ino,
        ]);
        expect(await ov.readlink('/l')).toBe('f');
        expect((await ov.lstat('/l')).ino).toBe(linkBefore.ino);
      });

      it('copies up the parent chain, directories only, never siblings', async () => {
        const { ov } = await overlay([{ a: { b: { f: 'x', sibling: 'y' }, other: 'z' } }]);
        await ov.writeFile('/a/b/f', 'changed');
        expect(ov.origin('/a')).toMatchObject({ layer: 'upper', copiedUp: true });
        expect(ov.origin('/a/b')).toMatchObject({ layer: 'upper', copiedUp: true });
        expect(ov.origin('/a/b/sibling')).toEqual({ layer: 0, copiedUp: false, metacopy: false });
        expect(ov.origin('/a/other')).toEqual({ layer: 0, copiedUp: false, metacopy: false });
      });

      it('metacopy: chmod copies metadata only and reads still come from the lower', async () => {
        const big = new Uint8Array(300_000).fill(7);
        const { ov, upper } = await overlay([{ f: big }]);
        await ov.chmod('/f', 0o600);
        expect(ov.origin('/f')).toMatchObject({ layer: 'upper', copiedUp: true, metacopy: true });
        expect((await upper.usage()).bytes).toBe(0);
        expect(sameBytes(await ov.readFile('/f'), big)).toBe(true);
        expect(await ov.changes()).toEqual([{ path: '/f', type: 'file', change: 'metadata' }]);
      });

      it('a one-byte write into a large lower file stores one chunk', async () => {
        const size = 4 * 1024 * 1024;
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i++) data[i] = i & 0xff;
        const { ov, upper } = await overlay([{ big: data }], { chunkSize: 65536 });
        const fh = await ov.open('/big', 'r+');
        await fh.write(new Uint8Array([0xee]), 0, 1, 1_000_000);
        await fh.close();
        expect((await upper.usage()).bytes).toBe(65536);
        const back = await ov.readFile('/big');
        expect(back[1_000_000]).toBe(0xee);
        data[1_000_000] = 0xee;
        expect(sameBytes(back, data)).toBe(true);
      });

      it('truncate then extend reads zeros, not the old lower bytes', async () => {
        const { ov } = await overlay([{ f: 'abcdefghij' }], { chunkSize: 4 });
        await ov.truncate('/f', 3);
        await ov.truncate('/f', 8);
        expect([...(await ov.readFile('/f'))]).toEqual(byteList('abc\0\0\0\0\0'));
        await ov.appendFile('/f', 'Z');
        expect([...(await ov.readFile('/f'))]).toEqual(byteList('abc\0\0\0\0\0Z'));
      });

      it('a reader that opened the file before the copy-up sees the new data', async () => {
        const { ov } = await overlay([{ f: 'old!' }]);
        const reader = await ov.open('/f', 'r');
        await ov.writeFile('/f', 'new!');
        const { buffer, bytesRead } = await reader.read(new Uint8Array(4), 0, 4, 0);
        // The buffer comes back as the type that went in, as Node types it.
        expectTypeOf(buffer).toEqualTypeOf<Uint8Array<ArrayBuffer>>();
        expectTypeOf((await reader.read({ position: 0 })).buffer).toEqualTypeOf<Uint8Array>();
        expect(bytesRead).toBe(4);
        expect(new TextDecoder().decode(buffer)).toBe('new!');
        await reader.close();
      });

      it('index: hard links survive copy-up, and nlink stays right', async () => {
        const { ov, upper } = await overlay([{ a: 'shared', d: { b: hardlink('/a') } }]);
        expect((await ov.stat('/a')).nlink).toBe(2);
        await ov.writeFile('/d/b', 'written through b');
        expect(await text(ov, '/a')).toBe('written through b');
        expect((await ov.stat('/a')).ino).toBe((await ov.stat('/d/b')).ino);
        await ov.unlink('/a');
        expect((await ov.stat('/d/b')).nlink).toBe(1);
        // The same after reopening.
        const again = await reopen([{ a: 'shared', d: { b: hardlink('/a') } }], upper);
        expect((await again.stat('/d/b')).nlink).toBe(1);
        expect(await again.readFile('/d/b', 'utf8')).toBe('written through b');
      });

      it('a metadata change to a directory copies up that directory alone', async () => {
        const { ov } = await overlay([{ d: { f: 'x', e: {} } }]);
        await ov.chmod('/d', 0o700);
        expect(ov.origin('/d')).toMatchObject({ layer: 'upper', copiedUp: true });
        expect(ov.origin('/d/f').layer).toBe(0);
        expect(ov.origin('/d/e').layer).toBe(0);
      });
    });

    describe('§5 rename', () => {
      it('a lower file leaves a whiteout; a pure-upper file does not', async () => {
        const { ov, upper } = await overlay([{ low: 'x' }]);
        await ov.rename('/low', '/moved');
        await ov.writeFile('/u', 'y');
        await ov.rename('/u', '/u2');
        const dirents = [...(await upper.load()).dirents].filter((d) => d.parent === 1);
        expect(dirents.filter((d) => d.ino === null).map((d) => d.name)).toEqual(['low']);
        expect(await ov.readdir('/')).toEqual(['moved', 'u2']);
        expect(await text(ov, '/moved')).toBe('x');
      });

      it('renaming onto a whited-out name works', async () => {
        const { ov } = await overlay([{ a: 'A', b: 'B' }]);
        await ov.unlink('/b');
        await ov.rename('/a', '/b');
        expect(await ov.readdir('/')).toEqual(['b']);
        expect(await text(ov, '/b')).toBe('A');
      });

      it('a lower or merged directory moves with its children, no EXDEV', async () => {
        const { ov } = await overlay([{ d: { top: '1', sub: { deep: '3' } } }, { d: { bottom: '2' } }]);
        await ov.mkdir('/x');
        await ov.rename('/d', '/x/moved');
        expect(await ov.readdir('/x/moved')).toEqual(['bottom', 'sub', 'top']);
        expect(await text(ov, '/x/moved/sub/deep')).toBe('3');
        expect((await rejection(ov.stat('/d'))).code).toBe('ENOENT');
        await ov.mkdir('/d');
        expect(await ov.readdir('/d')).toEqual([]);
        expect((await ov.changes()).find((c) => c.path === '/x/moved')).toEqual({
          path: '/x/moved',
          type: 'dir',
          change: 'renamed',
          from: '/d',
        });
      });

      it('a directory over a non-empty directory is ENOTEMPTY; over an empty one it works', async () => {
        const { ov } = await overlay([{ a: { f: '1' }, full: { g: '2' }, empty: {} }]);
        expect((await rejection(ov.rename('/a', '/full'))).code).toBe('ENOTEMPTY');
        await ov.rename('/a', '/empty');
        expect(await ov.readdir('/empty')).toEqual(['f']);
      });

      it('a pure-upper directory moved into a merged parent becomes opaque', async () => {
        const { ov, upper } = await overlay([{ m: { x: { hidden: '1' } } }]);
        await ov.rm('/m/x', { recursive: true });
        await ov.mkdir('/new');
        await ov.writeFile('/new/mine', '2');
        await ov.rename('/new', '/m/x');
        expect(await ov.readdir('/m/x')).toEqual(['mine']);
        const again = await reopen([{ m: { x: { hidden: '1' } } }], upper);
        expect(await again.readdir('/m/x')).toEqual(['mine']);
      });

      it('RENAME_NOREPLACE onto an existing name is EEXIST; RENAME_EXCHANGE swaps (kernel: same results)', async () => {
        const trees = [{ a: 'A', d: { b: 'B', sub: { s: 'S' } } }];
        const { ov, upper } = await overlay(trees);
        expect((await rejection(ov.rename('/a', '/d/b', { noReplace: true }))).code).toBe('EEXIST');
        await ov.rename('/a', '/a2', { noReplace: true });
        expect((await rejection(ov.rename('/a2', '/zz', { exchange: true }))).code).toBe('ENOENT');
        expect((await rejection(ov.rename('/d', '/d/b', { exchange: true }))).code).toBe('EINVAL');
        expect((await rejection(ov.rename('/d/b', '/d', { exchange: true }))).code).toBe('EINVAL');
        await ov.rename('/a2', '/d/sub', { exchange: true });
        const expectView = async (o: typeof ov): Promise<void> => {
          expect(await o.readdir('/')).toEqual(['a2', 'd']);
          expect(await o.readdir('/a2')).toEqual(['s']);
          expect(await o.readFile('/d/sub', 'utf8')).toBe('A');
          expect(await o.readFile('/a2/s', 'utf8')).toBe('S');
        };
        await expectView(ov);
        await expectView(await reopen(trees, upper));
      });

      it('errors: a directory into itself is EINVAL, a file over a directory EISDIR, a directory over a file ENOTDIR', async () => {
        const { ov } = await overlay([{ d: { e: {} }, f: 'x' }]);
        expect((await rejection(ov.rename('/d', '/d/e/inside'))).code).toBe('EINVAL');
        expect((await rejection(ov.rename('/f', '/d'))).code).toBe('EISDIR');
        const e = await rejection(ov.rename('/d', '/f'));
        expect([e.code, e.syscall, e.path, e.dest]).toEqual(['ENOTDIR', 'rename', '/d', '/f']);
      });
    });

    describe('§6 inodes, times', () => {
      it('st_ino is stable across copy-up and reopening; distinct objects never share one', async () => {
        const lowers = [{ a: 'x', d: { b: 'y' } }];
        const { ov, upper } = await overlay(lowers);
        const before = new Map<string, number>();
        for (const p of ['/', '/a', '/d', '/d/b']) before.set(p, (await ov.stat(p)).ino);
        await ov.writeFile('/d/b', 'changed');
        await ov.chmod('/a', 0o600);
        await ov.writeFile('/c', 'new');
        for (const [p, ino] of before) expect((await ov.stat(p)).ino).toBe(ino);
        const reopened = await reopen(lowers, upper);
        for (const [p, ino] of before) expect((await reopened.stat(p)).ino).toBe(ino);
        const all = await Promise.all(
          ['/', '/a', '/d', '/d/b', '/c'].map(async (p) => (await reopened.stat(p)).ino),
        );
        expect(new Set(all).size).toBe(all.length);
      });

      it("creating or removing an entry moves the parent's mtime; copying up a child does not", async () => {
        const { ov } = await overlay([{ d: { f: 'x' } }]);
        const t0 = (await ov.stat('/d')).mtimeMs;
        await ov.writeFile('/d/f', 'changed');
        expect((await ov.stat('/d')).mtimeMs).toBe(t0);
        await ov.writeFile('/d/g', 'new');
        expect((await ov.stat('/d')).mtimeMs).toBeGreaterThan(t0);
      });
    });

    describe('paths and errors', () => {
      it('errors look like Node’s', async () => {
        const { ov } = await overlay([{}]);
        const e = await rejection(ov.readFile('/a/b'));
        expect(e).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', path: '/a/b' });
        expect(e.message).toBe("ENOENT: no such file or directory, open '/a/b'");
      });

      it('.. never escapes the root; a trailing slash on a file is ENOTDIR; a symlink loop is ELOOP', async () => {
        const { ov } = await overlay([
          { f: 'x', loop1: symlink('loop2'), loop2: symlink('loop1'), up: symlink('../../f') },
        ]);
        expect(await text(ov, '/../../f')).toBe('x');
        expect(await text(ov, '/up')).toBe('x');
        expect((await rejection(ov.stat('/f/'))).code).toBe('ENOTDIR');
        expect((await rejection(ov.stat('/loop1'))).code).toBe('ELOOP');
        expect(await ov.realpath('/up')).toBe('/f');
      });

      it("a symlink whose target ends in '/' or '/.' wants a directory (Linux: ENOTDIR, EISDIR to create)", async () => {
        const { ov } = await overlay([
          {
            file: 'hi',
            d: { x: 'x' },
            l: symlink('file/'),
            l2: symlink('file/.'),
            ld: symlink('d/'),
            dl: symlink('nofile/'),
            dl2: symlink('nodir/'),
            chain: symlink('l'),
          },
        ]);
        // The same links made in the upper, where the index cannot tell a name's kind without its target.
        await ov.symlink('file/', '/ul');
        await ov.symlink('nofile/', '/udl');
        const code = async (p: Promise<unknown>): Promise<string> => (await rejection(p)).code ?? 'no code';
        for (const l of ['/l', '/l2', '/chain', '/ul']) {
          expect(await code(ov.stat(l)), l).toBe('ENOTDIR');
          expect(await code(ov.realpath(l)), l).toBe('ENOTDIR');
          expect(await code(ov.readFile(l)), l).toBe('ENOTDIR');
          expect(await code(ov.open(l, 'r')), l).toBe('ENOTDIR');
          expect(await code(ov.access(l)), l).toBe('ENOTDIR');
          expect(await code(ov.utimes(l, 1, 1)), l).toBe('ENOTDIR');
          expect(await code(ov.chmod(l, 0o600)), l).toBe('ENOTDIR');
          expect(await code(ov.truncate(l)), l).toBe('ENOTDIR');
          expect(await code(ov.stat(`${l}/x`)), l).toBe('ENOTDIR');
          expect((await ov.lstat(l)).isSymbolicLink()).toBe(true);
        }
        expect(await ov.readlink('/l')).toBe('file/');
        expect((await ov.stat('/ld/')).isDirectory()).toBe(true);
        expect(await ov.readdir('/ld')).toEqual(['x']);
        for (const l of ['/l', '/dl', '/ul', '/udl', '/chain'])
          expect(await code(ov.writeFile(l, 'x')), l).toBe('EISDIR');
        expect(await code(ov.writeFile('/l2', 'x'))).toBe('ENOTDIR');
        expect(await code(ov.mkdir('/dl2'))).toBe('EEXIST');
        expect(await code(ov.mkdir('/dl', { recursive: true }))).toBe('ENOENT');
        expect((await ov.readdir('/')).sort()).toEqual([
          'chain',
          'd',
          'dl',
          'dl2',
          'file',
          'l',
          'l2',
          'ld',
          'udl',
          'ul',
        ]);
        expect(await text(ov, '/file')).toBe('hi');
        await ov.writeFile('/x', 'new');
        await ov.rename('/x', '/l');
        expect(await text(ov, '/l')).toBe('new');
      });

      it('symlinks are followed in every component', async () => {
        const { ov } = await overlay([{ real: { f: 'x' }, alias: symlink('/real') }]);
        await ov.writeFile('/alias/g', 'y');
        expect(await ov.readdir('/real')).toEqual(['f', 'g']);
      });
    });

    describe('fs/promises API', () => {
      it('open flags and FileHandle', async () => {
        const { ov } = await overlay([{ f: 'hello' }]);
        expect((await rejection(ov.open('/f', 'wx'))).code).toBe('EEXIST');
        const w = await ov.open('/g', 'w+');
        await w.write('abc');
        await w.write('Z', 1);
        expect((await w.stat()).size).toBe(3);
        await w.truncate(2);
        await w.close();
        expect(await text(ov, '/g')).toBe('aZ');
        const a = await ov.open('/f', 'a+');
        await a.write(' world', 0);
        await a.close();
        expect(await text(ov, '/f')).toBe('hello world');
        const r = await ov.open('/f', 'r');
        expect((await rejection(r.write('x'))).code).toBe('EBADF');
        expect(await r.readFile('utf8')).toBe('hello world');
        await r.close();
      });

      it('rm, copyFile, access, mkdir -p, promises', async () => {
        const { ov } = await overlay([{ d: { e: { f: 'x' } } }]);
        expect(ov.promises).toBe(ov);
        expect((await rejection(ov.rm('/d'))).code).toBe('ERR_FS_EISDIR');
        await ov.rm('/nope', { force: true });
        await ov.copyFile('/d/e/f', '/copy');
        expect(await text(ov, '/copy')).toBe('x');
        expect((await rejection(ov.copyFile('/d/e/f', '/copy', 1))).code).toBe('EEXIST');
        await ov.rm('/d', { recursive: true });
        expect((await rejection(ov.access('/d'))).code).toBe('ENOENT');
        expect(await ov.mkdir('/p/q/r', { recursive: true })).toBe('/p');
        expect(await ov.mkdir('/p/q', { recursive: true })).toBeUndefined();
        expect((await rejection(ov.mkdir('/copy/x', { recursive: true }))).code).toBe('ENOTDIR');
      });

      it('runs code written against node:fs/promises unchanged', async () => {
        const { ov } = await overlay([{ src: { 'a.ts': 'A', 'b.ts': 'B' } }]);
        async function walk(fs: typeof import('node:fs/promises'), root: string): Promise<string[]> {
          const out: string[] = [];
          for (const e of await fs.readdir(root, { withFileTypes: true })) {
            const p = `${root}/${e.name}`;
            if (e.isDirectory()) out.push(...(await walk(fs, p)));
            else out.push(`${p}:${await fs.readFile(p, 'utf8')}`);
          }
          return out;
        }
        expect(await walk(ov as unknown as typeof import('node:fs/promises'), '/src')).toEqual([
          '/src/a.ts:A',
          '/src/b.ts:B',
        ]);
      });
    });

    describe('transactions', () => {
      it('a refused commit leaves the merged view as it was; a full quota is ENOSPC', async () => {
        const upper = new ProbeUpper(env.make());
        const { ov } = await overlay([{ d: { f: 'x' }, g: 'y' }], { upper });
        await ov.writeFile('/kept', 'k');
        const quota = new Error('quota');
        quota.name = 'QuotaExceededError';
        upper.failWith = quota;
        const e = await rejection(ov.rename('/d', '/e'));
        expect(e.code).toBe('ENOSPC');
        expect(await ov.readdir('/')).toEqual(['d', 'g', 'kept']);
        expect(ov.origin('/d')).toEqual({ layer: 0, copiedUp: false, metacopy: false });
        upper.failWith = new Error('disk on fire');
        expect((await rejection(ov.writeFile('/g', 'changed'))).code).toBe('EIO');
        expect(await text(ov, '/g')).toBe('y');
        await ov.rename('/d', '/e');
        expect(await ov.readdir('/e')).toEqual(['f']);
      });

      it('concurrent calls are serialized: each one is applied whole', async () => {
        const upper = new ProbeUpper(env.make());
        const { ov } = await overlay([{ d: {} }], { upper });
        const commitsBefore = upper.commits;
        await Promise.all(
          Array.from({ length: 50 }, (_, i) => ov.writeFile(`/d/f${i}`, `content ${i}`.repeat(100))),
        );
        expect(upper.commits - commitsBefore).toBe(50);
        const names = await ov.readdir('/d');
        expect(names).toHaveLength(50);
        for (let i = 0; i < 50; i++) expect(await text(ov, `/d/f${i}`)).toBe(`content ${i}`.repeat(100));
      });

      it('reset discards the upper atomically', async () => {
        const { ov, upper } = await overlay([{ a: 'x' }]);
        await ov.writeFile('/a', 'changed');
        await ov.writeFile('/b', 'new');
        await ov.reset();
        expect(await ov.readdir('/')).toEqual(['a']);
        expect(await text(ov, '/a')).toBe('x');
        expect(await upper.usage()).toEqual({ bytes: 0, entries: 0 });
      });
    });
  });
}
