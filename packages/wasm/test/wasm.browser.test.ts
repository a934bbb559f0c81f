/** The wasm core in real Chromium: the module is fetched from its URL and compiled there. */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { Kind, NamespaceIndex, WASM_URL, ZipDirectory } from '../src/index.js';

describe('@vellum/wasm in the browser', () => {
  it('fetches the module over http', () => {
    expect(WASM_URL.protocol).toMatch(/^https?:$/);
  });

  it('builds, looks up, renames and reverse-looks-up', async () => {
    const index = await NamespaceIndex.create({ nodes: 8 });
    index.addLayer(1, [
      { path: '/src/a.ts', kind: 'file', ref: 0 },
      { path: '/src/b.ts', kind: 'file', ref: 1 },
    ]);
    index.addLayer(0, [{ path: '/src/b.ts', kind: 'whiteout' }]);
    expect(index.childNames(index.lookupPath('/src'))).toEqual(['a.ts']);
    for (let i = 0; i < 20_000; i++) index.insert(index.root, `grow-${i}`, { kind: Kind.File });
    index.move(index.lookupPath('/src'), index.root, 'lib');
    expect(index.pathOf(index.lookupPath('/lib/a.ts'))).toBe('/lib/a.ts');
    index.close();
  });

  it('parses a zip directory and builds the index from it', async () => {
    const zip = zipSync({ 'd/': new Uint8Array(), 'd/ü.txt': new Uint8Array(4), 'e.bin': new Uint8Array(1) });
    const dir = await ZipDirectory.fromBytes(zip);
    expect([...dir.entries()].map((e) => e.path)).toEqual(['d', 'd/ü.txt', 'e.bin']);
    const index = await NamespaceIndex.create();
    index.addZipLayer(0, dir);
    expect(dir.size(index.ref(index.lookupPath('/d/ü.txt')))).toBe(4);
    await expect(ZipDirectory.fromBytes(new Uint8Array(30))).rejects.toMatchObject({ code: 'EIO' });
    index.close();
    dir.close();
  });
});
