/**
 * `ov.remount({ lowers })`: a new lower stack under the kept upper, swapped in one step, over a
 * memory and an IndexedDB upper.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { file, MemoryLayer, Overlay, type Tree, type UpperLayer } from '../src/index.js';
import { rejection } from './helpers.js';
import { idbUpper, memoryUpper, type UpperKind } from './upper-kinds.js';

const layer = (tree: Tree, id: string): MemoryLayer => MemoryLayer.fromTree(tree, { id, mtimeMs: 1_000 });
const open = (lowers: MemoryLayer[], upper: UpperLayer): Promise<Overlay> =>
  Overlay.create({ lowers, upper, chunkSize: 4, onLowerChange: 'open' });

const v1: Tree = { a: 'A1', b: 'BBBBBBBB', c: 'C1', keep: 'K', old: 'O', dir: { x: 'X', y: 'Y' } };
// A new first entry shifts every ordinal (and so every natural inode number) of v2.
const v2: Tree = {
  '0-new': 'N',
  a: file('A2', { mtimeMs: 2_000 }),
  b: file('bbbbbbbb', { mtimeMs: 2_000 }),
  c: file('C2', { mtimeMs: 2_000 }),
  keep: 'K',
  dir: { x: 'X', y: file('Y2', { mtimeMs: 2_000 }), z: 'Z' },
};

/** Every path of the tree with its contents (files), target (symlinks) or '/' (directories). */
async function tree(ov: Overlay): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await ov.readdir('/', { recursive: true })) {
    const p = `/${name}`;
    const st = await ov.lstat(p);
    out[p] = st.isDirectory()
      ? '/'
      : st.isSymbolicLink()
        ? `-> ${await ov.readlink(p)}`
        : await ov.readFile(p, 'utf8');
  }
  return out;
}

const kinds: [string, UpperKind][] = [
  ['memory', memoryUpper],
  ['idb', idbUpper('remount')],
];

