/**
 * OpfsUpper's storage rules on the in-memory OPFS stand-in: a torn tail is dropped and cut off,
 * a full quota is ENOSPC with nothing kept, one writer per workspace, compaction swaps the
 * snapshot in and empties the journal, chunk files are written once and removed when replaced,
 * and the `{ type: 'opfs', name }` descriptor opens it.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLayer, Overlay, openUpper } from '../src/index.js';
import { OpfsUpper, type OpfsUpperOptions } from '../src/opfs/index.js';
import type { OpfsDirectoryHandle } from '../src/opfs/types.js';
import { OpfsStandIn } from './opfs-stand-in.js';

const lower = (): MemoryLayer => MemoryLayer.fromTree({ 'base.txt': 'base' }, { id: 'base' });

function world(options: Partial<OpfsUpperOptions> = {}) {
  const opfs = new OpfsStandIn();
  const upper = () => new OpfsUpper({ name: 'w', opfs: opfs.getDirectory, ...options });
  return { opfs, upper, open: (u = upper()) => Overlay.create({ lowers: [lower()], upper: u }) };
}

async function workspace(opfs: OpfsStandIn): Promise<OpfsDirectoryHandle> {
  return (await (await opfs.getDirectory()).getDirectoryHandle('vellum-opfs')).getDirectoryHandle('w');
}

async function names(dir: OpfsDirectoryHandle): Promise<string[]> {
  const out: string[] = [];
  for await (const name of dir.keys()) out.push(name);
  return out.sort();
}

async function size(dir: OpfsDirectoryHandle, name: string): Promise<number> {
  return (await (await dir.getFileHandle(name)).getFile()).size;
}

describe('OpfsUpper storage', () => {
  it("drops a torn last record (a 7-byte header, as LevelDB's torn tail) and appends after the last good one", async () => {
    const { opfs, open, upper } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await ov.writeFile('/b.txt', 'b');
    opfs.crash();
    const dir = await workspace(opfs);
    const good = await size(dir, 'journal');
    // A header cut short after 7 bytes, the way a killed writer leaves one.
    const access = await (await dir.getFileHandle('journal')).createSyncAccessHandle?.();
    access?.write(new Uint8Array([0x56, 0x4f, 0x46, 0x31, 0, 0, 1]), { at: good });
    access?.flush();
    access?.close();

    const reopened = upper();
    const again = await open(reopened);
    expect(reopened.tornBytes).toBe(7);
    expect(await again.readdir('/')).toEqual(['a.txt', 'b.txt', 'base.txt']);
    expect(await size(dir, 'journal')).toBe(good);
    await again.writeFile('/c.txt', 'c');
    opfs.crash();
    const third = upper();
    const last = await open(third);
    expect(third.tornBytes).toBe(0);
    expect(await last.readdir('/')).toEqual(['a.txt', 'b.txt', 'base.txt', 'c.txt']);
    expect((await last.fsck()).problems).toEqual([]);
  });

  it('a record whose bytes are damaged (checksum) ends the journal there', async () => {
    const { opfs, open, upper } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    const dir = await workspace(opfs);
    const first = await size(dir, 'journal');
    await ov.writeFile('/b.txt', 'b');
    opfs.crash();
    const access = await (await dir.getFileHandle('journal')).createSyncAccessHandle?.();
    const byte = new Uint8Array(1);
    access?.read(byte, { at: first + 20 });
    access?.write(new Uint8Array([(byte[0] ?? 0) ^ 1]), { at: first + 20 });
    access?.flush();
    access?.close();
    const reopened = upper();
    const again = await open(reopened);
    expect(reopened.tornBytes).toBeGreaterThan(0);
    expect(await again.readdir('/')).toEqual(['a.txt', 'base.txt']);
  });

  it('a full quota fails the operation with ENOSPC and keeps nothing of it', async () => {
    const { opfs, open, upper } = world({ inlineBelow: 1024 });
    const ov = await open();
    await ov.writeFile('/small.txt', 'small');
    opfs.quota = opfs.usage() + 2000;
    await expect(ov.writeFile('/big.bin', new Uint8Array(10_000))).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(ov.writeFile('/inline.txt', 'x'.repeat(3000))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await ov.readdir('/')).toEqual(['base.txt', 'small.txt']);
    opfs.quota = Number.POSITIVE_INFINITY;
    await ov.writeFile('/after.txt', 'after');
    opfs.crash();
    const again = await open(upper());
    expect(await again.readdir('/')).toEqual(['after.txt', 'base.txt', 'small.txt']);
    expect(await names(await (await workspace(opfs)).getDirectoryHandle('chunks'))).toEqual([]);
    expect((await again.fsck()).problems).toEqual([]);
  });

  it('one writer per workspace: a second upper fails with EBUSY until the first closes', async () => {
    const { open } = world();
    const first = await open();
    await first.writeFile('/a.txt', 'a');
    await expect(open()).rejects.toMatchObject({ code: 'EBUSY', syscall: 'open' });
    await first.close();
    const second = await open();
    expect(await second.readFile('/a.txt', 'utf8')).toBe('a');
    await second.close();
  });

  it('compaction: the snapshot swapped in, the journal emptied, inline chunks moved, files kept', async () => {
    const { opfs, open, upper } = world({ inlineBelow: 4096 });
    const ov = await open();
    await ov.writeFile('/small.txt', 'small');
    await ov.writeFile('/big.bin', new Uint8Array(70_000).fill(7));
    const dir = await workspace(opfs);
    const chunkFiles = await names(await dir.getDirectoryHandle('chunks'));
    // Both chunks (65,536 and 4,464 bytes) are at least inlineBelow: files of their own.
    expect(chunkFiles.length).toBe(2);
    await ov.close();
    expect(await names(dir)).toEqual(['chunks', 'journal', 'snapshot']);
    expect(await size(dir, 'journal')).toBe(0);
    const again = await open(upper());
    expect(await again.readFile('/small.txt', 'utf8')).toBe('small');
    expect(new Uint8Array(await again.readFile('/big.bin'))).toEqual(new Uint8Array(70_000).fill(7));
    expect(await names(await dir.getDirectoryHandle('chunks'))).toEqual(chunkFiles);
    await again.close();
  });

  it('a chunk file replaced or dropped is removed; files of an operation never stored are removed at open', async () => {
    const { opfs, open, upper } = world({ inlineBelow: 1 });
    const ov = await open();
    await ov.writeFile('/f', 'one');
    const chunks = await (await workspace(opfs)).getDirectoryHandle('chunks');
    const first = await names(chunks);
    expect(first).toHaveLength(1);
    await ov.writeFile('/f', 'two');
    const second = await names(chunks);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    await ov.unlink('/f');
    expect(await names(chunks)).toEqual([]);
    // A chunk file whose record never made it (the process died between the two).
    await chunks.getFileHandle('99.0.99.0', { create: true });
    opfs.crash();
    await open(upper());
    expect(await names(chunks)).toEqual([]);
  });

  it("a descriptor { type: 'opfs', name } opens it, the root from the open context", async () => {
    const opfs = new OpfsStandIn();
    const context = { opfs: opfs.getDirectory };
    const ov = await Overlay.create({
      lowers: [lower()],
      upper: await openUpper({ type: 'opfs', name: 'd' }, context),
    });
    await ov.writeFile('/x.txt', 'x');
    await ov.close();
    const again = await Overlay.create({
      lowers: [lower()],
      upper: await openUpper({ type: 'opfs', name: 'd', inlineBelow: 1 }, context),
    });
    expect(await again.readFile('/x.txt', 'utf8')).toBe('x');
    await again.close();
    await OpfsUpper.delete('d', context);
    const root = await opfs.getDirectory();
    expect(await names(await root.getDirectoryHandle('vellum-opfs'))).toEqual([]);
  });

  it('without sync access handles (a page, not a worker) it refuses with EINVAL saying why', async () => {
    const opfs = new OpfsStandIn();
    const pageRoot = async (): Promise<OpfsDirectoryHandle> => withoutSyncHandles(await opfs.getDirectory());
    const opening = Overlay.create({
      lowers: [lower()],
      upper: new OpfsUpper({ name: 'w', opfs: pageRoot }),
    });
    await expect(opening).rejects.toMatchObject({ code: 'EINVAL' });
    await opening.catch((error: Error) =>
      expect(String((error.cause as Error).message)).toMatch(/dedicated workers/),
    );
  });
});

/** The same directory as a page sees it: file handles without `createSyncAccessHandle`. */
function withoutSyncHandles(dir: OpfsDirectoryHandle): OpfsDirectoryHandle {
  return {
    kind: 'directory',
    name: dir.name,
    getDirectoryHandle: async (name, options) =>
      withoutSyncHandles(await dir.getDirectoryHandle(name, options)),
    getFileHandle: async (name, options) => {
      const file = await dir.getFileHandle(name, options);
      return { kind: 'file', name: file.name, getFile: () => file.getFile() };
    },
    removeEntry: (name, options) => dir.removeEntry(name, options),
    keys: () => dir.keys(),
  };
}
