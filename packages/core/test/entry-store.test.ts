/**
 * The engine's names live in the wasm index (`entry-store.ts`): names behave as a map's would,
 * slots are reused, open overlays share one instance, and close() frees an overlay's names.
 */
import { NamespaceIndex } from '@vellum/wasm';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EntryStore, EntryTable } from '../src/entry-store.js';
import { MemoryLayer, MemoryUpper, Overlay } from '../src/index.js';
import { type DirNode, FileNode } from '../src/inode.js';
import { buildLowerIndex } from '../src/lower-index.js';
import { hardlink, symlink } from '../src/tree.js';
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

describe('copy-up of a directory (EntryTable.copyFrom)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an upper copy answers like a Map copy of its lower directory through any sets and deletes', async () => {
    const lower = MemoryLayer.fromTree({
      d: {
        plain: 'p',
        made: 'm',
        sub: { x: '1' },
        link: symlink('plain'),
        hard: hardlink('/d/plain'),
        'ü-名': 'u',
      },
    });
    const lowers = await buildLowerIndex([lower], META);
    const store = lowers.store;
    try {
      const d = lowers.root.children.get('d') as DirNode;
      d.children.get('made'); // one object made before the copy (tagged), the rest not
      const pool = ['plain', 'made', 'sub', 'link', 'hard', 'ü-名', 'new', 'other'];
      const op = fc.oneof(
        fc.record({ set: fc.constantFrom(...pool), ino: fc.integer({ min: 1, max: 4 }) }),
        fc.record({ del: fc.constantFrom(...pool) }),
        fc.constant({ copy: true }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
          let table = new EntryTable(store);
          table.copyFrom(d.children);
          const model = new Map(d.children.entries());
          const objects = [file(1), file(2), file(3), file(4)];
          const tables = [table];
          const check = (): void => {
            expect([...table.keys()].sort()).toEqual([...model.keys()].sort());
            expect(table.size).toBe(model.size);
            for (const name of pool) {
              expect(table.get(name)).toBe(model.get(name));
              expect(table.has(name)).toBe(model.has(name));
              expect(table.isDir(name)).toBe(model.get(name)?.kind === 'dir');
            }
            expect(new Map(table.entries())).toEqual(model);
            // The walk goes through the copy into the lower directory's subdirectory.
            expect(table.walk('/sub/x') === 2).toBe(model.get('sub') === d.children.get('sub'));
          };
          check();
          for (const o of ops) {
            if ('set' in o) {
              const node = objects[o.ino - 1] as FileNode;
              table.set(o.set, node);
              model.set(o.set, node);
            } else if ('del' in o) {
              expect(table.delete(o.del)).toBe(model.delete(o.del));
            } else {
              // A copy of a copy: the same names, the same lower directory merged.
              const next = new EntryTable(store);
              next.copyFrom(table);
              table = next;
              tables.push(table);
            }
            check();
          }
          // Every name of every table counted its object's slot: dropping them all frees them.
          for (const t of tables) t.clear();
          for (const o of objects) expect(o.slot).toBe(0);
          expect(tables.every((t) => t.size === 0 && t.keys().length === 0)).toBe(true);
        }),
        { numRuns: 150 },
      );
      const full = new EntryTable(store);
      full.set('x', file(5));
      expect(() => full.copyFrom(d.children)).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    } finally {
      store.close();
    }
  });

  it('a copy-up of a 10,000-name lower directory costs what a 3-name one does: no name copied, read or made', async () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => ({
      path: `/big/f${i}`,
      kind: 'file' as const,
      data: new Uint8Array([i & 0xff]),
    }));
    const ov = await Overlay.create({ lowers: [MemoryLayer.fromEntries(entries)], upper: new MemoryUpper() });
    try {
      await ov.writeFile('/warm', 'w'); // the root's copy-up, out of the count
      // The realm's one index, which the overlay's names live in.
      const peek = await EntryStore.create();
      const nodes = peek.index;
      peek.close();
      const before = nodes.nodeCount;
      const names = vi.spyOn(NamespaceIndex.prototype, 'name');
      const inserts = vi.spyOn(NamespaceIndex.prototype, 'insert');
      await ov.writeFile('/big/new', 'n');
      // /big's upper copy merges the lower /big: its container holds the new name only
      // (per-name copies made 10,000 nodes and read 10,000 names before).
      expect(names.mock.calls.length).toBeLessThan(5);
      expect(inserts.mock.calls.length).toBeLessThan(5);
      expect(nodes.nodeCount - before).toBeLessThan(5);
      expect((await ov.readdir('/big')).length).toBe(10_001);
      expect([...(await ov.readFile('/big/f9999'))]).toEqual([9999 & 0xff]);
      await ov.rm('/big/f1');
      expect((await ov.readdir('/big')).length).toBe(10_000);
      expect(nodes.nodeCount - before).toBeLessThan(10);
    } finally {
      await ov.close();
    }
  });
});

describe('DirNode.names(): the cached sorted names follow every change', () => {
  it('equals the sorted keys through random sets, deletes and copies, and a copy never changes its source', async () => {
    const lowers = await buildLowerIndex([MemoryLayer.fromTree({ d: { b: '1', d: '2', f: '3' } })], META);
    try {
      const d = lowers.root.children.get('d') as DirNode;
      const pool = ['a', 'b', 'c', 'd', 'e', 'f', 'ü'];
      const op = fc.oneof(
        fc.record({ set: fc.constantFrom(...pool), at: fc.nat() }),
        fc.record({ del: fc.constantFrom(...pool), at: fc.nat() }),
        fc.record({ list: fc.nat() }),
        fc.record({ copy: fc.nat() }),
      );
      fc.assert(
        fc.property(fc.boolean(), fc.array(op, { maxLength: 40 }), (listFirst, ops) => {
          if (listFirst) d.names();
          // Any copy may change after others were made from it.
          const copies = [d.copyUp()];
          const pick = (i: number): DirNode => copies[i % copies.length] as DirNode;
          for (const o of ops) {
            if ('set' in o) pick(o.at).setChild(o.set, file(7));
            else if ('del' in o) pick(o.at).deleteChild(o.del);
            else if ('list' in o) pick(o.list).names();
            else copies.push(pick(o.copy).copyUp());
            for (const c of copies) expect(c.names()).toEqual(c.children.keys().sort());
          }
          expect(d.names()).toEqual(['b', 'd', 'f']);
        }),
        { numRuns: 200 },
      );
    } finally {
      lowers.store.close();
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
