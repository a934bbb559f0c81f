/** Group commits drop overwritten writes: applying what is left must store exactly the same records. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coalesce } from '../src/idb/coalesce.js';
import { MemoryUpper, type UpperChange, type UpperLayer } from '../src/index.js';

const ino = fc.integer({ min: 1, max: 4 });
const name = fc.constantFrom('a', 'b');
const index = fc.integer({ min: 0, max: 2 });
const changeArb: fc.Arbitrary<UpperChange> = fc.oneof(
  fc.record({ ino, mode: fc.integer({ min: 0, max: 3 }) }).map(
    ({ ino, mode }): UpperChange => ({
      op: 'put-inode',
      inode: {
        ino,
        kind: 'file',
        nlink: 1,
        mode,
        uid: 0,
        gid: 0,
        atimeMs: 0,
        mtimeMs: 0,
        ctimeMs: 0,
        birthtimeMs: 0,
      },
    }),
  ),
  ino.map((ino): UpperChange => ({ op: 'drop-inode', ino })),
  fc
    .record({ parent: ino, name, child: fc.option(ino, { nil: null }) })
    .map(
      ({ parent, name, child }): UpperChange => ({ op: 'put-dirent', dirent: { parent, name, ino: child } }),
    ),
  fc
    .record({ parent: ino, name })
    .map(({ parent, name }): UpperChange => ({ op: 'drop-dirent', parent, name })),
  fc
    .record({ ino, index, byte: fc.integer({ min: 0, max: 255 }) })
    .map(({ ino, index, byte }): UpperChange => ({ op: 'put-chunk', ino, index, data: Uint8Array.of(byte) })),
  fc.record({ ino, index }).map(({ ino, index }): UpperChange => ({ op: 'drop-chunk', ino, index })),
  fc
    .integer({ min: 2, max: 9 })
    .map((nextIno): UpperChange => ({ op: 'put-meta', meta: { nextIno, lowerIds: [] } })),
);

/** What an upper holds, in key order (MemoryUpper lists in insertion order, which coalescing changes). */
async function stored(upper: UpperLayer): Promise<unknown> {
  const snap = await upper.load();
  const sorted = <T>(items: Iterable<T>): T[] =>
    [...items]
      .map((x) => JSON.stringify(x))
      .sort()
      .map((x) => JSON.parse(x));
  const chunks: string[] = [];
  for (const { ino, index } of snap.chunks) {
    chunks.push(`${ino}/${index}:${[...((await upper.readChunk(ino, index)) ?? [])]}`);
  }
  return {
    meta: snap.meta,
    inodes: sorted(snap.inodes),
    dirents: sorted(snap.dirents),
    chunks: chunks.sort(),
  };
}

describe('coalesce', () => {
  it('stores the same records as the full list, with no more changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeArb, { maxLength: 40 }), async (changes) => {
        const all = new MemoryUpper();
        await all.commit(changes);
        const some = new MemoryUpper();
        const kept = coalesce(changes);
        await some.commit(kept);
        expect(await stored(some)).toEqual(await stored(all));
        expect(kept.length).toBeLessThanOrEqual(changes.length);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps one meta record and one record per inode for a run of creates in one directory', () => {
    const changes: UpperChange[] = [];
    for (let i = 0; i < 3; i++) {
      changes.push({ op: 'put-meta', meta: { nextIno: 3 + i, lowerIds: [] } });
      changes.push({ op: 'put-dirent', dirent: { parent: 1, name: `f${i}`, ino: 2 + i } });
    }
    expect(coalesce(changes).filter((c) => c.op === 'put-meta')).toEqual([
      { op: 'put-meta', meta: { nextIno: 5, lowerIds: [] } },
    ]);
    expect(coalesce(changes)).toHaveLength(4);
  });
});
