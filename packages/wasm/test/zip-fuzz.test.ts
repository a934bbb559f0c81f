/**
 * Random and mutated central directories thrown at the parser and the index build: the only
 * acceptable outcomes are a parsed directory or a WasmFsError (EIO/EINVAL) — never a wasm
 * trap, a RangeError or an inconsistent index.
 */
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { NamespaceIndex, WasmFsError, ZipDirectory } from '../src/index.js';
import { writeZip } from './helpers/zip-writer.js';

const encoder = new TextEncoder();

const seeds: Uint8Array[] = [
  writeZip([
    { name: 'a/b.txt', data: encoder.encode('hello'), unixTime: 1 },
    { name: 'a/c', unixMode: 0o120777, data: encoder.encode('b.txt'), method: 0 },
    { name: new Uint8Array([0x80, 0x2f, 0x41]) },
    { name: 'q', unicodePath: 'ü', data: new Uint8Array(3) },
  ]),
  writeZip(
    [
      { name: 'z/1', data: new Uint8Array(100) },
      { name: 'z/2/', unixMode: 0o40755 },
    ],
    { zip64: true },
  ),
  zipSync({ 'x/': new Uint8Array(), 'x/y': encoder.encode('yy'), 'ω.txt': new Uint8Array(9) }),
];

/** Everything a consumer may do with a parsed directory: read every entry, build an index. */
async function exercise(bytes: Uint8Array): Promise<void> {
  let dir: ZipDirectory;
  try {
    dir = await ZipDirectory.fromBytes(bytes, { name: 'fuzz.zip' });
  } catch (e) {
    if (!(e instanceof WasmFsError) || (e.code !== 'EIO' && e.code !== 'EINVAL')) throw e;
    expect(e.cause).toBeInstanceOf(Error);
    return;
  }
  try {
    for (let i = 0; i < dir.count; i++) {
      const e = dir.entry(i);
      expect(Number.isFinite(e.size) && e.size >= 0).toBe(true);
      expect(e.offset + e.compressedSize).toBeLessThanOrEqual(dir.directoryOffset);
      if (dir.usable(i)) expect(e.path.split('/')).not.toContain('..');
    }
    for (const w of dir.warnings) expect(['EIO', 'EINVAL']).toContain(w.code);
    const index = await NamespaceIndex.create({ nodes: 4 });
    try {
      index.addZipLayer(0, dir);
      // Every node's reverse path leads back to it.
      const stack = [index.root];
      while (stack.length > 0) {
        const d = stack.pop() as number;
        for (const child of index.children(d)) {
          expect(index.lookupPath(index.pathOf(child))).toBe(child);
          if (index.childCount(child) > 0) stack.push(child);
        }
      }
    } catch (e) {
      if (!(e instanceof WasmFsError)) throw e;
    } finally {
      index.close();
    }
  } finally {
    dir.close();
  }
}

/** Byte edits biased toward the end of the file, where the directory and end records live. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), fromEnd: fc.boolean(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), fromEnd: fc.boolean(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('word' as const), at: fc.nat(), fromEnd: fc.boolean(), value: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(seed: Uint8Array, edits: readonly Mutation[]): Uint8Array {
  let bytes = seed.slice();
  for (const m of edits) {
    if (bytes.byteLength === 0) break;
    const span = m.fromEnd ? Math.min(bytes.byteLength, 200) : bytes.byteLength;
    const at = bytes.byteLength - span + (m.at % span);
    if (m.kind === 'set') bytes[at] = m.value;
    else if (m.kind === 'cut') bytes = bytes.slice(0, at);
    else if (at + 4 <= bytes.byteLength) {
      const lies = [0, 0xffff, 0xffffffff, 0x7fffffff, m.value];
      new DataView(bytes.buffer).setUint32(at, lies[m.value % lies.length] as number, true);
    }
  }
  return bytes;
}

describe('zip parser fuzz', () => {
  it('random bytes, with and without a plausible end record, give only clean errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.boolean(), async (body, withEnd) => {
        let bytes = body;
        if (withEnd) {
          bytes = new Uint8Array(body.byteLength + 22);
          bytes.set(body);
          const v = new DataView(bytes.buffer, body.byteLength);
          v.setUint32(0, 0x06054b50, true);
          v.setUint16(8, body.byteLength % 7, true);
          v.setUint16(10, body.byteLength % 7, true);
          v.setUint32(12, body.byteLength >> 1, true);
          v.setUint32(16, body.byteLength >> 2, true);
        }
        await exercise(bytes);
      }),
      { numRuns: 400 },
    );
  });

  it('mutated archives from three writers give only clean errors or consistent results', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(seeds.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        async (which, edits) => {
          await exercise(mutate(seeds[which] as Uint8Array, edits));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
