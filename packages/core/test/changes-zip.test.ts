/** `changesZip`: the changes as a layer; stacked on the same lowers it shows the overlay's view. */
import { execFileSync } from 'node:child_process';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { hardlink, MemoryUpper, Overlay, type Tree } from '../src/index.js';
import { changesTar, changesZip, ZipLayer } from '../src/zip/index.js';
import { layersOf, overlay } from './helpers.js';
import { fullView } from './view.js';

/** Paths, kinds, modes and contents (what a zip layer can carry). */
async function shape(ov: Overlay): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [p, v] of Object.entries(await fullView(ov))) out[p] = [v.kind, v.mode, v.content];
  return out;
}

async function stacked(ov: Overlay, trees: Tree[]): Promise<Overlay> {
  const layer = await ZipLayer.open(await changesZip(ov), { whiteouts: 'oci' });
  return Overlay.create({ lowers: [layer, ...layersOf(trees)], upper: new MemoryUpper() });
}

describe('changesZip', () => {
  it('carries a moved directory whole, a chmod of a lower directory, and the modes of the parents of new names', async () => {
    const trees: Tree[] = [{ d: { x: 'x', s: { y: 'y' } }, p: { q: 'q' } }];
    const { ov } = await overlay(trees);
    await ov.rename('/d', '/m');
    await ov.chmod('/p', 0o700);
    await ov.mkdir('/p/new/deeper', { recursive: true });
    expect((await ov.changes()).map((c) => [c.path, c.change])).toEqual([
      ['/d', 'deleted'],
      ['/m', 'renamed'],
      ['/p', 'metadata'],
      ['/p/new', 'added'],
      ['/p/new/deeper', 'added'],
    ]);
    expect(await shape(await stacked(ov, trees))).toEqual(await shape(ov));
  });

  it('lists every name of a changed file the lowers hard-link, also in a directory never copied up', async () => {
    const trees: Tree[] = [{ b: { b: hardlink('/c/c/c') }, c: { c: { c: 'base' } } }];
    const { ov } = await overlay(trees);
    await ov.appendFile('/b/b', '+more');
    expect(await ov.readFile('/c/c/c', 'utf8')).toBe('base+more');
    expect((await ov.changes()).map((c) => c.path)).toEqual(['/b/b', '/c/c/c']);
    expect(await shape(await stacked(ov, trees))).toEqual(await shape(ov));
  });

  it('lists the other names of a changed lower hard link whose changed name is gone', async () => {
    const trees: Tree[] = [{ b: '', c: { a: { a: hardlink('/b') } } }];
    const { ov } = await overlay(trees);
    await ov.appendFile('/b', 'hello');
    await ov.rm('/b');
    expect(await ov.readFile('/c/a/a', 'utf8')).toBe('hello');
    expect((await ov.changes()).map((c) => [c.path, c.change])).toEqual([
      ['/b', 'deleted'],
      ['/c/a/a', 'renamed'],
    ]);
    expect(await shape(await stacked(ov, trees))).toEqual(await shape(ov));
  });
  it("changesTar holds the same layer as an OCI tar: the names GNU tar lists are the zip's", async () => {
    const trees: Tree[] = [{ d: { x: 'x', s: { y: 'y' } }, p: { q: 'q' }, gone: 'g' }];
    const { ov } = await overlay(trees);
    await ov.rename('/d', '/m');
    await ov.rm('/gone');
    await ov.rm('/p', { recursive: true });
    await ov.mkdir('/p');
    await ov.writeFile('/p/new', 'n');
    const zipNames = Object.keys(unzipSync(await changesZip(ov))).sort();
    const tar = await changesTar(ov);
    const tarNames = execFileSync('tar', ['-tf', '-'], { input: tar }).toString().trim().split('\n').sort();
    expect(tarNames).toEqual(zipNames);
    expect(tarNames).toEqual(
      expect.arrayContaining(['m/s/y', '.wh.d', '.wh.gone', 'p/.wh..wh..opq', 'p/new']),
    );
  });
});
