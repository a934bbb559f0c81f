/**
 * IndexedDBUpper on Chromium's real IndexedDB: the semantics suite (strict and
 * write-back), reopen after every operation of random sequences, and a quota
 * forced small through the DevTools protocol turning into ENOSPC.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cdp } from 'vitest/browser';
import { IndexedDBUpper } from '../src/idb/index.js';
import { MemoryLayer, Overlay, type Tree } from '../src/index.js';
import { layersOf, rejection, text } from './helpers.js';
import { idbEnv } from './idb-env.js';
import { applyOp, lowerTreeArb, opsArb } from './kernel/ops.js';
import { semanticsSuite } from './semantics.suite.js';
import { tabsSuite } from './tabs.suite.js';
import { fullView } from './view.js';

const strict = idbEnv('IndexedDBUpper in Chromium');
const writeBack = idbEnv('IndexedDBUpper in Chromium, write-back', { writeBack: { delayMs: 1 } });
semanticsSuite(strict);
semanticsSuite(writeBack);

let serial = 0;
const names: string[] = [];
const fresh = (): string => {
  const name = `browser-${Date.now()}-${serial++}`;
  names.push(name);
  return name;
};

afterAll(async () => {
  await strict.cleanup();
  await writeBack.cleanup();
  for (const name of names) await IndexedDBUpper.delete(name);
});

const layers = (trees: readonly Tree[]): MemoryLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));

describe('IndexedDBUpper in Chromium: reopen', () => {
  it('after every operation of random sequences, a new connection shows the same view (8 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, async (trees, ops) => {
        const name = fresh();
        const live = await Overlay.create({ lowers: layers(trees), upper: new IndexedDBUpper({ name }) });
        for (const op of ops) {
          await applyOp(live, '', op);
          const again = await Overlay.create({ lowers: layers(trees), upper: new IndexedDBUpper({ name }) });
          expect(await fullView(again)).toEqual(await fullView(live));
          expect(await again.changes()).toEqual(await live.changes());
        }
        expect((await live.fsck()).problems).toEqual([]);
      }),
      { numRuns: 8 },
    );
  });
});

/** Bytes that do not compress (Chromium compresses what IndexedDB stores). */
function noise(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) crypto.getRandomValues(out.subarray(at, at + 65536));
  return out;
}

/** The Storage Buckets API (Chromium 122+), not yet in TypeScript's DOM types. */
interface StorageBuckets {
  open(name: string): Promise<{ indexedDB: IDBFactory }>;
  delete(name: string): Promise<void>;
}
const buckets = (): StorageBuckets =>
  (navigator as unknown as { storageBuckets: StorageBuckets }).storageBuckets;

/** The page's origin gets `bytes` of quota (null: back to the default). */
const overrideQuota = (bytes: number | null): Promise<unknown> =>
  cdp().send('Storage.overrideQuotaForOrigin', {
    origin: location.origin,
    ...(bytes === null ? {} : { quotaSize: bytes }),
  });

/**
 * Runs `fn` with the origin's quota at what it uses now plus `headroom`, on a
 * fresh storage bucket's IndexedDB. Fresh, because Chromium lets a bucket that
 * already wrote keep using the free space it last saw for up to 30 s
 * (BucketContext::kBucketSpaceCacheTimeLimit): only a new bucket asks the quota
 * manager, and so sees the override, at once.
 */
/**
 * Room left under the forced quota: far more than a test writes before its
 * big write, so that other test files writing to this origin meanwhile (they
 * share it) cannot use it up; the big write is far more than that.
 */
const HEADROOM = 16 * 1024 * 1024;
const TOO_BIG = 40 * 1024 * 1024;

async function withQuota(headroom: number, fn: (factory: IDBFactory) => Promise<void>): Promise<void> {
  const { usage = 0 } = await navigator.storage.estimate();
  await overrideQuota(usage + headroom);
  const name = `quota-${Date.now()}-${serial++}`;
  try {
    await fn((await buckets().open(name)).indexedDB);
  } finally {
    await overrideQuota(null);
    await buckets().delete(name);
  }
}

