/**
 * Reopening an upper on a base that changed (`onLowerChange: 'open'`): copied-up
 * objects are found again by their lower path, the ones whose base object changed
 * or went away are listed, and no file ever mixes its chunks with another
 * object's bytes.
 */
import { describe, expect, it } from 'vitest';
import { file, MemoryLayer, MemoryUpper, Overlay, type Tree } from '../src/index.js';
import { writeZip, ZipLayer } from '../src/zip/index.js';
import { rejection } from './helpers.js';

const layer = (tree: Tree, id: string): MemoryLayer => MemoryLayer.fromTree(tree, { id, mtimeMs: 1_000 });
const open = (tree: Tree, id: string, upper: MemoryUpper): Promise<Overlay> =>
  Overlay.create({ lowers: [layer(tree, id)], upper, onLowerChange: 'open', chunkSize: 4 });

describe('a changed base under a stored upper', () => {
  it('lists what changed or went away and keeps every upper copy readable or EIO, never mixed', async () => {
    const v1: Tree = { a: 'A1', b: 'BBBBBBBB', c: 'C1', d: 'DDDD', keep: 'K' };
    const upper = new MemoryUpper();
    const first = await open(v1, 'v1', upper);
    await first.writeFile('/a', 'edited'); // whole data in the upper
    const fh = await first.open('/b', 'r+');
    await fh.write('x', 0, 'utf8'); // chunk 0 in the upper, chunk 1 still the base's
    await fh.close();
    await first.chmod('/c', 0o600); // metadata only
    await first.rename('/d', '/d2'); // moved, unchanged
    expect(first.baseChanges).toEqual([]);

    // v2: a new first entry shifts every inode number; a, b and c were rebuilt (other
    // bytes, a new mtime: memory layers know no content hash, so size and mtime tell);
    // d is the same object as before.
    const rebuilt = { mtimeMs: 2_000 };
    const v2: Tree = {
      '0-new': 'N',
      a: file('A2', rebuilt),
      b: file('bbbbbbbb', rebuilt),
      c: file('C2', rebuilt),
      d: 'DDDD',
      keep: 'K',
    };
    const second = await open(v2, 'v2', upper);
    expect(second.baseChanges).toEqual([
      { path: '/a', change: 'changed' },
      { path: '/b', change: 'changed' },
      { path: '/c', change: 'changed' },
    ]);
    expect(await second.readFile('/a', 'utf8')).toBe('edited');
    expect((await rejection(second.readFile('/b'))).code).toBe('EIO'); // its second chunk was v1's
    expect(await second.readFile('/c', 'utf8')).toBe('C2'); // metadata-only: the new bytes, the old mode
    expect((await second.stat('/c')).mode & 0o777).toBe(0o600);
    expect(await second.readFile('/d2', 'utf8')).toBe('DDDD');
    expect(await second.readdir('/')).toEqual(['0-new', 'a', 'b', 'c', 'd2', 'keep']);
    await second.revert('/b'); // the way out the listing offers
    expect(await second.readFile('/b', 'utf8')).toBe('bbbbbbbb');

    // v3: b is gone from the base (the upper copy of it was reverted above; a stays).
    const v3: Tree = { c: file('C3', { mtimeMs: 3_000 }), d: 'DDDD' };
    const third = await open(v3, 'v3', upper);
    expect(third.baseChanges).toEqual([
      { path: '/a', change: 'missing' },
      { path: '/c', change: 'changed' },
    ]);
    expect(await third.readFile('/a', 'utf8')).toBe('edited');
  });

  it('the same base reopened lists nothing', async () => {
    const tree: Tree = { a: 'A', b: 'B' };
    const upper = new MemoryUpper();
    const ov = await open(tree, 'same', upper);
    await ov.chmod('/a', 0o600);
    await ov.writeFile('/b', 'mine');
    expect((await open(tree, 'same', upper)).baseChanges).toEqual([]);
  });

  it('a zip base tells a changed entry by its CRC-32, even with the same size and mtime', async () => {
    const zip = (a: string): Promise<ZipLayer> =>
      ZipLayer.open(
        writeZip([
          { path: 'a.txt', kind: 'file', data: new TextEncoder().encode(a), mtimeMs: 1_000_000 },
          { path: 'b.txt', kind: 'file', data: new TextEncoder().encode('same'), mtimeMs: 1_000_000 },
        ]),
      );
    const upper = new MemoryUpper();
    const ov = await Overlay.create({ lowers: [await zip('one')], upper });
    await ov.chmod('/a.txt', 0o600);
    await ov.chmod('/b.txt', 0o600);
    const again = await Overlay.create({ lowers: [await zip('two')], upper, onLowerChange: 'open' });
    expect(again.baseChanges).toEqual([{ path: '/a.txt', change: 'changed' }]);
    expect(await again.readFile('/a.txt', 'utf8')).toBe('two');
  });
});
