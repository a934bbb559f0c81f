/**
 * What the tests that drive real Chromium pages from Node share: a Vite dev
 * server for a folder of page code (so the pages import the engine's
 * TypeScript), and the browser to launch (scripts/find-browser.mjs).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, locateBrowser } from '../../../scripts/find-browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** A served folder of pages (relative to this test folder). */
export interface PageServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `folder` (e.g. 'crash') on a free loopback port. */
export async function servePages(folder: string): Promise<PageServer> {
  const server = await createServer({
    root: join(here, folder),
    configFile: false,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  return { url: server.resolvedUrls?.local[0] ?? '', close: () => server.close() };
}

/** The Chromium to launch: VELLUM_CHROMIUM, else what find-browser finds, else Debian's. */
export async function chromiumPath(): Promise<string> {
  return process.env.VELLUM_CHROMIUM ?? (await locateBrowser())?.path ?? '/usr/bin/chromium';
}

/** A served page folder and one Chromium context to open its pages in. */
export interface PageSession {
  readonly url: string;
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Serves `folder` and launches Chromium with one context (the crash and two-tab tests). */
export async function openPages(folder: string): Promise<PageSession> {
  const server = await servePages(folder);
  const browser = await chromium.launch({ executablePath: await chromiumPath(), args: CHROMIUM_ARGS });
  return {
    url: server.url,
    context: await browser.newContext(),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Opens the crash page at `url` in `context`, each acknowledged operation's number pushed onto
 * `acks` (the page calls `ack(i)` once its operation resolved), and waits until it is ready.
 */
export async function openCrashPage(context: BrowserContext, url: string, acks: number[]): Promise<Page> {
  const page = await context.newPage();
  await page.exposeFunction('ack', (i: number) => {
    acks.push(i);
  });
  await page.goto(url);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 30_000 });
  return page;
}
