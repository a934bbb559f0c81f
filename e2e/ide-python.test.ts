/**
 * Python in the IDE, end to end in real Chromium: "Run" on a `.py` file of the sample's lesson runs
 * it in Pyodide (its own Web Worker, the npm package's files served by the app), with the
 * workspace mounted at its working directory through the engine's SharedArrayBuffer channel. The
 * script reads the base layer's board fixtures and writes a CSV that shows up in the tree and the
 * changes panel; a script that never ends is stopped.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { build, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleProject } from '../apps/ide/src/sample/project.js';
import {
  boot,
  clickInTree,
  expectChanges,
  type Ide,
  ideRoot,
  newPersistent,
  row,
  SHOTS,
  startIde,
} from './ide-harness.js';

let ide: Ide;
let page: Page;

/** The points per column the script must print, computed here from the base layer's own fixtures. */
function expectedTotals(): Map<string, number> {
  const totals = new Map<string, number>();
  for (const e of sampleProject()) {
    if (e.kind !== 'file' || !/^\/src\/data\/board-\d+\.json$/.test(e.path)) continue;
    const text = typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data);
    for (const card of (JSON.parse(text) as { cards: { column: string; points: number }[] }).cards)
      totals.set(card.column, (totals.get(card.column) ?? 0) + card.points);
  }
  return new Map([...totals].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const state = (): Promise<string | undefined> =>
  page
    .getByTestId('run-state')
    .getAttribute('data-state')
    .then((s) => s ?? undefined);

beforeAll(async () => {
  ide = await startIde();
  page = ide.page;
  await boot(page, ide.url);
}, 120_000);

afterAll(async () => {
  await ide?.close();
});

describe('Python in the IDE', () => {
  it('on a page that is not isolated, Run says why and reloads the page isolated', async () => {
    await expect(page.evaluate(() => globalThis.crossOriginIsolated)).resolves.toBe(false);
    await clickInTree(page, '/lesson/python/report.py');
    await page.waitForSelector('.editor[data-path="/lesson/python/report.py"] .cm-content');
    await page.locator('[data-action="run"]').click();
    await expect.poll(state).toBe('not');
    await expect(page.getByTestId('run-output').textContent()).resolves.toContain(
      'Python needs a cross-origin isolated page',
    );
    await page.evaluate(() => {
      document.body.dataset.ready = 'pending';
    });
    await page.getByTestId('run-isolate').click();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('.tree-row');
    // The server answered with COOP/COEP because of the cookie: SharedArrayBuffer is there.
    await expect(page.evaluate(() => globalThis.crossOriginIsolated)).resolves.toBe(true);
  }, 120_000);

  it('runs lesson/python/report.py: output streamed, results written into the workspace', async () => {
    await expectChanges(page, 0);
    await clickInTree(page, '/lesson/python/report.py');
    await page.waitForSelector('.editor[data-path="/lesson/python/report.py"] .cm-content');
    const started = Date.now();
    await page.locator('[data-action="run"]').click();
    await expect.poll(state, { timeout: 120_000, interval: 250 }).toBe('exited');
    console.log(`[python] report.py: loaded and ran in ${Date.now() - started} ms`);
    const out = (await page.getByTestId('run-output').textContent()) ?? '';
    await expect(page.getByTestId('run-state').textContent()).resolves.toBe('exited with code 0');
    const totals = expectedTotals();
    expect(out).toContain('read 24 boards');
    for (const [column, points] of totals) expect(out).toContain(`${column.padStart(6)}: ${points} points`);
    expect(out).toContain('wrote lesson/python/out/points.csv');
    expect(await page.locator('[data-testid="run-output"] [data-stream="stderr"]').count()).toBe(0);
    // The script's writes are overlay changes: in the changes panel and the tree.
    await expectChanges(page, 2); // the new folder lesson/python/out and the file in it
    await clickInTree(page, '/lesson/python/out/points.csv');
    await page.waitForSelector('.editor[data-path="/lesson/python/out/points.csv"] .cm-content');
    const csv = await page
      .locator('.editor[data-path="/lesson/python/out/points.csv"] .cm-content')
      .innerText();
    expect(csv.trim().split(/\r?\n/)).toEqual(['column,points', ...[...totals].map(([c, p]) => `${c},${p}`)]);
    await page.screenshot({ path: `${SHOTS}/python-run.png` });
  }, 180_000);

  it('a script that never ends streams its output and is stopped', async () => {
    await clickInTree(page, '/lesson/python/spin.py');
    await page.waitForSelector('.editor[data-path="/lesson/python/spin.py"] .cm-content');
    await page.locator('[data-action="run"]').click();
    await expect.poll(state, { timeout: 120_000, interval: 250 }).toBe('running');
    await expect
      .poll(() => page.getByTestId('run-output').textContent(), { timeout: 60_000 })
      .toContain('still counting');
    await page.getByTestId('run-stop').click();
    await expect.poll(state, { timeout: 10_000 }).toBe('stopped');
    await expect(page.getByTestId('run-output').textContent()).resolves.toContain(
      '[stopped: the script was interrupted',
    );
    await expect(page.getByTestId('run-stop').isDisabled()).resolves.toBe(true);
    // The IDE is still answering: the engine was not blocked by the ended runner.
    await expect(row(page, '/lesson/python/out/points.csv').count()).resolves.toBe(1);
    await expectChanges(page, 2);
  }, 180_000);
});

describe('Python on a persistent workspace', () => {
  it('a script writes into the IndexedDB upper: the file is there after a reload', async () => {
    await newPersistent(page, 'python-idb');
    await expectChanges(page, 0);
    await clickInTree(page, '/lesson/python/report.py');
    await page.waitForSelector('.editor[data-path="/lesson/python/report.py"] .cm-content');
    await page.locator('[data-action="run"]').click();
    await expect.poll(state, { timeout: 120_000, interval: 250 }).toBe('exited');
    await expectChanges(page, 2);
    await boot(page, page.url());
    await expect(page.evaluate(() => globalThis.crossOriginIsolated)).resolves.toBe(true);
    await expectChanges(page, 2);
    await clickInTree(page, '/lesson/python/out/points.csv');
    await expect(
      page.locator('.editor[data-path="/lesson/python/out/points.csv"] .cm-content').textContent(),
    ).resolves.toContain('column,points');
  }, 180_000);
});

describe('Python in the production build', () => {
  it("`vite build` ships Pyodide's files under pyodide/; under `vite preview` an isolated page runs report.py", async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'vellum-ide-python-build-'));
    try {
      await build({
        root: ideRoot,
        configFile: join(ideRoot, 'vite.config.ts'),
        logLevel: 'error',
        build: { outDir, emptyOutDir: true },
      });
      for (const f of ['pyodide.asm.js', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'])
        expect(readdirSync(join(outDir, 'pyodide')), f).toContain(f);
      const server = await preview({
        root: ideRoot,
        configFile: join(ideRoot, 'vite.config.ts'),
        logLevel: 'error',
        build: { outDir },
        preview: { host: '127.0.0.1', port: 0 },
      });
      const url = server.resolvedUrls?.local[0];
      if (url === undefined) throw new Error('vite preview has no local URL');
      const browser = page.context().browser();
      if (browser === null) throw new Error('no browser');
      const context = await browser.newContext();
      try {
        // The cookie "Reload isolated" sets: the preview server answers with COOP/COEP too.
        await context.addCookies([{ name: 'vellum-isolated', value: '1', url }]);
        const built = await context.newPage();
        await built.goto(url);
        await built.waitForSelector('body[data-ready="true"]');
        await expect(built.evaluate(() => globalThis.crossOriginIsolated)).resolves.toBe(true);
        await clickInTree(built, '/lesson/python/report.py');
        await built.waitForSelector('.editor[data-path="/lesson/python/report.py"] .cm-content');
        await built.locator('[data-action="run"]').click();
        await expect
          .poll(() => built.getByTestId('run-state').getAttribute('data-state'), { timeout: 120_000 })
          .toBe('exited');
        await expect(built.getByTestId('run-output').textContent()).resolves.toContain(
          'wrote lesson/python/out/points.csv',
        );
        await expect(built.getByTestId('run-state').textContent()).resolves.toBe('exited with code 0');
      } finally {
        await context.close();
        await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 240_000);
});