describe.each(kinds)('remount over a %s upper', (_name, kind) => {
  it('lays the upper over the new stack: changes kept, the new base elsewhere, base changes listed', async () => {
    const { upper, reopen } = kind();
    const ov = await open([layer(v1, 'v1')], upper);
    await ov.writeFile('/a', 'edited');
    const fh = await ov.open('/b', 'r+');
    await fh.write('x', 0, 'utf8'); // chunk 0 in the upper, chunk 1 still v1's
    await fh.close();
    await ov.chmod('/c', 0o600);
    await ov.unlink('/dir/x');
    await ov.writeFile('/mine', 'M');

    const { baseChanges } = await ov.remount({ lowers: [layer(v2, 'v2')] });
    expect(baseChanges).toEqual([
      { path: '/a', change: 'changed' },
      { path: '/b', change: 'changed' },
      { path: '/c', change: 'changed' },
    ]);
    expect(ov.baseChanges).toEqual(baseChanges);
    const after = {
      '/0-new': 'N',
      '/a': 'edited',
      // The learner's partial copy still reads what it read: its v1 part was copied at the remount.
      '/b': 'xBBBBBBB',
      '/c': 'C2', // metadata only: the new base's bytes, the learner's mode
      '/dir': '/',
      '/dir/y': 'Y2',
      '/dir/z': 'Z',
      '/keep': 'K',
      '/mine': 'M',
    };
    expect(await tree(ov)).toEqual(after);
    expect((await ov.stat('/c')).mode & 0o777).toBe(0o600);

    // The upper now records the new stack: a plain reopen on it (no 'open' needed) sees the same.
    const again = await Overlay.create({ lowers: [layer(v2, 'v2')], upper: reopen(), chunkSize: 4 });
    expect(await tree(again)).toEqual(after);
    // Still so after a reload: the copies were made over v1's entries, and say so.
    expect(again.baseChanges).toEqual(baseChanges);
    await again.close();
    await ov.close();
  });

  it('keeps the inode numbers of unchanged paths, and never gives two objects one number', async () => {
    const { upper } = kind();
    const ov = await open([layer(v1, 'v1')], upper);
    await ov.writeFile('/mine', 'M');
    await ov.chmod('/keep', 0o600); // a metadata copy of an unchanged file
    const before = new Map<string, number>();
    for (const p of ['/keep', '/dir', '/dir/x', '/a', '/mine', '/c']) before.set(p, (await ov.stat(p)).ino);
    await ov.remount({ lowers: [layer(v2, 'v2')] });
    for (const p of ['/keep', '/dir', '/dir/x', '/mine'])
      expect((await ov.stat(p)).ino, p).toBe(before.get(p));
    // A fresh open of v2 numbers by ordinal: /keep's number there differs, so the remount kept it.
    const fresh = await open([layer(v2, 'v2')], memoryUpper().upper);
    expect((await fresh.stat('/keep')).ino).not.toBe(before.get('/keep'));
    await fresh.close();
    const inos = new Map<number, string>();
    for (const name of await ov.readdir('/', { recursive: true })) {
      const { ino } = await ov.lstat(`/${name}`);
      expect(inos.get(ino), `/${name} shares ${ino}`).toBeUndefined();
      inos.set(ino, `/${name}`);
    }
    await ov.close();
  });

  it('keeps open handles reading what they opened', async () => {
    const { upper } = kind();
    const ov = await open([layer({ f: 'old-bytes', g: 'G' }, 'v1')], upper);
    const fh = await ov.open('/f', 'r');
    await ov.remount({ lowers: [layer({ f: file('new-bytes!', { mtimeMs: 5 }), g: 'G' }, 'v2')] });
    const buf = new Uint8Array(9);
    await fh.read(buf, 0, 9, 0);
    expect(new TextDecoder().decode(buf)).toBe('old-bytes');
    expect(await ov.readFile('/f', 'utf8')).toBe('new-bytes!');
    await fh.close();
    await ov.close();
  });

  it('is atomic for every caller: a reader sees the old stack or the new one, never half', async () => {
    const { upper } = kind();
    const wide = (tag: string): Tree =>
      Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, tag]));
    const ov = await open([layer(wide('1'), 'v1')], upper);
    await ov.writeFile('/f0', 'mine');
    const seen: string[] = [];
    const read = async (): Promise<void> => {
      const names = await ov.readdir('/');
      const texts = await Promise.all(names.slice(1, 40).map((n) => ov.readFile(`/${n}`, 'utf8')));
      seen.push([...new Set(texts)].join(','));
    };
    let done = false;
    const swap = ov.remount({ lowers: [layer(wide('2'), 'v2')] }).then(() => {
      done = true;
    });
    const readers: Promise<void>[] = [];
    // Readers start before, during and after the swap, one a macrotask apart.
    for (let i = 0; i < 200 && !(done && i > 20); i++) {
      readers.push(read());
      await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all([swap, ...readers]);
    await read();
    expect(
      seen.every((s) => s === '1' || s === '2'),
      seen.join(' '),
    ).toBe(true);
    expect(seen[0]).toBe('1');
    expect(seen.at(-1)).toBe('2');
    expect(await ov.readFile('/f0', 'utf8')).toBe('mine');
    await ov.close();
  });

  it('refuses while a file is open for writing, and leaves everything as it was on failure', async () => {
    const { upper } = kind();
    const ov = await open([layer(v1, 'v1')], upper);
    await ov.writeFile('/a', 'edited');
    const view = await tree(ov);
    const fh = await ov.open('/c', 'r+');
    const busy = await rejection(ov.remount({ lowers: [layer(v2, 'v2')] }));
    expect(busy.code).toBe('EBUSY');
    expect(busy.path).toBe('/c');
    await fh.close();
    const bad = await rejection(ov.remount({ lowers: [{ type: 'no-such-kind' } as never] }));
    expect(bad.code).toBe('EINVAL');
    const notArray = await rejection(ov.remount({ lowers: 'v2' as never }));
    expect(notArray.code).toBe('EINVAL');
    expect(await tree(ov)).toEqual(view);
    await ov.writeFile('/after', 'still writable');
    expect(await ov.readFile('/after', 'utf8')).toBe('still writable');
    await ov.close();
  });

  it('takes layer descriptors, as Overlay.create does through the worker and ZenFS', async () => {
    const { upper } = kind();
    const ov = await open([layer(v1, 'v1')], upper);
    await ov.remount({ lowers: [{ type: 'memory', id: 'v2', tree: { a: 'from a descriptor' } }] });
    expect(await ov.readFile('/a', 'utf8')).toBe('from a descriptor');
    await ov.close();
  });
});
