/**
 * Nothing acknowledged is lost unnoticed when the whole browser dies: Chromium (started here,
 * with a user data directory of its own, driven over the DevTools protocol; crash/browser.ts)
 * runs the crash page's operations (writes, renames, deletes as fast as it can, reporting each
 * acknowledged one) on one kind of upper; the test SIGKILLs Chromium's whole process group at a
 * random moment, relaunches it on the same user data directory, and checks the workspace:
 *
 * - IndexedDB: every acknowledged operation (and at most the one in flight besides), nothing
 *   half-applied, fsck clean — or, when Chromium lost the database (it deletes an origin's
 *   IndexedDB after a torn LevelDB log, see crash/leveldb-tail.ts), the open fails with
 *   `store-lost`/`store-rolled-back` (detected): it never opens empty or short. The test then
 *   goes on with a new workspace.
 * - OPFS: every acknowledged operation, always.
 * - Mirrored (IndexedDB primary, OPFS mirror): every acknowledged operation, always; a lost
 *   primary is rebuilt by `recover()` (counted as recovered).
 *
 * The browser's files are not touched between kills. `VELLUM_BROWSER_CRASHES` kills per upper
 * (10; `pnpm test:crash --kills 200` for the long run); each loop prints its figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kill, launch, newPage } from './crash/browser.js';
import type { WorkerKind } from './crash/engine-worker.js';
import { tornTailAt } from './crash/leveldb-tail.js';
import { filesAfter } from './crash/ops.js';
import type { Inspected } from './crash/page.js';
import { chromiumPath, type PageServer, servePages } from './pages.js';

const CRASHES = Number(process.env.VELLUM_BROWSER_CRASHES ?? 10);

let server: PageServer;
let url: string;
let executablePath: string;
const profiles: string[] = [];

beforeAll(async () => {
  server = await servePages('crash');
  url = server.url;
  executablePath = await chromiumPath();
});

afterAll(async () => {
  await server?.close();
  for (const profile of profiles) await rm(profile, { recursive: true, force: true });
});

/** What one kill loop saw: the closing note's figures. */
interface Figures {
  upper: string;
  kills: number;
  /** Operations acknowledged over the whole loop. */
  acknowledged: number;
  /** Acknowledged operations missing from a workspace that opened: must stay 0. */
  lost: number;
  /** Opens that failed as lost (the browser lost the store), and the acknowledged operations they held. */
  detected: number;
  detectedOps: number;
  /** Mirrored workspaces rebuilt from the mirror. */
  recovered: number;
}

type Kind = 'idb' | WorkerKind;

