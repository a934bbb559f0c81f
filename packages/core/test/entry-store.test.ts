/**
 * The engine's names live in the wasm index (`entry-store.ts`): names behave as a map's would,
 * slots are reused, open overlays share one instance, and close() frees an overlay's names.
 */
import { describe, expect, it } from 'vitest';
import { EntryStore, EntryTable } from '../src/entry-store.js';
import { MemoryLayer, MemoryUpper, Overlay } from '../src/index.js';
import { FileNode } from '../src/inode.js';
import { rejection } from './helpers.js';

const META = { mode: 0o644, uid: 0, gid: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, birthtimeMs: 0 };
const file = (ino: number): FileNode => new FileNode(ino, META, 'upper', 0);

describe('EntryTable', () => {
  it('answers like a Map: insertion order, replacement in place, deletion, copies', async () => {
    const store = await EntryStore.create();
    try {
      const t = new EntryTable(store);
      const [a, b, c] = [file(10), file(11), file(12)];
      t.set('a', a);
      t.set('b', b);
      t.set('ü-名', c);
      t.set('a', c); // replacing keeps the name's place
      expect(t.keys()).toEqual(['a', 'b', 'ü-名']);
      expect(t.get('a')).toBe(c);
      expect(t.get('ü-名')).toBe(c);
      expect(t.has('zz')).toBe(false);
      expect(t.size).toBe(3);
      const copy = new EntryTable(store);
      copy.copyFrom(t);
      expect(t.delete('b')).toBe(true);
      expect(t.delete('b')).toBe(false);
      expect(copy.entries()).toEqual([
        ['a', c],
        ['b', b],
        ['ü-名', c],
      ]);
      // `a` has no name left in either table once both are cleared: its slot is free again.
      copy.clear();
      t.clear();
      expect(a.slot).toBe(0);
      expect(c.slot).toBe(0);
      expect(t.size).toBe(0);
    } finally {
      store.close();
    }
  });
});

describe('the overlay and its wasm index', () => {
  it('open overlays share one index; each close frees its own names; a closed overlay is EBADF', async () => {
    const lower = () => MemoryLayer.fromTree({ d: { f: 'x' } });
    const one = await Overlay.create({ lowers: [lower()], upper: new MemoryUpper() });
    const two = await Overlay.create({ lowers: [lower()], upper: new MemoryUpper() });
    await one.writeFile('/d/g', 'y');
    await one.close();
    expect(await two.readdir('/d')).toEqual(['f']);
    expect((await rejection(one.stat('/d/f'))).code).toBe('EBADF');
    await two.close();
    // The next overlay gets a fresh index.
    const three = await Overlay.create({ lowers: [lower()], upper: new MemoryUpper() });
    expect(await three.readdir('/d')).toEqual(['f']);
    await three.close();
  });
});
