/**
 * Two real pages (tabs) of one Chromium on one workspace, driven by
 * Playwright: the second opens read-only (EROFS, saying why) and follows the
 * writer's changes without reopening, or — with `whenLocked: 'wait'` — opens
 * only once the writer's tab goes away, then writes.
 */
import type { BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPages, type PageSession } from './pages.js';

let pages: PageSession;
let context: BrowserContext;
let url: string;

beforeAll(async () => {
  pages = await openPages('tabs-pages');
  ({ url, context } = pages);
});

afterAll(async () => {
  await pages?.close();
});

async function newTab(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 30_000 });
  return page;
}

/** What the reader tab saw at its remote-change events, once one shows `names`. */
async function seenWith(
  page: Page,
  names: string[],
): Promise<{ names: string[]; inos: Record<string, number> }> {
  const handle = await page.waitForFunction(
    (want) => window.tab.seen().find((s) => JSON.stringify(s.names) === JSON.stringify(want)),
    names,
    { timeout: 10_000, polling: 20 },
  );
  return (await handle.jsonValue()) as { names: string[]; inos: Record<string, number> };
}

describe('two pages on one workspace', () => {
  it("'read-only': the second page gets EROFS on writes and sees the writer's changes without reopening", async () => {
    const name = `tabs-ro-${Date.now()}`;
    const writer = await newTab();
    const reader = await newTab();
    expect(await writer.evaluate((n) => window.tab.open(n, 'read-only'), name)).toEqual({ readOnly: false });
    await writer.evaluate(() => window.tab.write('/a', 'one'));
    expect(await reader.evaluate((n) => window.tab.open(n, 'read-only'), name)).toEqual({ readOnly: true });
    expect(await reader.evaluate(() => window.tab.read('/a'))).toBe('one');
    const before = await reader.evaluate(() => window.tab.list());

    const refused = await reader.evaluate(() => window.tab.tryWrite('/a', 'from the reader'));
    expect(refused.code).toBe('EROFS');
    expect(refused.cause).toMatch(/open for writing in another tab; this one is read-only/);

    await writer.evaluate(() => window.tab.write('/b', 'two'));
    const afterWrite = await seenWith(reader, ['a', 'b', 'base']);
    await writer.evaluate(() => window.tab.rename('/a', '/c'));
    await writer.evaluate(() => window.tab.unlink('/base'));
    const last = await seenWith(reader, ['b', 'c']);
    // Same objects, same numbers: the reader's view was rebuilt in place, not reopened.
    expect(afterWrite.inos.a).toBe(before.inos.a);
    expect(last.inos.c).toBe(before.inos.a);
    expect(last.inos.b).toBe(afterWrite.inos.b);
    expect(await reader.evaluate(() => window.tab.read('/c'))).toBe('one');
    expect(await reader.evaluate(() => window.tab.list())).toEqual(
      await writer.evaluate(() => window.tab.list()),
    );
    await reader.close();
    await writer.close();
  });

  it("'wait': the second page opens once the writer's page is gone, and then writes", async () => {
    const name = `tabs-wait-${Date.now()}`;
    const first = await newTab();
    const second = await newTab();
    await first.evaluate((n) => window.tab.open(n, 'wait'), name);
    await first.evaluate(() => window.tab.write('/first', 'written by the first tab'));
    const opened = second.evaluate((n) => window.tab.open(n, 'wait'), name);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await second.evaluate(() => window.tab.state)).toBe('opening');
    // The tab goes away (no close() called): the lock goes with it.
    await first.close();
    expect(await opened).toEqual({ readOnly: false });
    expect(await second.evaluate(() => window.tab.read('/first'))).toBe('written by the first tab');
    await second.evaluate(() => window.tab.write('/second', 'now the writer'));
    expect((await second.evaluate(() => window.tab.list())).names).toEqual(['base', 'first', 'second']);
    await second.close();
  });
});