describe('IndexedDBUpper in Chromium: quota (Storage.overrideQuotaForOrigin)', () => {
  it('a full quota is ENOSPC: the operation is rolled back, the overlay stays usable', async () => {
    const trees = [{ d: { f: 'lower' } }];
    await withQuota(HEADROOM, async (factory) => {
      const open = () =>
        Overlay.create({ lowers: layersOf(trees), upper: new IndexedDBUpper({ name: 'w', factory }) });
      const ov = await open();
      await ov.writeFile('/d/f', 'small change');
      const before = await fullView(ov);
      const usage = await ov.usage();
      const e = await rejection(ov.writeFile('/d/big', noise(TOO_BIG)));
      expect(e.code).toBe('ENOSPC');
      expect((e.cause as Error).name).toBe('QuotaExceededError');
      expect(await fullView(ov)).toEqual(before);
      expect(await ov.usage()).toEqual(usage);
      // Space again (Chromium may count the refused write's blob files until it sweeps them):
      // the same overlay, connection and all, carries on.
      await overrideQuota(null);
      await ov.writeFile('/d/small', 'still fits');
      expect(await text(ov, '/d/small')).toBe('still fits');
      const again = await open();
      expect(await again.readdir('/d')).toEqual(['f', 'small']);
      expect(await text(again, '/d/f')).toBe('small change');
      expect((await again.fsck()).problems).toEqual([]);
    });
  });

  it('write-back: a group over quota makes sync() ENOSPC and keeps what came before', async () => {
    await withQuota(HEADROOM, async (factory) => {
      const upper = new IndexedDBUpper({ name: 'w', factory, writeBack: { delayMs: 10_000 } });
      const ov = await Overlay.create({ lowers: layersOf([{}]), upper });
      await ov.writeFile('/before', 'stored');
      await ov.sync();
      await ov.writeFile('/big', noise(TOO_BIG));
      expect((await rejection(ov.sync())).code).toBe('ENOSPC');
      expect((await rejection(ov.writeFile('/later', 'x'))).code).toBe('EIO');
      const stored = await Overlay.create({
        lowers: layersOf([{}]),
        upper: new IndexedDBUpper({ name: 'w', factory }),
      });
      expect(await stored.readdir('/')).toEqual(['before']);
    });
  });
});

describe('IndexedDBUpper in Chromium: several tabs on one workspace (Web Locks, BroadcastChannel)', () => {
  // Web Locks and BroadcastChannel are per origin: two uppers in this page meet as two tabs would.
  const trees = [{ d: { f: 'lower' } }];
  const open = (upper: IndexedDBUpper) => Overlay.create({ lowers: layersOf(trees), upper });

  it('the first upper writes; the next opens read-only (EROFS) and hears of each commit', async () => {
    const name = fresh();
    const writerUpper = new IndexedDBUpper({ name, whenLocked: 'read-only' });
    const writer = await open(writerUpper);
    await writer.writeFile('/d/f', 'from the writer');
    const readerUpper = new IndexedDBUpper({ name, whenLocked: 'read-only' });
    const reader = await open(readerUpper);
    expect([writerUpper.readOnly, readerUpper.readOnly]).toEqual([false, true]);
    expect(await text(reader, '/d/f')).toBe('from the writer');
    const e = await rejection(reader.writeFile('/d/f', 'from the reader'));
    expect(e.code).toBe('EROFS');
    expect((e.cause as Error).message).toMatch(/another tab/);
    expect(await text(reader, '/d/f')).toBe('from the writer');

    const heard = new Promise<string>((resolve) => readerUpper.onRemoteChange((c) => resolve(c.name)));
    await writer.writeFile('/d/new', 'more');
    expect(await heard).toBe(name);
    expect(await (await open(readerUpper)).readdir('/d')).toEqual(['f', 'new']);
    await writerUpper.close();
    await readerUpper.close();
  });

  it("'wait' opens once the writer closes, and then writes", async () => {
    const name = fresh();
    const firstUpper = new IndexedDBUpper({ name, whenLocked: 'wait' });
    const first = await open(firstUpper);
    await first.writeFile('/d/f', 'first');
    const secondUpper = new IndexedDBUpper({ name, whenLocked: 'wait' });
    let opened = false;
    const second = open(secondUpper).then((ov) => {
      opened = true;
      return ov;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opened).toBe(false);
    await firstUpper.close();
    const ov = await second;
    expect(secondUpper.readOnly).toBe(false);
    expect(await text(ov, '/d/f')).toBe('first');
    await ov.writeFile('/d/f', 'second');
    await secondUpper.close();
    expect(await text(await open(new IndexedDBUpper({ name })), '/d/f')).toBe('second');
  });
});

describe('IndexedDBUpper in Chromium: a read-only tab follows the writer (Web Locks, BroadcastChannel)', () => {
  // The writer's overlay is opened first, so it takes the lock and the reader opens read-only.
  tabsSuite({
    runs: 6,
    pair: () => {
      const name = fresh();
      return {
        writer: new IndexedDBUpper({ name, whenLocked: 'read-only' }),
        reader: new IndexedDBUpper({ name, whenLocked: 'read-only' }),
      };
    },
  });
});
