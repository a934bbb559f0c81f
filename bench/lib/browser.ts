/**
 * Chromium suites: a suite's `setup` opens a page with {@link openChromiumPage}, and its
 * cases call functions exported by a page module in `bench/browser/` that measure inside
 * the page (with `bench/browser/timing.ts`) and return plain numbers or `Measured`s.
 * The rows land in RESULTS.md / results.json like any other suite's.
 *
 * The page is served by a Vite dev server (so page modules are TypeScript and import
 * workspace packages, workers included) with COOP/COEP headers: it is cross-origin
 * isolated, so `SharedArrayBuffer` and 5 µs `performance.now()` are available.
 */
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { CHROMIUM_ARGS, findBrowser } from '../../scripts/find-browser.mjs';
import { sourceResolve } from '../../scripts/source-condition.mjs';

/** Where the page keeps the imported page module (one per page). */
const SLOT = '__vellumBenchModule';

const pageRoot = fileURLToPath(new URL('../browser/', import.meta.url));

/** An open page with one page module loaded; see {@link openChromiumPage}. */
export interface ChromiumPage {
  /**
   * Calls the page module's export `fn` with `args` (structured-cloned both ways, so
   * numbers, strings, plain objects and typed arrays) and resolves to what it returns.
   */
  call<T = unknown>(fn: string, ...args: unknown[]): Promise<T>;
  /** The Playwright page, for anything `call` does not cover. */
  readonly page: Page;
  /** `navigator.userAgent` of the page (the Chromium version, for notes). */
  readonly userAgent: string;
  /** Closes the browser and stops the dev server. Safe to call twice. */
  close(): Promise<void>;
}

export interface ChromiumPageOptions {
  /**
   * Bare imports (npm packages, CommonJS ones in particular) to pre-bundle before the
   * page opens. Vite pre-bundles what it finds by scanning `module`'s imports at start;
   * a dependency it only discovers later makes it reload the page mid-run, which fails
   * the pending `call` with "Execution context was destroyed". List such packages here.
   */
  readonly optimize?: readonly string[];
  /** Page console messages are echoed to the bench log with this prefix (default: the module name). */
  readonly logPrefix?: string;
}

/**
 * Starts a Vite dev server on `bench/browser/` (loopback, free port, COOP/COEP headers),
 * launches headless Chromium (`VELLUM_CHROMIUM`, Playwright's cache or a system path, as
 * `scripts/find-browser.mjs` finds it), opens a cross-origin-isolated page and imports
 * `module` (a path relative to `bench/browser/`, e.g. `'worker.ts'`) in it.
 *
 * @example
 * ```ts
 * const page = await openChromiumPage('worker.ts');
 * const nsPerOp = await page.call<number>('statRoundTrip', 10_000);
 * await page.close();
 * ```
 */
export async function openChromiumPage(
  module: string,
  options: ChromiumPageOptions = {},
): Promise<ChromiumPage> {
  const server = await createServer({
    root: pageRoot,
    configFile: false,
    ...sourceResolve(),
    logLevel: 'warn',
    clearScreen: false,
    server: {
      host: '127.0.0.1',
      port: 0,
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
      // No file watching: the pages do not change during a run, and watching costs CPU we measure on.
      watch: null,
      hmr: false,
    },
    optimizeDeps: {
      // Only this suite's page: another suite's page failing to resolve must not stop this one's scan.
      entries: [module],
      include: [...(options.optimize ?? [])],
      // Served as is (plain ESM), as in the vitest browser project: the worker entry imports it too.
      exclude: ['comlink'],
    },
  });
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    browser = undefined;
    await server.close();
  };
  try {
    await server.listen();
    const origin = baseUrl(server);
    browser = await chromium.launch({
      executablePath: await findBrowser({ install: false }),
      args: CHROMIUM_ARGS,
      headless: true,
    });
    const page = await browser.newPage();
    const prefix = options.logPrefix ?? module;
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        console.log(`  [${prefix}] page ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => console.log(`  [${prefix}] page error: ${e.message}`));
    await page.goto(`${origin}/index.html`);
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    if (!isolated) throw new Error('the bench page is not cross-origin isolated (COOP/COEP headers missing)');
    // A string, not a function: tsx/vitest rewrite `import()` inside functions they compile,
    // which would not exist in the page. Imported once at setup so import errors surface here.
    await page.evaluate(`import(${JSON.stringify(`/${module}`)}).then((m) => { globalThis.${SLOT} = m; })`);
    const userAgent = await page.evaluate(() => navigator.userAgent);
    return {
      page,
      userAgent,
      close,
      call: <T>(fn: string, ...args: unknown[]): Promise<T> =>
        page.evaluate(
          async ([slot, name, a]) => {
            const mod = (globalThis as unknown as Record<string, Record<string, unknown>>)[slot];
            const f = mod?.[name];
            if (typeof f !== 'function') throw new TypeError(`the page module exports no function ${name}`);
            return f(...a);
          },
          [SLOT, fn, args] as const,
        ) as Promise<T>,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function baseUrl(server: ViteDevServer): string {
  const address = server.httpServer?.address();
  if (address === null || address === undefined || typeof address === 'string') {
    throw new Error('the Vite dev server has no TCP address');
  }
  return `http://127.0.0.1:${address.port}`;
}
