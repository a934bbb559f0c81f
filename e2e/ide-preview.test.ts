/**
 * The IDE as a playground, end to end in real Chromium: the workspace's app runs in the preview
 * pane, served from the overlay by a Service Worker on another origin (the IDE on 127.0.0.1, the
 * preview on localhost, one Vite server), with preact imported from the node_modules lower.
 */
import type { FrameLocator, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerDialog, boot, editAndSave, type Ide, newPersistent, startIde } from './ide-harness.js';

let ide: Ide;
let page: Page;

/** The served app: the frame inside the preview origin's host page, inside the IDE's pane. */
const app = (): FrameLocator => page.frameLocator('[data-testid="preview-frame"]').frameLocator('iframe');

/** The app's frame as a Playwright Frame, for evaluating in it. */
async function appFrame() {
  await app().locator('#board-title').waitFor();
  const frame = page.frames().find((f) => f.parentFrame()?.parentFrame() === page.mainFrame());
  if (frame === undefined) throw new Error('the served app has no frame');
  return frame;
}

beforeAll(async () => {
  ide = await startIde();
  page = ide.page;
  await boot(page, ide.url);
}, 120_000);

afterAll(async () => {
  await ide?.close();
});

describe('the preview pane', () => {
  it('runs the sample: TSX and preact from the node_modules zip, read by Range, only what it imports', async () => {
    const zipUrl = new URL('layers/node_modules.zip', ide.url).href;
    const reads: { range: string | undefined; status: number; bytes: number }[] = [];
    page.on('response', async (res) => {
      if (res.url() !== zipUrl) return;
      const read = { range: res.request().headers().range, status: res.status(), bytes: 0 };
      reads.push(read);
      read.bytes = (await res.body()).length;
    });
    const archive = (await (await fetch(zipUrl)).arrayBuffer()).byteLength;
    const clicked = Date.now();
    await page.getByTestId('preview-toggle').click();
    await expect(app().locator('#board-title').textContent()).resolves.toBe('kanban-lite');
    const firstPaint = Date.now() - clicked;
    await expect.poll(() => app().locator('.column').count(), { timeout: 15_000 }).toBe(3);
    await expect.poll(() => app().locator('.card').count(), { timeout: 15_000 }).toBe(4);
    // The app works: a card moves to the next column.
    await app().locator('[data-column="todo"] .card-next').first().click();
    await expect
      .poll(() => app().locator('[data-column="doing"] .card').count(), { timeout: 15_000 })
      .toBe(2);
    // preact's modules came from the node_modules lower, by Range only: its listing, then the
    // three modules the app imports (preact, preact/hooks, preact/jsx-runtime), not the archive.
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.status === 206 && r.range !== undefined)).toBe(true);
    await page.waitForLoadState('networkidle');
    const bytes = reads.reduce((n, r) => n + r.bytes, 0);
    console.log(
      `[preview] first paint ${firstPaint} ms after "Preview"; node_modules.zip: ${archive} bytes, ${reads.length} range requests, ${bytes} bytes for the first paint`,
    );
    expect(bytes).toBeLessThan(archive);
    expect(reads.length).toBeLessThanOrEqual(8);
  });

  it('an edit of a component shows up after Save; a stylesheet change swaps without a reload', async () => {
    const frame = await appFrame();
    await frame.evaluate(() => {
      (window as { marker?: number }).marker = 1;
    });
    await editAndSave(page, '/src/board/board.css', '\n.board h1 { color: rgb(200, 0, 0); }');
    await expect
      .poll(() =>
        app()
          .locator('#board-title')
          .evaluate((e) => getComputedStyle(e).color),
      )
      .toBe('rgb(200, 0, 0)');
    // The same document: the stylesheet was swapped, the page not reloaded.
    await expect((await appFrame()).evaluate(() => (window as { marker?: number }).marker)).resolves.toBe(1);
    await editAndSave(page, '/src/board/App.tsx', "\ndocument.title = 'edited in the IDE';\n");
    await expect
      .poll(async () => (await appFrame()).evaluate(() => document.title))
      .toBe('edited in the IDE');
  });

  it('Save → the preview shows it: five saves, timed (logged for the closing note, not asserted)', async () => {
    const frame = await appFrame();
    const times: number[] = [];
    await editAndSave(page, '/src/board/tasks.ts', '\n');
    for (let i = 1; i <= 5; i++) {
      await page.keyboard.type(`document.body.dataset.save = '${i}';\n`);
      await page.waitForSelector('[data-testid="title-dirty"]:not([hidden])');
      const t0 = Date.now();
      await page.keyboard.press('Control+s');
      await frame.waitForFunction((n) => document.body?.dataset.save === n, String(i), {
        polling: 'raf',
        timeout: 15_000,
      });
      times.push(Date.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`[preview] Save → preview shows the change, ms: ${times.join(', ')} (median ${times[2]})`);
  });

  it('Reset to base resets the preview too', async () => {
    await page.getByTestId('reset').click();
    await answerDialog(page);
    await expect
      .poll(async () => (await appFrame()).evaluate(() => document.title), { timeout: 15_000 })
      .toBe('kanban-lite');
    await expect
      .poll(() =>
        app()
          .locator('#board-title')
          .evaluate((e) => getComputedStyle(e).color),
      )
      .not.toBe('rgb(200, 0, 0)');
  });

  it('a compile error shows file:line:column over the preview; reverting the file recovers', async () => {
    await editAndSave(page, '/src/board/Card.tsx', '\nconst broken: number = ;\n');
    const error = app().locator('#vellum-preview-error');
    await expect
      .poll(() => error.textContent(), { timeout: 15_000 })
      .toMatch(/\/src\/board\/Card\.tsx:\d+:\d+/);
    await page.locator('.change[data-path="/src/board/Card.tsx"] [data-action="revert"]').click();
    await answerDialog(page);
    await expect.poll(() => app().locator('.card').count(), { timeout: 15_000 }).toBe(4);
    await expect.poll(() => error.count(), { timeout: 15_000 }).toBe(0);
  });

  it('the preview cannot read the IDE’s databases, script its page or navigate it', async () => {
    await newPersistent(page, 'preview isolation');
    await page.getByTestId('preview-frame').waitFor();
    const ideDatabases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    expect(ideDatabases.length).toBeGreaterThan(0);
    const frame = await appFrame();
    const seen = await frame.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name);
      let scripted = 'no';
      try {
        scripted = String(window.top?.document.title);
      } catch (e) {
        scripted = `refused: ${(e as Error).name}`;
      }
      let navigated = 'no';
      try {
        (window.top as Window).location.href = 'about:blank';
        navigated = 'asked';
      } catch (e) {
        navigated = `refused: ${(e as Error).name}`;
      }
      return { names, scripted, navigated, origin: location.origin };
    });
    expect(seen.origin).not.toBe(new URL(ide.url).origin);
    expect(seen.names.filter((n) => ideDatabases.includes(n))).toEqual([]);
    expect(seen.scripted).toMatch(/^refused/);
    await page.waitForTimeout(300);
    expect(page.url()).toContain(new URL(ide.url).host);
    // The persistent workspace runs too.
    await expect.poll(() => app().locator('.card').count(), { timeout: 15_000 }).toBe(4);
  });

  it('Open in new tab: the preview at full size in a tab of its own, served by the same link', async () => {
    const [tab] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByTestId('preview-open').click(),
    ]);
    const inTab = tab.frameLocator('iframe');
    await expect.poll(() => inTab.locator('.card').count(), { timeout: 15_000 }).toBe(4);
    expect(new URL(tab.url()).origin).not.toBe(new URL(ide.url).origin);
    await tab.close();
  });

  it('after the browser stops the Service Worker, a reload of the preview is still served', async () => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await page.getByTestId('preview-reload').click();
    await expect.poll(() => app().locator('.card').count(), { timeout: 15_000 }).toBe(4);
    await cdp.detach();
  });
});
