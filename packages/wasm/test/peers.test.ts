/** The wasm core against the plain-JS listings and indexes the bench compares it with. */
import { describe, expect, it } from 'vitest';
import { NamespaceIndex, ZipDirectory } from '../src/index.js';
import { jsLookup, jsMapFromZip, jsTree, listWithFflate, listWithZipJs, makeZip } from './helpers/peers.js';

describe('wasm core vs JS peers', () => {
  it('lists a 10,000-entry directory exactly as fflate and zip.js do, and indexes it like a Map', async () => {
    const zip = makeZip(10_000);
    const dir = await ZipDirectory.fromBytes(zip);
    const ours = Array.from({ length: dir.count }, (_, i) => dir.path(i));
    expect(ours).toEqual(listWithFflate(zip));
    expect(ours).toEqual(await listWithZipJs(zip));
    const map = jsMapFromZip(zip);
    const tree = jsTree([...map].map(([p, e]) => [p, e.index]));
    const index = await NamespaceIndex.create();
    index.addZipLayer(0, dir);
    for (const [path, entry] of map) {
      const id = index.lookupPath(path);
      expect(index.ref(id)).toBe(entry.index);
      expect(dir.size(entry.index)).toBe(entry.size);
      expect(jsLookup(tree, path)).toBe(entry.index);
    }
    index.close();
    dir.close();
  });
});
