/**
 * The `Overlay` backend object with layer descriptors, `zenfsLayer`, `preload`, and the
 * errors sync calls give where a layer would have to wait.
 */
import 'fake-indexeddb/auto';
import { MemoryLayer, MemoryUpper } from '@vellum/core';
import { writeZip } from '@vellum/core/zip';
import { type FileSystem, fs, InMemory, mount, resolveMountConfig, umount } from '@zenfs/core';
import { afterEach, describe, expect, test } from 'vitest';
import { type HttpDescriptor, Overlay, OverlayBackend, registerLayerType, zenfsLayer } from '../src/index.js';

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

describe('Overlay backend object', () => {
  test('memory descriptors: ready for sync calls once resolved', async () => {
    const backend = await resolveMountConfig({
      backend: Overlay,
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
    await expect(resolveMountConfig({ backend: Overlay, lowers: [42] } as never)).rejects.toThrow(/lowers/);
  });

  test('a zip lower from bytes: sync reads of deflated entries wait for preload, and say so', async () => {
    const zip = writeZip([
      { path: 'src', kind: 'dir' },
      { path: 'src/main.ts', kind: 'file', data: text('export const answer = 42;\n'.repeat(20)) },
      { path: 'README.md', kind: 'file', data: text('# readme\n'.repeat(20)) },
    ]);
    const backend = await resolveMountConfig({ backend: Overlay, lowers: [{ type: 'zip', data: zip }] });
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
      backend: Overlay,
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

  test('a descriptor kind with no resolver fails with the known kinds', async () => {
    // A kind from a newer configuration than this build knows.
    const webdav = { type: 'webdav', url: 'https://example.invalid/' } as unknown as HttpDescriptor;
    await expect(resolveMountConfig({ backend: Overlay, lowers: [webdav] })).rejects.toThrow(
      /no lower layer of type 'webdav'.*memory, zip, http/,
    );
  });

  test('registerLayerType replaces how a kind is built (here: http, without a server)', async () => {
    const http: HttpDescriptor = { type: 'http', url: 'https://example.invalid/base/' };
    registerLayerType('lower', 'http', (d) =>
      MemoryLayer.fromTree({ 'from-http.txt': String((d as HttpDescriptor).url) }),
    );
    const root = at(await resolveMountConfig({ backend: Overlay, lowers: [http] }));
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
