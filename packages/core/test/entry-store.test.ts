/**
 * The engine's names live in the wasm index (`entry-store.ts`): names behave as a map's would,
 * slots are reused, open overlays share one instance, and close() frees an overlay's names.
 */
import { CONTAINER_LINK, Kind, LOWER_LINK, NamespaceIndex } from '@vellum/wasm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EntryStore, EntryTable, linkTarget } from '../src/entry-store.js';
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

/**
 * The per-name copy `copyFrom` made before it became one wasm call (`copyChildren`): the model
 * the bulk copy must match name for name.
 */
function perNameCopy(store: EntryStore, from: EntryTable, to: EntryTable): void {
  const index = store.index;
  for (const id of index.children(from.id)) {
    const name = index.name(id);
    const slot = index.tag(id);
    if (slot !== 0) {
      to.set(name, store.object(slot) as FileNode);
      continue;
    }
    const target = linkTarget(index, id) || id;
    const dir = index.kind(target) === Kind.Dir;
    index.insert(to.id, name, { kind: Kind.File, layer: dir ? CONTAINER_LINK : LOWER_LINK, ref: target });
  }
}

/** What a container holds, name by name: what the walk, lookups and links read. */
function contents(store: EntryStore, t: EntryTable): unknown[] {
  const index = store.index;
  return index
    .children(t.id)
    .map((id) => [index.name(id), index.kind(id), index.layer(id), index.ref(id), index.tag(id)]);
}

describe('copy-up of a directory (EntryTable.copyFrom)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('copies every kind of name as the per-name copy did: links, objects made, containers, hard links', async () => {
    const lower = MemoryLayer.fromTree({
      d: {
        plain: 'p',
        made: 'm',
        sub: { x: '1' },
        madeSub: { y: '2' },
        link: symlink('plain'),
        hard: hardlink('/d/plain'),
        'ü-名': 'u',
      },
    });
    const lowers = await buildLowerIndex([lower], META);
    const store = lowers.store;
    try {
      const d = lowers.root.children.get('d') as DirNode;
      // Objects made for two names (tagged), the rest untouched (untagged lower nodes).
      d.children.get('made');
      d.children.get('madeSub');
      const bulk = new EntryTable(store);
      bulk.copyFrom(d.children);
      const model = new EntryTable(store);
      perNameCopy(store, d.children, model);
      expect(contents(store, bulk)).toEqual(contents(store, model));
      expect(contents(store, bulk).length).toBe(7);
      // A copy of a copy (an upper directory copied again) carries links and upper names alike.
      const upperDir = new EntryTable(store);
      bulk.set('fresh', file(99));
      const again = new EntryTable(store);
      again.copyFrom(bulk);
      perNameCopy(store, bulk, upperDir);
      expect(contents(store, again)).toEqual(contents(store, upperDir));
      expect(again.get('fresh')?.ino).toBe(99);
      expect(again.get('sub')?.kind).toBe('dir');
      expect(again.walk('/sub/x')).toBe(2);
      // Each copy counted its references: clearing all but one keeps the object's slot.
      const made = d.children.get('made') as FileNode;
      const slot = made.slot;
      for (const t of [bulk, model, again, upperDir]) t.clear();
      expect(made.slot).toBe(slot);
      const full = new EntryTable(store);
      full.set('x', file(5));
      expect(() => full.copyFrom(d.children)).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    } finally {
      store.close();
    }
  });

  it('a copy-up of a 10,000-name lower directory reads no name into JS and makes no object', async () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => ({
      path: `/big/f${i}`,
      kind: 'file' as const,
      data: new Uint8Array([i & 0xff]),
    }));
    const ov = await Overlay.create({ lowers: [MemoryLayer.fromEntries(entries)], upper: new MemoryUpper() });
    try {
      const names = vi.spyOn(NamespaceIndex.prototype, 'name');
      const inserts = vi.spyOn(NamespaceIndex.prototype, 'insert');
      await ov.writeFile('/big/new', 'n');
      // The copy-up of / and /big plus the new name: a handful, not one per name (10,000 before).
      expect(names.mock.calls.length).toBeLessThan(50);
      expect(inserts.mock.calls.length).toBeLessThan(50);
      expect((await ov.readdir('/big')).length).toBe(10_001);
      expect([...(await ov.readFile('/big/f9999'))]).toEqual([9999 & 0xff]);
    } finally {
      await ov.close();
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
