/** `ov.revert(path)`: one name back to what the lowers show, and nothing else touched. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IndexedDBUpper } from '../src/idb/index.js';
import { hardlink, MemoryLayer, Overlay, symlink, type Tree } from '../src/index.js';
import { overlay, rejection, reopen, text } from './helpers.js';
import { fullView } from './view.js';

const base = (): Tree[] => [
  { d: { f: 'base f', g: 'base g', sub: { deep: 'deep' } }, top: 'top' },
  { d: { low: 'low' } },
];

describe('revert', () => {
  it('brings back a deleted file, a modified file, a metadata change; removes an added file', async () => {
    const { ov, upper } = await overlay(base());
    await ov.unlink('/d/f');
    await ov.writeFile('/d/g', 'changed');
    await ov.chmod('/top', 0o600);
    await ov.writeFile('/d/new', 'new');
    const inoG = (await ov.stat('/d/g')).ino;
    for (const p of ['/d/f', '/d/g', '/top', '/d/new']) await ov.revert(p);
    expect(await ov.readdir('/d')).toEqual(['f', 'g', 'low', 'sub']);
    expect(await text(ov, '/d/f')).toBe('base f');
    expect(await text(ov, '/d/g')).toBe('base g');
    expect((await ov.stat('/d/g')).ino).toBe(inoG);
    expect((await ov.stat('/top')).mode & 0o777).toBe(0o644);
    expect(await ov.changes()).toEqual([]);
    expect(ov.origin('/d/g')).toEqual({ layer: 0, copiedUp: false, metacopy: false });
    expect((await upper.usage()).bytes).toBe(0);
    const again = await reopen(base(), upper);
    expect(await again.changes()).toEqual([]);
    expect(await text(again, '/d/g')).toBe('base g');
  });

  it('reverts a whole directory, replaced or changed inside, and leaves its siblings alone', async () => {
    const { ov, upper } = await overlay(base());
    await ov.writeFile('/top', 'kept change');
    await ov.writeFile('/d/sub/deep', 'changed');
    await ov.writeFile('/d/sub/extra', 'x');
    await ov.unlink('/d/low');
    await ov.revert('/d');
    expect(await ov.readdir('/d')).toEqual(['f', 'g', 'low', 'sub']);
    expect(await ov.readdir('/d/sub')).toEqual(['deep']);
    expect(await text(ov, '/d/sub/deep')).toBe('deep');
    expect(await ov.changes()).toEqual([{ path: '/top', type: 'file', change: 'modified' }]);
    await ov.rm('/d', { recursive: true });
    await ov.mkdir('/d');
    await ov.revert('/d');
    expect(await ov.readdir('/d')).toEqual(['f', 'g', 'low', 'sub']);
    const again = await reopen(base(), upper);
    expect(await again.readdir('/d')).toEqual(['f', 'g', 'low', 'sub']);
    expect(await again.changes()).toEqual([{ path: '/top', type: 'file', change: 'modified' }]);
  });

  it('keeps hard links one object, refuses a renamed directory, and fails on a name nobody has', async () => {
    const trees = [{ a: 'shared', b: hardlink('/a'), d: { x: '1' } }];
    const { ov } = await overlay(trees);
    await ov.writeFile('/a', 'changed');
    await ov.revert('/b');
    expect(await text(ov, '/a')).toBe('shared');
    await ov.rename('/d', '/moved');
    expect((await rejection(ov.revert('/moved'))).code).toBe('EINVAL');
    expect((await rejection(ov.revert('/nothing'))).code).toBe('ENOENT');
  });

  it('brings back a deleted name as the lowers show it, whatever its object went through before', async () => {
    const { ov, upper } = await overlay(base());
    // Changed (copied up), then deleted: the name comes back with the lower's bytes and size.
    await ov.appendFile('/d/f', '+more');
    expect(await text(ov, '/d/f')).toBe('base f+more');
    await ov.rm('/d/f');
    await ov.revert('/d/f');
    expect(await text(ov, '/d/f')).toBe('base f');
    expect((await ov.stat('/d/f')).size).toBe(6);
    expect((await ov.stat('/d/f')).nlink).toBe(1);
    // Deleted untouched: its link count is the lower's again.
    await ov.unlink('/top');
    await ov.revert('/top');
    expect((await ov.stat('/top')).nlink).toBe(1);
    // Truncated, then the directory around it removed: reverting the directory brings both back.
    await ov.truncate('/d/g', 1);
    await ov.rm('/d', { recursive: true });
    await ov.revert('/d');
    expect(await text(ov, '/d/g')).toBe('base g');
    expect(await ov.changes()).toEqual([]);
    expect((await upper.usage()).bytes).toBe(0);
    const again = await reopen(base(), upper);
    expect(await text(again, '/d/f')).toBe('base f');
    expect(await again.changes()).toEqual([]);
  });

  it('counts a reverted name of a hard link that kept its other name, and refuses an object still open', async () => {
    const trees = [{ a: 'shared', b: hardlink('/a'), c: 'c' }];
    const { ov, upper } = await overlay(trees);
    await ov.unlink('/b');
    expect((await ov.stat('/a')).nlink).toBe(1);
    await ov.revert('/b');
    expect((await ov.stat('/a')).nlink).toBe(2);
    expect((await ov.stat('/b')).ino).toBe((await ov.stat('/a')).ino);
    expect(await text(ov, '/b')).toBe('shared');
    const again = await reopen(trees, upper);
    expect((await again.stat('/b')).nlink).toBe(2);
    // Removed while open: the open object holds data that is no longer the lower's.
    const fh = await ov.open('/c', 'r+');
    await fh.write('C');
    await ov.unlink('/c');
    expect((await rejection(ov.revert('/c'))).code).toBe('EBUSY');
    await fh.close();
    await ov.revert('/c');
    expect(await text(ov, '/c')).toBe('c');
  });

  it('gives a renamed-away name its own object back: the moved copy keeps its edit, its number, and a reopen shows the same (issue 22)', async () => {
    const lower = (): MemoryLayer[] => [
      MemoryLayer.fromTree(
        { src: { 'main.ts': 'BASE\n', 'other.ts': 'o' } },
        { id: 'rv', mtimeMs: 1_000_000 },
      ),
    ];
    const name = `rv-${Math.random().toString(36).slice(2)}`;
    const ov = await Overlay.create({ lowers: lower(), upper: new IndexedDBUpper({ name }) });
    const baseIno = (await ov.stat('/src/main.ts')).ino;
    await ov.rename('/src/main.ts', '/src/entry.ts');
    await ov.writeFile('/src/entry.ts', 'EDITED\n');
    await ov.revert('/src/main.ts');
    expect(await text(ov, '/src/main.ts')).toBe('BASE\n');
    expect(await text(ov, '/src/entry.ts')).toBe('EDITED\n');
    const entry = await ov.stat('/src/entry.ts');
    const main = await ov.stat('/src/main.ts');
    expect(entry.ino).toBe(baseIno); // the moved object keeps its identity
    expect(main.ino).not.toBe(entry.ino);
    expect([main.nlink, entry.nlink]).toEqual([1, 1]);
    await ov.revert('/src/main.ts'); // again: nothing changes
    expect(await text(ov, '/src/entry.ts')).toBe('EDITED\n');
    expect(await text(ov, '/src/main.ts')).toBe('BASE\n');
    expect(await ov.readdir('/src')).toEqual(['entry.ts', 'main.ts', 'other.ts']);
    const changes = await ov.changes();
    expect(changes.map((c) => c.path)).toEqual(['/src/entry.ts']);
    const view = await fullView(ov);
    await ov.close();
    const again = await Overlay.create({ lowers: lower(), upper: new IndexedDBUpper({ name }) });
    expect(await fullView(again)).toEqual(view);
    expect(await again.changes()).toEqual(changes);
    await again.close();
    await IndexedDBUpper.delete(name);
  });

  it('leaves an untouched name of an untouched lower directory as it is (it used to be deleted)', async () => {
    const trees: Tree[] = [{}, { b: { d: 'lower d' } }];
    const { ov, upper } = await overlay(trees);
    await ov.revert('/b/d');
    expect(await ov.readdir('/b')).toEqual(['d']);
    expect(await text(ov, '/b/d')).toBe('lower d');
    expect(await ov.changes()).toEqual([]);
    expect(await (await reopen(trees, upper)).readdir('/b')).toEqual(['d']);
  });

  it('keeps the other names of a lower file linked elsewhere: they keep their object and survive a reopen', async () => {
    const trees: Tree[] = [{ a: 'base a' }];
    const { ov, upper } = await overlay(trees);
    await ov.link('/a', '/z');
    await ov.writeFile('/z', 'edited');
    await ov.revert('/a');
    expect(await text(ov, '/a')).toBe('base a');
    expect(await text(ov, '/z')).toBe('edited');
    const view = await fullView(ov);
    expect(view['/a']?.ino).not.toBe(view['/z']?.ino);
    expect([view['/a']?.nlink, view['/z']?.nlink]).toEqual([1, 1]);
    expect(await ov.changes()).toEqual([{ path: '/z', type: 'file', change: 'renamed', from: '/a' }]);
    expect(await fullView(await reopen(trees, upper))).toEqual(view);
  });

  it('gives the reverted old name of a moved directory a copy of the lowers: the moved one keeps its objects', async () => {
    const trees: Tree[] = [{ d: { x: 'base x', s: { y: 'base y' } } }];
    const { ov, upper } = await overlay(trees);
    const ino = (await ov.stat('/d/x')).ino;
    await ov.rename('/d', '/m');
    await ov.revert('/d');
    expect(await ov.readdir('/d')).toEqual(['s', 'x']);
    await ov.writeFile('/m/x', 'moved x');
    await ov.writeFile('/d/s/y', 'new y');
    expect(await text(ov, '/d/x')).toBe('base x');
    expect(await text(ov, '/m/x')).toBe('moved x');
    expect(await text(ov, '/m/s/y')).toBe('base y');
    expect((await ov.stat('/m/x')).ino).toBe(ino);
    expect((await ov.stat('/d/x')).ino).not.toBe(ino);
    expect((await ov.stat('/d')).ino).not.toBe((await ov.stat('/m')).ino);
    const view = await fullView(ov);
    expect(await fullView(await reopen(trees, upper))).toEqual(view);
  });

  it('gives a directory whose file was renamed out of it a copy of that file, and restores hard links kept inside', async () => {
    const trees: Tree[] = [{ d: { x: 'base x', h: 'shared' }, k: hardlink('/d/h') }];
    const { ov, upper } = await overlay(trees);
    await ov.rename('/d/x', '/out');
    await ov.writeFile('/out', 'edited');
    await ov.revert('/d');
    expect(await text(ov, '/d/x')).toBe('base x');
    expect(await text(ov, '/out')).toBe('edited');
    expect((await ov.stat('/d/x')).ino).not.toBe((await ov.stat('/out')).ino);
    expect(await fullView(await reopen(trees, upper))).toEqual(await fullView(ov));
  });

  it('restores a lower hard link changed through its other name when its untouched directory is reverted', async () => {
    const trees: Tree[] = [{ a: '', b: { a: hardlink('/a') } }];
    const { ov, upper } = await overlay(trees);
    await ov.appendFile('/a', 'hello');
    expect(await text(ov, '/b/a')).toBe('hello');
    await ov.revert('/b');
    expect([await text(ov, '/a'), await text(ov, '/b/a')]).toEqual(['', '']);
    expect((await ov.stat('/a')).nlink).toBe(2);
    expect(await fullView(await reopen(trees, upper))).toEqual(await fullView(ov));
  });

  it('reverts the name itself: a trailing slash does not follow a symlink there', async () => {
    const trees: Tree[] = [{ b: symlink('a/a') }, {}, { a: { a: {} } }];
    const { ov } = await overlay(trees);
    await ov.link('/b', '/e');
    await ov.revert('/e/');
    expect(await ov.readdir('/')).toEqual(['a', 'b']);
    expect((await ov.lstat('/b')).nlink).toBe(1);
  });
  it('brings a name back inside a directory that merges no lower one (opaque, or a copy made by revert)', async () => {
    const trees: Tree[] = [{ d: { x: 'base x', keep: 'k' }, c: { s: { y: 'base y' }, z: 'base z' } }];
    const { ov, upper } = await overlay(trees);
    // An opaque directory: removed and made again.
    await ov.rm('/d', { recursive: true });
    await ov.mkdir('/d');
    await ov.writeFile('/d/mine', 'mine');
    await ov.revert('/d/x');
    expect(await ov.readdir('/d')).toEqual(['mine', 'x']);
    expect(await text(ov, '/d/x')).toBe('base x');
    // A copy of a lower directory, made by reverting the old name of a moved one.
    await ov.rename('/c', '/m');
    await ov.revert('/c');
    await ov.rm('/c/s', { recursive: true });
    await ov.writeFile('/c/z', 'changed');
    await ov.revert('/c/s');
    await ov.revert('/c/z');
    expect(await text(ov, '/c/s/y')).toBe('base y');
    expect(await text(ov, '/c/z')).toBe('base z');
    expect(await text(ov, '/m/z')).toBe('base z');
    expect((await ov.stat('/c/z')).ino).not.toBe((await ov.stat('/m/z')).ino);
    expect(await fullView(await reopen(trees, upper))).toEqual(await fullView(ov));
  });
});
