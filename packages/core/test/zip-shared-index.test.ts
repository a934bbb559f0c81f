/**
 * Zip layers parse into the realm's one shared wasm index, where a parse keeps its state across
 * the reads it awaits: layers and overlays opened at the same time must not interleave there.
 */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { holdSharedIndex } from '../src/entry-store.js';
import { MemoryLayer, MemoryUpper, Overlay } from '../src/index.js';
import { ZipLayer } from '../src/zip/index.js';

const encoder = new TextEncoder();

function zipOf(prefix: string, count: number): Blob {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) files[`${prefix}/d${i % 7}/f${i}.txt`] = encoder.encode(`${prefix} ${i}`);
  return new Blob([zipSync(files, { level: 0 })]);
}

describe('zip layers sharing the wasm index', () => {
  it('opened at once, each lists and reads its own archive; overlays created at once see their own stacks', async () => {
    // Blobs: every read is a separate await, so concurrent parses would interleave.
    const sources = ['a', 'b', 'c', 'd'].map((p, k) => zipOf(p, 200 + 50 * k));
    const layers = await Promise.all(sources.map((s) => ZipLayer.open(s)));
    const overlays = await Promise.all(
      layers.map((layer, k) =>
        Overlay.create({
          lowers: k === 0 ? [layer] : [layer, layers[0] as ZipLayer],
          upper: new MemoryUpper(),
        }),
      ),
    );
    try {
      for (const [k, ov] of overlays.entries()) {
        const prefix = ['a', 'b', 'c', 'd'][k] as string;
        const count = 200 + 50 * k;
        expect((await ov.readdir('/')).sort()).toEqual(k === 0 ? ['a'] : ['a', prefix].sort());
        let files = 0;
        for (const d of await ov.readdir(`/${prefix}`)) files += (await ov.readdir(`/${prefix}/${d}`)).length;
        expect(files).toBe(count);
        expect(await ov.readFile(`/${prefix}/d3/f10.txt`, 'utf8')).toBe(`${prefix} 10`);
      }
    } finally {
      await Promise.all(overlays.map((ov) => ov.close()));
    }
  });

  it('a second overlay over the same zip layer numbers its lower inodes as the first', async () => {
    // The first overlay builds the zip's directory in place in the shared index; a second one over
    // the same ZipLayer lays it out from its paths. Inode numbers must not depend on which.
    const opts = { level: 0 as const };
    const zip = await ZipLayer.open(
      zipSync({
        'top/deep/er/f1.txt': [encoder.encode('1'), opts],
        'top/': [new Uint8Array(0), opts],
        'shared/z.txt': [encoder.encode('z'), opts],
        'shared/': [new Uint8Array(0), opts],
        'top/deep/f2.txt': [encoder.encode('2'), opts],
        'root.txt': [encoder.encode('3'), opts],
      }),
    );
    const below = MemoryLayer.fromEntries([
      { path: '/shared/low.txt', kind: 'file', data: 'l' },
      { path: '/root.txt', kind: 'file', data: 'r' },
    ]);
    const listing = async (): Promise<string[]> => {
      const ov = await Overlay.create({ lowers: [zip, below], upper: new MemoryUpper() });
      try {
        const out: string[] = [];
        const visit = async (dir: string): Promise<void> => {
          for (const d of await ov.readdir(dir, { withFileTypes: true })) {
            const path = `${dir === '/' ? '' : dir}/${d.name}`;
            const st = await ov.lstat(path);
            out.push(`${path} ${st.ino} ${d.ino} nlink=${st.nlink}`);
            if (st.isDirectory()) await visit(path);
          }
        };
        await visit('/');
        return out;
      } finally {
        await ov.close();
      }
    };
    const first = await listing();
    expect(first.length).toBe(9);
    // Distinct numbers: a numbering that collapsed (e.g. every ordinal 0) would repeat them.
    expect(new Set(first.map((row) => row.split(' ')[1])).size).toBe(9);
    expect(await listing()).toEqual(first);
  });

  it('keeps no build warnings of overlays closed: 50 rounds over lowers with duplicate names', async () => {
    const hold = await holdSharedIndex();
    try {
      const twice = MemoryLayer.fromEntries([
        { kind: 'file', path: '/dup.txt', data: 'first' },
        { kind: 'file', path: '/dup.txt', data: 'second' },
      ]);
      const files: Record<string, Uint8Array> = { 'z/a.txt': encoder.encode('one') };
      // fflate writes each key once: the second 'z/a.txt' is patched in by renaming another entry.
      const twiceZip = zipSync({ ...files, 'z/b.txt': encoder.encode('two') }, { level: 0 });
      const patched = renameAll(twiceZip, 'z/b.txt', 'z/a.txt');
      const zipLayer = await ZipLayer.open(new Blob([patched]));
      const before = hold.index.warnings.length;
      for (let round = 0; round < 50; round++) {
        const ov = await Overlay.create({ lowers: [twice, zipLayer], upper: new MemoryUpper() });
        expect(await ov.readFile('/dup.txt', 'utf8')).toBe('second');
        expect(await ov.readFile('/z/a.txt', 'utf8')).toBe('two');
        // Both builds warned while the overlay lives.
        expect(hold.index.warnings.length).toBe(before + 2);
        await ov.close();
      }
      expect(hold.index.warnings.length).toBe(before);
    } finally {
      hold.release();
    }
  });
});

/** `data` with every occurrence of the bytes of `from` replaced by `to` (same length). */
function renameAll(data: Uint8Array, from: string, to: string): Uint8Array<ArrayBuffer> {
  const a = encoder.encode(from);
  const b = encoder.encode(to);
  const out = data.slice();
  for (let i = 0; i + a.length <= out.length; i++) {
    if (a.every((x, k) => out[i + k] === x)) out.set(b, i);
  }
  return out;
}
