/**
 * A read-only tab follows the writer without reopening: run in Node
 * (fake-indexeddb, Node's BroadcastChannel; `tabs.idb.test.ts`) and in
 * Chromium (real IndexedDB, Web Locks; `idb.browser.test.ts`).
 *
 * After each of the writer's operations the reader's overlay — the same
 * object, never reopened — shows exactly the writer's view, inode numbers
 * included, by the time its remote-change event fires.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { IndexedDBUpper } from '../src/idb/index.js';
import { MemoryLayer, Overlay, type Tree } from '../src/index.js';
import { rejection, text } from './helpers.js';
import { applyOp, lowerTreeArb, opsArb } from './kernel/ops.js';
import { fullView } from './view.js';

export interface TabsEnv {
  /** A fresh workspace's writer upper, and a reader upper on the same workspace. */
  pair(): { writer: IndexedDBUpper; reader: IndexedDBUpper };
  /** Random cases to run. */
  runs: number;
}

const layers = (trees: readonly Tree[]): MemoryLayer[] =>
  trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `tabs-${i}` }));

/** Resolves on the reader's next remote-change event, with what its overlay showed at that moment. */
function nextChange(upper: IndexedDBUpper, reader: Overlay, ms = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no remote-change event within ${ms} ms`));
    }, ms);
    const stop = upper.onRemoteChange(() => {
      clearTimeout(timer);
      stop();
      // Taken inside the listener: the view must already be current when the event fires.
      resolve(fullView(reader));
    });
  });
}

export function tabsSuite(env: TabsEnv): void {
  it('the reader applies each commit of the writer without reopening; writes are EROFS', async () => {
    const { writer: wu, reader: ru } = env.pair();
    const trees: Tree[] = [{ d: { f: 'lower f', g: 'lower g' }, keep: 'k' }];
    const writer = await Overlay.create({ lowers: layers(trees), upper: wu });
    await writer.writeFile('/d/f', 'before the reader');
    const reader = await Overlay.create({ lowers: layers(trees), upper: ru });
    expect(ru.readOnly).toBe(true);
    const keepIno = (await reader.stat('/keep')).ino;
    const fIno = (await reader.stat('/d/f')).ino;

    let seen = nextChange(ru, reader);
    await writer.writeFile('/d/new', 'from the writer');
    expect(await seen).toEqual(await fullView(writer));
    expect(await text(reader, '/d/new')).toBe('from the writer');

    seen = nextChange(ru, reader);
    await writer.rename('/d', '/moved');
    expect(await seen).toEqual(await fullView(writer));
    seen = nextChange(ru, reader);
    await writer.unlink('/moved/g');
    expect(await seen).toEqual(await fullView(writer));
    expect(await reader.readdir('/moved')).toEqual(['f', 'new']);
    // The same objects keep their numbers across refreshes.
    expect((await reader.stat('/keep')).ino).toBe(keepIno);
    expect((await reader.stat('/moved/f')).ino).toBe(fIno);

    const e = await rejection(reader.writeFile('/moved/f', 'from the reader'));
    expect(e.code).toBe('EROFS');
    expect((e.cause as Error).message).toMatch(/read-only/);
    expect(await text(reader, '/moved/f')).toBe('before the reader');
    await wu.close();
    await ru.close();
  });

  it(`after every operation of random sequences, the reader shows the writer's view (${env.runs} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, opsArb, async (trees, ops) => {
        const { writer: wu, reader: ru } = env.pair();
        const writer = await Overlay.create({ lowers: layers(trees), upper: wu });
        const reader = await Overlay.create({ lowers: layers(trees), upper: ru });
        // What the reader showed at each event, taken inside the listener.
        const seen: string[] = [];
        ru.onRemoteChange(() => {
          void fullView(reader).then((v) => seen.push(JSON.stringify(v)));
        });
        try {
          for (const op of ops) {
            const before = JSON.stringify(await fullView(writer));
            // Only events after this operation count: a state can come back (mkdir then rm -r),
            // and an earlier event showing it must not end the wait before this one's refresh.
            const from = seen.length;
            await applyOp(writer, '', op);
            const want = JSON.stringify(await fullView(writer));
            // An operation that changed nothing may have committed nothing: no event to wait for.
            if (want !== before)
              await until(() => seen.indexOf(want, from) !== -1, `an event showing ${want}`);
          }
          expect(await fullView(reader)).toEqual(await fullView(writer));
        } finally {
          await wu.close();
          await ru.close();
        }
      }),
      { numRuns: env.runs },
    );
  }, 120_000);
}

/** Polls `ok` until it holds, failing after `ms`. */
async function until(ok: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
