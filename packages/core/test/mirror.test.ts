/**
 * Mirroring (issue 21): an IndexedDB primary (fake-indexeddb) and an OPFS mirror (the in-memory
 * stand-in), and the reverse. When the browser deletes or rolls back one side, the workspace
 * fails to open with the loss named, `recover()` rebuilds it from the other, and every
 * acknowledged operation is there; a mirror that missed commits is rebuilt from the primary.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import fc from 'fast-check';
import { promisifyRequest } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { databaseName } from '../src/idb/database.js';
import { IndexedDBUpper } from '../src/idb/index.js';
import {
  FsError,
  isStoreLoss,
  MemoryLayer,
  MirroredUpper,
  Overlay,
  openUpper,
  type StoreLossError,
  type Tree,
} from '../src/index.js';
import { OpfsUpper } from '../src/opfs/index.js';
import { applyOp, lowerTreeArb, opsArb } from './kernel/ops.js';
import { OpfsStandIn } from './opfs-stand-in.js';
import { fullView } from './view.js';

const lower = (): MemoryLayer => MemoryLayer.fromTree({ 'base.txt': 'base' }, { id: 'base' });

function world() {
  const factory = new IDBFactory();
  const opfs = new OpfsStandIn();
  const idb = () => new IndexedDBUpper({ name: 'w', factory, opfs: opfs.getDirectory });
  const mirrorSide = () => new OpfsUpper({ name: 'w', opfs: opfs.getDirectory });
  const upper = () => new MirroredUpper(idb(), mirrorSide());
  const reverse = () =>
    new MirroredUpper(mirrorSide(), new IndexedDBUpper({ name: 'w', factory, opfs: false }));
  const open = (u: MirroredUpper = upper()) => Overlay.create({ lowers: [lower()], upper: u });
  return { factory, opfs, upper, reverse, open };
}

const wipe = (factory: IDBFactory) => promisifyRequest(factory.deleteDatabase(databaseName('w')));

async function lossOf(opening: Promise<unknown>): Promise<StoreLossError> {
  const error = await opening.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FsError);
  expect(isStoreLoss(error), String(error)).toBe(true);
  return (error as FsError).cause as StoreLossError;
}

describe('MirroredUpper', () => {
  it('IndexedDB deleted by the browser: store-lost, then recover() brings back every acknowledged operation', async () => {
    const { factory, open, upper } = world();
    const ov = await open();
    await ov.writeFile('/a.txt', 'a');
    await ov.mkdir('/d');
    await ov.writeFile('/d/big.bin', new Uint8Array(100_000).fill(3));
    await ov.rename('/a.txt', '/d/a.txt');
    const before = await fullView(ov);
    await ov.close();
    await wipe(factory);

    const lost = upper();
    expect(await lossOf(open(lost))).toMatchObject({ kind: 'store-lost', lastSeq: 4 });
    const recovery = await lost.recover();
    expect(recovery.seq).toBe(4);
    expect(recovery.bytes).toBe(100_001);
    const again = await open(lost);
    expect(await fullView(again)).toEqual(before);
    expect((await again.fsck()).problems).toEqual([]);
    await again.writeFile('/after.txt', 'after');
    await again.close();
    const third = upper();
    const last = await open(third);
    expect(third.resynced).toBe(false);
    expect(await last.readFile('/after.txt', 'utf8')).toBe('after');
    await last.close();
  });

  it('a mirror that missed a commit (its storage failed) is named by check() and rebuilt at the next open', async () => {
    const { factory, opfs, open, upper } = world();
    const first = upper();
    const ov = await open(first);
    await ov.writeFile('/a.txt', 'a');
    opfs.failWrites = (file) => {
      if (file === 'journal') throw new DOMException('the mirror is full', 'QuotaExceededError');
    };
    await ov.writeFile('/b.txt', 'b'); // stored in the primary, acknowledged; the mirror missed it
    opfs.failWrites = undefined;
    expect(await first.check()).toEqual([expect.objectContaining({ kind: 'mirror-behind' })]);
    await ov.writeFile('/c.txt', 'c'); // the mirror stays behind until it is rebuilt
    expect([first.primary.committedSeq, first.mirror.committedSeq]).toEqual([3, 1]);
    await ov.close();
    const reopened = upper();
    const again = await open(reopened);
    expect(reopened.resynced).toBe(true);
    expect((await again.fsck()).problems).toEqual([]);
    await again.close();
    // Now the primary can go: the mirror has all three.
    await wipe(factory);
    const lost = upper();
    await lossOf(open(lost));
    await lost.recover();
    expect(await (await open(lost)).readdir('/')).toEqual(['a.txt', 'b.txt', 'base.txt', 'c.txt']);
  });

  it('reverse (OPFS primary, IndexedDB mirror without marks): a cleared OPFS workspace is seen from the mirror, never copied over it', async () => {
    const { opfs, open, reverse } = world();
    const ov = await open(reverse());
    await ov.writeFile('/a.txt', 'a');
    await ov.writeFile('/b.txt', 'b');
    await ov.close();
    await OpfsUpper.delete('w', { opfs: opfs.getDirectory });

    const lost = reverse();
    expect(await lossOf(open(lost))).toMatchObject({ kind: 'store-lost', lastSeq: 2, foundSeq: 0 });
    // Failing again does not hurt the mirror: it still holds both.
    await lossOf(open(lost));
    await lost.recover();
    expect(await (await open(lost)).readdir('/')).toEqual(['a.txt', 'b.txt', 'base.txt']);
  });

  it("a descriptor { type: 'idb', name, mirror } opens a mirrored upper; with recover: true a lost database is rebuilt at open", async () => {
    const factory = new IDBFactory();
    const opfs = new OpfsStandIn();
    const context = { indexedDB: factory, opfs: opfs.getDirectory };
    const first = await openUpper({ type: 'idb', name: 'w', mirror: true }, context);
    expect(first).toBeInstanceOf(MirroredUpper);
    const ov = await Overlay.create({ lowers: [lower()], upper: first });
    await ov.writeFile('/a.txt', 'a');
    await ov.close();
    await wipe(factory);
    // Without recover the caller is told; with it the open rebuilds the database from the mirror.
    const told = await openUpper({ type: 'idb', name: 'w', mirror: true }, context);
    await lossOf(Overlay.create({ lowers: [lower()], upper: told }));
    await told.close?.();
    const healing = (await openUpper(
      { type: 'idb', name: 'w', mirror: { recover: true } },
      context,
    )) as MirroredUpper;
    const healed = await Overlay.create({ lowers: [lower()], upper: healing });
    expect(healing.recovered).toMatchObject({ seq: 1 });
    expect(await healed.readFile('/a.txt', 'utf8')).toBe('a');
    await healed.close();
  });

  it('refuses sides that acknowledge before storing (write-back)', () => {
    const factory = new IDBFactory();
    expect(
      () =>
        new MirroredUpper(
          new IndexedDBUpper({ name: 'w', factory, writeBack: true }),
          new OpfsUpper({ name: 'w', opfs: new OpfsStandIn().getDirectory }),
        ),
    ).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('random sequences, the primary lost at a random point: recover() gives the view of every acknowledged operation (60 cases)', async () => {
    const layers = (trees: readonly Tree[]) =>
      trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, fc.nat(), async (trees, ops, cutSeed) => {
        const { factory, upper } = world();
        const open = (u: MirroredUpper) => Overlay.create({ lowers: layers(trees), upper: u });
        const ov = await open(upper());
        const cut = cutSeed % (ops.length + 1);
        for (const op of ops.slice(0, cut)) await applyOp(ov, '', op);
        const acked = await fullView(ov);
        await ov.close();
        await wipe(factory);
        const lost = upper();
        const reopened = await open(lost).catch(async (error: unknown) => {
          if (!isStoreLoss(error)) throw error;
          await lost.recover();
          return open(lost);
        });
        expect(await fullView(reopened)).toEqual(acked);
        expect((await reopened.fsck()).problems).toEqual([]);
        await reopened.close();
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
