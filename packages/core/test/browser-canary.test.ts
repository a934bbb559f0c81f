/**
 * The canary of Chromium's IndexedDB loss (google/leveldb#1287, see crash/leveldb-tail.ts):
 * after a SIGKILL, a 7-byte LevelDB record header without its payload is put at the end of
 * the IndexedDB log — what a kill between Chromium's two writes of a record leaves. The next
 * launch drops it but appends after it; the launch after that finds a checksum mismatch and
 * deletes the origin's IndexedDB. What Vellum must do then, and this test asserts:
 *
 * - the IndexedDB-only workspace reports `store-lost` when opened (it never opens empty);
 * - the mirrored workspace (IndexedDB primary, OPFS mirror) recovers every acknowledged operation.
 *
 * The day a Chromium keeps the database, the first assertion fails with a message saying so.
 */
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kill, launch, newPage } from './crash/browser.js';
import { tornTailAt } from './crash/leveldb-tail.js';
import { filesAfter } from './crash/ops.js';
import { chromiumPath, type PageServer, servePages } from './pages.js';

let server: PageServer;
let executablePath: string;
let profile: string;

beforeAll(async () => {
  server = await servePages('crash');
  executablePath = await chromiumPath();
  profile = await mkdtemp(join(tmpdir(), 'vellum-canary-'));
});

afterAll(async () => {
  await server?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** The newest LevelDB log of the origin's IndexedDB backing store. */
async function newestLog(): Promise<string> {
  const dir = join(profile, 'Default', 'IndexedDB');
  const stores = (await readdir(dir)).filter((n) => n.endsWith('.indexeddb.leveldb'));
  if (stores.length !== 1)
    throw new Error(`expected one IndexedDB backing store, found ${JSON.stringify(stores)}`);
  const storeDir = join(dir, stores[0] as string);
  const logs = (await readdir(storeDir)).filter((n) => /^\d+\.log$/.test(n)).sort();
  const last = logs[logs.length - 1];
  if (!last) throw new Error(`no LevelDB log in ${storeDir}`);
  return join(storeDir, last);
}

/** Appends a record header announcing `length` payload bytes that never come (type FULL). */
async function appendHeaderOnly(
  file: string,
  length: number,
): Promise<{ before: number; after: Uint8Array }> {
  const before = (await stat(file)).size;
  const header = new Uint8Array([0x12, 0x34, 0x56, 0x78, length & 0xff, length >> 8, 1]);
  const handle = await open(file, 'a');
  try {
    await handle.write(header);
  } finally {
    await handle.close();
  }
  const whole = await open(file, 'r');
  try {
    return { before, after: new Uint8Array(await whole.readFile()) };
  } finally {
    await whole.close();
  }
}

describe("canary: Chromium's IndexedDB after a torn LevelDB record header", () => {
  it('the IndexedDB workspace reports store-lost; the mirrored one recovers every acknowledged operation', async () => {
    const storageLog: string[] = [];
    const plain = 'canary-plain';
    const mirrored = 'canary-mirrored';

    // Launch 1: both workspaces written, then the browser killed.
    const acks: number[] = [];
    let launched = await launch(executablePath, profile, storageLog);
    try {
      const page = await newPage(launched.browser, server.url, acks);
      await page.evaluate((n) => window.crashPage.scratch(n, 20), plain);
      void page.evaluate((n) => window.crashPage.runInWorker('mirrored', n, 0), mirrored).catch(() => {});
      while (acks.length < 12) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await kill(launched);
    }
    const acked = (acks[acks.length - 1] as number) + 1;

    // What a kill between the two writes of a record leaves: its header alone.
    const log = await newestLog();
    const { before, after } = await appendHeaderOnly(log, 440);
    expect(tornTailAt(after)).toBe(before);

    // Launch 2: Chromium drops the torn record and appends this session's records after it.
    launched = await launch(executablePath, profile, storageLog);
    try {
      const page = await newPage(launched.browser, server.url, []);
      await page.evaluate((n) => window.crashPage.scratch(n, 10), 'canary-other');
    } finally {
      await kill(launched);
    }

    // Launch 3: what Vellum says about each workspace.
    launched = await launch(executablePath, profile, storageLog);
    try {
      const page = await newPage(launched.browser, server.url, []);
      const seenPlain = await page.evaluate((n) => window.crashPage.inspect(n), plain);
      expect(
        seenPlain.loss,
        seenPlain.loss === undefined
          ? 'Chromium kept its IndexedDB after a torn LevelDB header (the LevelDB bug may be fixed: ' +
              `google/leveldb#1287); the workspace opened with ${JSON.stringify(seenPlain.files).slice(0, 200)}. ` +
              `Chromium on storage: ${JSON.stringify(storageLog.slice(-10))}`
          : undefined,
      ).toBe('store-lost');
      expect(seenPlain.files).toEqual({});
      // The browser deleted it, and nothing was created in its place.
      expect(seenPlain.databases).not.toContain(`vellum-upper:${plain}`);

      const seenMirrored = await page.evaluate(
        (n) => window.crashPage.inspectInWorker('mirrored', n),
        mirrored,
      );
      expect(seenMirrored.recovered).toBe(true);
      expect(seenMirrored.problems).toEqual([]);
      const stored = [acked, acked + 1].find(
        (n) => JSON.stringify(seenMirrored.files) === JSON.stringify(filesAfter(n)),
      );
      expect(
        stored,
        `after ${acked} acknowledged: ${JSON.stringify(seenMirrored.files).slice(0, 300)}`,
      ).toBeDefined();
    } finally {
      await kill(launched);
    }
  }, 120_000);
});