async function killLoop(kind: Kind): Promise<Figures> {
  const profile = await mkdtemp(join(tmpdir(), `vellum-browser-crash-${kind}-`));
  profiles.push(profile);
  const storageLog: string[] = [];
  const figures: Figures = {
    upper: kind,
    kills: 0,
    acknowledged: 0,
    lost: 0,
    detected: 0,
    detectedOps: 0,
    recovered: 0,
  };
  let generation = 0;
  let name = `browser-crash-${kind}-${Date.now()}`;
  let done = 0; // operations stored so far
  let acked = 0; // operations acknowledged so far
  for (let crash = 0; crash <= CRASHES; crash++) {
    const acks: number[] = [];
    const launched = await launch(executablePath, profile, storageLog);
    try {
      const page = await newPage(launched.browser, url, acks);
      const seen: Inspected =
        kind === 'idb'
          ? await page.evaluate((n) => window.crashPage.inspect(n), name)
          : await page.evaluate(([k, n]) => window.crashPage.inspectInWorker(k, n), [kind, name] as const);
      const context =
        `after ${acked} acknowledged operations (launch ${crash}) the workspace holds ${JSON.stringify(seen.files)}; ` +
        `loss: ${seen.loss ?? 'none'}; databases: ${JSON.stringify(seen.databases)}; ` +
        `Chromium on storage: ${JSON.stringify(storageLog.slice(-20))}`;
      if (seen.loss !== undefined && !seen.recovered) {
        // Only IndexedDB alone may be lost by the browser, and then it must say so.
        expect(kind, context).toBe('idb');
        expect(acked, context).toBeGreaterThan(0);
        figures.detected++;
        figures.detectedOps += acked;
        generation++;
        name = `browser-crash-${kind}-${Date.now()}-${generation}`;
        done = 0;
        acked = 0;
      } else {
        if (seen.recovered) figures.recovered++;
        expect(seen.problems, context).toEqual([]);
        // Every acknowledged operation, plus at most the one whose commit landed before its ack.
        const stored = [acked, acked + 1].find(
          (n) => JSON.stringify(seen.files) === JSON.stringify(filesAfter(n)),
        );
        if (stored === undefined) figures.lost++;
        expect(stored, context).toBeDefined();
        done = stored as number;
      }
      if (crash === CRASHES) break;
      if (kind === 'idb') {
        void page
          .evaluate(([n, from]) => window.crashPage.run(n, from), [name, done] as const)
          .catch(() => {});
      } else {
        void page
          .evaluate(([k, n, from]) => window.crashPage.runInWorker(k, n, from), [kind, name, done] as const)
          .catch(() => {});
      }
      // Let it run a while once the first operation is acknowledged (a worker first starts and
      // compiles the wasm: timed from the start, its window would hold a handful of operations).
      while (acks.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const until = Date.now() + 100 + Math.random() * 400;
      while (Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await kill(launched);
    }
    figures.kills++;
    // This launch ran from `done`: what it acknowledged.
    acked = acks.length === 0 ? done : (acks[acks.length - 1] as number) + 1;
    figures.acknowledged += acked - done;
  }
  console.log(`browser crash figures: ${JSON.stringify(figures)}`);
  return figures;
}

describe('killing the whole browser mid-write', () => {
  for (const kind of ['idb', 'opfs', 'mirrored'] as const) {
    it(
      `${kind}: every acknowledged operation, or (IndexedDB alone) the loss detected (${CRASHES} SIGKILLs, relaunched on the same profile)`,
      async () => {
        const figures = await killLoop(kind);
        expect(figures.lost).toBe(0);
        expect(figures.acknowledged).toBeGreaterThan(CRASHES);
      },
      60_000 + CRASHES * 15_000,
    );
  }
});

/**
 * A LevelDB log as its writer lays it out: each record in fragments that fill
 * 32 KiB blocks (FULL, or FIRST … MIDDLE … LAST), a block's last < 7 bytes
 * zero. Checksums are left zero: tornTailAt reads only lengths and types.
 */
function leveldbLog(payloads: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (const size of payloads) {
    let left = size;
    let first = true;
    do {
      const room = 32 * 1024 - (out.length % (32 * 1024));
      if (room < 7) {
        out.push(...new Array<number>(room).fill(0));
        continue;
      }
      const n = Math.min(left, room - 7);
      const last = n === left;
      const type = first && last ? 1 : first ? 2 : last ? 4 : 3;
      out.push(0, 0, 0, 0, n & 0xff, n >> 8, type, ...new Array<number>(n).fill(0xab));
      left -= n;
      first = false;
    } while (left > 0);
  }
  return Uint8Array.from(out);
}

describe('tornTailAt (the cut made between a kill and the relaunch)', () => {
  // Small records, one that fills a block to 3 bytes short of its end (a trailer), and
  // one spread over three blocks.
  const sizes = [440, 2581, 32 * 1024 - 447 - 2588 - 7 - 3, 70_000, 12];
  const whole = leveldbLog(sizes);
  const before = leveldbLog(sizes.slice(0, -1)).length;

  it('leaves a log that ends with a complete record alone', () => {
    expect(tornTailAt(whole)).toBeUndefined();
    expect(tornTailAt(leveldbLog(sizes.slice(0, 3)))).toBeUndefined();
    expect(tornTailAt(new Uint8Array(0))).toBeUndefined();
  });

  it('cuts a header without its payload, a short payload, and a partial header', () => {
    expect(tornTailAt(whole.slice(0, before + 7))).toBe(before);
    expect(tornTailAt(whole.slice(0, whole.length - 1))).toBe(before);
    expect(tornTailAt(whole.slice(0, before + 3))).toBe(before);
  });

  it('cuts a fragmented record whose last fragment is missing', () => {
    // The 70,000-byte record: FIRST fills block 1, MIDDLE block 2, LAST starts block 3.
    const three = leveldbLog(sizes.slice(0, 3)).length;
    expect(three).toBe(32 * 1024 - 3);
    expect(tornTailAt(whole.slice(0, 2 * 32 * 1024))).toBe(three);
    expect(tornTailAt(whole.slice(0, 3 * 32 * 1024))).toBe(three);
    expect(tornTailAt(whole.slice(0, 3 * 32 * 1024 + 7))).toBe(three);
  });

  it('leaves a log that is not well formed before its end as it is', () => {
    const garbled = whole.slice();
    garbled[6] = 9; // the first record's type
    expect(tornTailAt(garbled.slice(0, before + 7))).toBeUndefined();
  });
});
