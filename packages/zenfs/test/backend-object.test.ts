/**
 * The `Vellum` backend object with layer descriptors, `zenfsLayer`, `preload`, and the
 * errors sync calls give where a layer would have to wait.
 */
import 'fake-indexeddb/auto';
import { type HttpLowerDescriptor, MemoryLayer, MemoryUpper, registerLayerType } from '@vellum/core';
import { writeZip } from '@vellum/core/zip';
import { type FileSystem, fs, InMemory, mount, resolveMountConfig, umount } from '@zenfs/core';
import { afterEach, describe, expect, test } from 'vitest';
import { OverlayBackend, Vellum, zenfsLayer } from '../src/index.js';

let serial = 0;
const mounted: string[] = [];
const at = (backend: FileSystem): string => {
  const root = `/obj-${serial++}`;
  mount(root, backend);
  mounted.push(root);
  return root;
};
afterEach(() => {
  for (const root of mounted.splice(0)) umount(root);
});
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('Vellum backend object', () => {
  test('memory descriptors: ready for sync calls once resolved', async () => {
    const backend = await resolveMountConfig({
      backend: Vellum,
      lowers: [{ type: 'memory', tree: { 'a.txt': 'lower a', src: { 'm.ts': 'x' } } }],
      upper: { type: 'memory' },
    });
    const root = at(backend);
    expect(fs.readFileSync(`${root}/a.txt`, 'utf8')).toBe('lower a');
    fs.writeFileSync(`${root}/src/m.ts`, 'y');
    expect(await (await backend.overlay).changes()).toEqual([
      { path: '/src/m.ts', type: 'file', change: 'modified' },
    ]);
  });

  test("ZenFS's option check refuses what is not a layer", async () => {
    await expect(resolveMountConfig({ backend: Vellum, lowers: [42] } as never)).rejects.toThrow(/lowers/);
  });

  test('a zip lower from bytes: sync reads of deflated entries wait for preload, and say so', async () => {
    const zip = writeZip([
      { path: 'src', kind: 'dir' },
      { path: 'src/main.ts', kind: 'file', data: text('export const answer = 42;\n'.repeat(20)) },
      { path: 'README.md', kind: 'file', data: text('# readme\n'.repeat(20)) },
    ]);
    const backend = await resolveMountConfig({ backend: Vellum, lowers: [{ type: 'zip', data: zip }] });
    const root = at(backend);
    expect(fs.statSync(`${root}/src/main.ts`).isFile()).toBe(true);
    expect(() => fs.readFileSync(`${root}/src/main.ts`)).toThrow(/EAGAIN.*preload/);
    expect(await backend.preload('/src/**/*.ts')).toEqual({ files: 1, bytes: 26 * 20 });
    expect(fs.readFileSync(`${root}/src/main.ts`, 'utf8')).toContain('answer = 42');
    // Not preloaded: still refused, never wrong data.
    expect(() => fs.readFileSync(`${root}/README.md`)).toThrow(/EAGAIN/);
    expect(await fs.promises.readFile(`${root}/README.md`, 'utf8')).toContain('# readme');
  });

  test('an idb upper: async writes persist across mounts; sync writes are refused with the reason', async () => {
    const name = `zenfs-obj-${Date.now()}`;
    const config = {
      backend: Vellum,
      lowers: [{ type: 'memory', tree: { 'keep.txt': 'k', 'drop.txt': 'd' }, id: 'base' }],
      upper: { type: 'idb', name },
    } as const;
    const first = at(await resolveMountConfig(config));
    await fs.promises.writeFile(`${first}/new.txt`, 'saved');
    await fs.promises.unlink(`${first}/drop.txt`);
    expect(() => fs.writeFileSync(`${first}/sync.txt`, 'no')).toThrow(
      /EAGAIN.*commits asynchronously only.*use the async API/,
    );
    const again = at(await resolveMountConfig(config));
    expect((await fs.promises.readdir(again)).sort()).toEqual(['keep.txt', 'new.txt']);
    expect(await fs.promises.readFile(`${again}/new.txt`, 'utf8')).toBe('saved');
  });

  test("an idb descriptor takes core's options as they are (here readOnly, mustExist)", async () => {
    const name = `zenfs-obj-ro-${Date.now()}`;
    const lowers = [{ type: 'memory', tree: { 'base.txt': 'b' }, id: 'ro-base' }] as const;
    const writer = at(
      await resolveMountConfig({ backend: Vellum, lowers: [...lowers], upper: { type: 'idb', name } }),
    );
    await fs.promises.writeFile(`${writer}/saved.txt`, 'saved');
    await expect(
      resolveMountConfig({
        backend: Vellum,
        lowers: [...lowers],
        upper: { type: 'idb', name: `${name}-none`, mustExist: true },
      }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    const preview = at(
      await resolveMountConfig({
        backend: Vellum,
        lowers: [...lowers],
        upper: { type: 'idb', name, readOnly: true },
      }),
    );
    expect(await fs.promises.readFile(`${preview}/saved.txt`, 'utf8')).toBe('saved');
    await expect(fs.promises.writeFile(`${preview}/no.txt`, 'no')).rejects.toMatchObject({ code: 'EROFS' });
  });

  test('a descriptor kind with no resolver fails with the known kinds', async () => {
    // A kind from a newer configuration than this build knows.
    const webdav = { type: 'webdav', url: 'https://example.invalid/' } as unknown as HttpLowerDescriptor;
    await expect(resolveMountConfig({ backend: Vellum, lowers: [webdav] })).rejects.toThrow(
      /EINVAL.*unknown lower layer type "webdav".*memory, zip, http/,
    );
  });

  test('registerLayerType replaces how a kind is built (here: http, without a server)', async () => {
    const http: HttpLowerDescriptor = { type: 'http', url: 'https://example.invalid/base/' };
    registerLayerType('lower', 'http', (d) =>
      MemoryLayer.fromTree({ 'from-http.txt': String((d as HttpLowerDescriptor).url) }),
    );
    const root = at(await resolveMountConfig({ backend: Vellum, lowers: [http] }));
    expect(fs.readFileSync(`${root}/from-http.txt`, 'utf8')).toBe(http.url);
  });
});

describe('zenfsLayer', () => {
  test('any ZenFS filesystem as a lower: files, directories, symlinks, hard links; it is never written', async () => {
    const base = InMemory.create({ label: 'base' });
    const o = { mode: 0o755, uid: 0, gid: 0 };
    base.mkdirSync('/src', o);
    base.createFileSync('/src/a.ts', { ...o, mode: 0o644 });
    base.writeSync('/src/a.ts', text('export {}'), 0);
    base.linkSync('/src/a.ts', '/src/b.ts');
    mount('/zenfs-base', base);
    fs.symlinkSync('/src/a.ts', '/zenfs-base/link');
    umount('/zenfs-base');

    const backend = new OverlayBackend({ lowers: [zenfsLayer(base)], upper: new MemoryUpper() });
    await backend.ready();
    const root = at(backend);
    expect(fs.readdirSync(root).sort()).toEqual(['link', 'src']);
    expect(fs.readFileSync(`${root}/src/b.ts`, 'utf8')).toBe('export {}');
    expect(fs.statSync(`${root}/src/a.ts`).nlink).toBe(2);
    expect(fs.readlinkSync(`${root}/link`)).toBe('/src/a.ts');
    fs.writeFileSync(`${root}/src/a.ts`, 'changed');
    // Hard links stay one object through copy-up.
    expect(fs.readFileSync(`${root}/src/b.ts`, 'utf8')).toBe('changed');
    const bytes = new Uint8Array(9);
    base.readSync('/src/a.ts', bytes, 0, 9);
    expect(new TextDecoder().decode(bytes)).toBe('export {}');
  });
});

describe('before the overlay has opened', () => {
  test('sync calls say to await ready(); async calls wait', async () => {
    const backend = new OverlayBackend({
      lowers: [MemoryLayer.fromTree({ 'a.txt': 'a' })],
      upper: new MemoryUpper(),
    });
    const root = at(backend);
    expect(() => fs.statSync(`${root}/a.txt`)).toThrow(/EAGAIN.*ready\(\)/);
    expect(await fs.promises.readFile(`${root}/a.txt`, 'utf8')).toBe('a');
    expect(fs.readFileSync(`${root}/a.txt`, 'utf8')).toBe('a');
  });
});

describe('ranged sync I/O', () => {
  const MiB = 2 ** 20;
  const big = new Uint8Array(64 * MiB);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;

  /** Counts what the overlay reads from its lower and what it stores in its upper. */
  async function counted() {
    const inner = MemoryLayer.fromTree({ 'big.bin': big });
    const counts = { lowerBytes: 0, chunkBytes: 0 };
    const lower = {
      id: inner.id,
      entries: () => inner.entries(),
      read: async (ref: unknown, offset: number, length: number) => {
        const out = await inner.read(ref, offset, length);
        counts.lowerBytes += out.byteLength;
        return out;
      },
      readSync: (ref: unknown, offset: number, length: number) => {
        const out = inner.readSync(ref, offset, length);
        counts.lowerBytes += out?.byteLength ?? 0;
        return out;
      },
    };
    const upper = new MemoryUpper();
    const commitSync = upper.commitSync.bind(upper);
    upper.commitSync = (changes) => {
      for (const c of changes) if (c.op === 'put-chunk') counts.chunkBytes += c.data.byteLength;
      commitSync(changes);
    };
    const backend = new OverlayBackend({ lowers: [lower], upper });
    await backend.ready();
    return { backend, counts };
  }

  test('readSync of 4 KiB at 10 MiB of a 64 MiB lower file reads those 4 KiB, not the file', async () => {
    const { backend, counts } = await counted();
    const buf = new Uint8Array(4096).fill(0xaa);
    backend.readSync('/big.bin', buf, 10 * MiB, 10 * MiB + 4096);
    expect(buf[0]).toBe(big[10 * MiB]);
    expect(buf[1]).toBe(0);
    // Exactly the range: the engine reads a lower by range, not by chunk.
    expect(counts.lowerBytes).toBe(4096);
    // Past the end of the file: zeros, not what the reused buffer held.
    const tail = new Uint8Array(16).fill(0xaa);
    backend.readSync('/big.bin', tail, 64 * MiB - 8, 64 * MiB + 8);
    expect([...tail.subarray(8)]).toEqual(new Array(8).fill(0));
  });

  test('writeSync of 1 byte at 10 MiB stores one chunk; through ZenFS fs too', async () => {
    const { backend, counts } = await counted();
    backend.writeSync('/big.bin', new Uint8Array([0xee]), 10 * MiB + 1);
    expect(counts.chunkBytes).toBe(64 * 1024);
    expect(counts.lowerBytes).toBe(64 * 1024);
    const root = at(backend);
    const fd = fs.openSync(`${root}/big.bin`, 'r');
    const out = new Uint8Array(2);
    fs.readSync(fd, out, 0, 2, 10 * MiB);
    fs.closeSync(fd);
    expect([...out]).toEqual([big[10 * MiB], 0xee]);
    expect(fs.statSync(`${root}/big.bin`).size).toBe(64 * MiB);
  });

  test("a symlink's own metadata through the sync API changes the link, not its target", async () => {
    const backend = await resolveMountConfig({
      backend: Vellum,
      lowers: [{ type: 'memory', tree: { 't.txt': 'x' } }],
      upper: { type: 'memory' },
    });
    const root = at(backend);
    fs.symlinkSync('t.txt', `${root}/l`);
    fs.lutimesSync(`${root}/l`, 3, 4);
    expect(fs.lstatSync(`${root}/l`).mtimeMs).toBe(4000);
    expect(fs.statSync(`${root}/t.txt`).mtimeMs).not.toBe(4000);
  });
});
