/**
 * Runs the demo IDE for end-to-end tests: Vite's dev server (the README's `pnpm dev`, on a free port)
 * and one headless Chromium page driven by Playwright, plus the few page helpers the tests share.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { CHROMIUM_ARGS, locateBrowser } from '../scripts/find-browser.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const ideRoot = join(root, 'apps', 'ide');
/** Gitignored (test-results/): the screenshots are artifacts to look at, not fixtures. */
export const SHOTS = join(root, 'test-results', 'ide');

export interface Ide {
  url: string;
  page: Page;
  close(): Promise<void>;
}

export async function startIde(): Promise<Ide> {
  const server: ViteDevServer = await createServer({
    root: ideRoot,
    configFile: join(ideRoot, 'vite.config.ts'),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the IDE dev server has no local URL');
  let browser: Browser | undefined;
  try {
    const executablePath =
      process.env.VELLUM_CHROMIUM ?? (await locateBrowser())?.path ?? '/usr/bin/chromium';
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    const context = await browser.newContext({
      viewport: { width: 1400, height: 850 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[ide page] ${error.message}`));
    mkdirSync(SHOTS, { recursive: true });
    const opened = browser;
    return {
      url,
      page,
      close: async () => {
        await opened.close();
        await server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.close();
    throw error;
  }
}

/** Loads (or reloads) the page and waits until the workspace is booted and the tree drawn. */
export async function boot(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('.tree-row');
}

export const row = (page: Page, path: string) => page.locator(`.tree-row[data-path="${path}"]`);

/** Expands the folders above `path` in the tree (clicking each), then clicks the entry itself. */
export async function clickInTree(page: Page, path: string): Promise<void> {
  const parts = path.split('/').filter(Boolean);
  let at = '';
  for (const part of parts.slice(0, -1)) {
    at += `/${part}`;
    const dir = row(page, at);
    await dir.scrollIntoViewIfNeeded();
    if (!(await page.locator(`.tree-row[data-path^="${at}/"]`).count())) await dir.click();
  }
  const target = row(page, path);
  await target.scrollIntoViewIfNeeded();
  await target.click();
}

/** Waits for the changes panel to show `n` changes. */
export async function expectChanges(page: Page, n: number): Promise<void> {
  await page.waitForFunction((want) => document.body.dataset.changes === String(want), n);
}

/** Opens `path`, appends `text` at the end of the document in the editor and saves with Ctrl-S. */
export async function editAndSave(page: Page, path: string, text: string): Promise<void> {
  await clickInTree(page, path);
  await page.waitForSelector(`.editor[data-path="${path}"] .cm-content`);
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
  await page.waitForSelector('[data-testid="title-dirty"]:not([hidden])');
  await page.keyboard.press('Control+s');
  await page.waitForSelector('[data-testid="title-dirty"][hidden]', { state: 'attached' });
}

/**
 * Imports `zip` as the new topmost lower through the IDE's file input, after marking the page
 * not ready, so that a wait for `data-ready="true"` sees the reopened workspace, not the old one.
 */
export async function importZip(page: Page, zip: Uint8Array): Promise<void> {
  await page.evaluate(() => {
    document.body.dataset.ready = 'pending';
  });
  await page.getByTestId('import-lower-input').setInputFiles({
    name: 'extra.zip',
    mimeType: 'application/zip',
    buffer: Buffer.from(zip),
  });
}

/**
 * Answers the IDE's in-page question (`askChoice`): `choice` is the key of a button (`cancel` for
 * Cancel), or the primary answer when left out. Waits for the dialog to close.
 */
export async function answerDialog(page: Page, choice?: string): Promise<void> {
  const dialog = page.getByTestId('confirm');
  await dialog.waitFor();
  await (choice === undefined
    ? dialog.locator('button.primary')
    : dialog.locator(`[data-choice="${choice}"]`)
  )
    .first()
    .click();
  await dialog.waitFor({ state: 'detached' });
}

/** Answers the IDE's inline name prompt. */
export async function answerName(page: Page, name: string): Promise<void> {
  const input = page.getByTestId('ask-input');
  await input.fill(name);
  await input.press('Enter');
}

/** Makes a persistent workspace called `name` from the workspace bar; resolves with its id. */
export async function newPersistent(page: Page, name: string): Promise<string> {
  await page.getByTestId('workspace-new').click();
  await answerName(page, name);
  await page.waitForFunction(() => (document.body.dataset.workspace ?? 'ephemeral') !== 'ephemeral');
  await page.waitForSelector('body[data-ready="true"]');
  const id = await page.evaluate(() => document.body.dataset.workspace);
  if (id === undefined) throw new Error('no workspace id on the page');
  return id;
}

/** Opens `path` in the editor and types `text` at its end, without saving. */
export async function typeUnsaved(page: Page, path: string, text: string): Promise<void> {
  await clickInTree(page, path);
  await page.waitForSelector(`.editor[data-path="${path}"] .cm-content`);
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
  await page.waitForSelector('[data-testid="title-dirty"]:not([hidden])');
}
