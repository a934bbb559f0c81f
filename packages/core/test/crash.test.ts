/**
 * Nothing acknowledged is lost: a page writes, renames and deletes on an
 * IndexedDBUpper (strict durability) as fast as it can, reporting each
 * acknowledged operation; the test crashes the page's renderer at a random
 * moment, opens a new page on the same workspace and checks that every
 * acknowledged operation is there (and at most the one in flight besides),
 * nothing half-applied, and fsck is clean. Then it carries on from there.
 */
import type { BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesAfter } from './crash/ops.js';
import { openCrashPage, openPages, type PageSession } from './pages.js';

const CRASHES = Number(process.env.VELLUM_CRASHES ?? 20);

let pages: PageSession;
let context: BrowserContext;
let url: string;

beforeAll(async () => {
  pages = await openPages('crash');
  ({ url, context } = pages);
});

afterAll(async () => {
  await pages?.close();
});

const newPage = (acks: number[]): Promise<Page> => openCrashPage(context, url, acks);

describe('crashing the page mid-write', () => {
  it(`keeps every acknowledged operation (${CRASHES} renderer crashes at random moments)`, async () => {
    const name = `crash-${Date.now()}`;
    let done = 0; // operations stored so far
    let acked = 0; // operations acknowledged so far
    for (let crash = 0; crash <= CRASHES; crash++) {
      const acks: number[] = [];
      // Each new page first checks what the last crash left, then carries on from there.
      const page = await newPage(acks);
      const { files, problems } = await page.evaluate((n) => window.crashPage.inspect(n), name);
      expect(problems).toEqual([]);
      // Every acknowledged operation, plus at most the one whose commit landed before its ack.
      const stored = [acked, acked + 1].find((n) => JSON.stringify(files) === JSON.stringify(filesAfter(n)));
      expect(
        stored,
        `after ${acked} acknowledged operations the workspace holds ${JSON.stringify(files)}`,
      ).toBeDefined();
      done = stored as number;
      if (crash === CRASHES) break;
      void page.evaluate(([n, from]) => window.crashPage.run(n, from), [name, done] as const).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 150));
      const cdp = await context.newCDPSession(page);
      // The renderer dies at once; the command itself never answers.
      void cdp.send('Page.crash').catch(() => {});
      await page.waitForEvent('crash', { timeout: 5000 });
      await page.close().catch(() => {});
      acked = acks.length === 0 ? done : (acks[acks.length - 1] as number) + 1;
    }
    expect(done).toBeGreaterThan(CRASHES);
  }, 120_000);
});
