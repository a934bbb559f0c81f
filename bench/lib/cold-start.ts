/**
 * Cold starts in Chromium: a built `cold-*` app (bench/bundle-apps) loaded N times, each time in a
 * new browser context (no HTTP, code or wasm cache carried over, an empty IndexedDB), and the
 * milliseconds the page measured itself collected (see {@link ColdStarts}).
 */
import type { Browser } from 'playwright';

/** One measure over the loads, in load order, and its median. */
export interface Samples {
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
}

/**
 * The two times each load reports: from the call that starts the filesystem (`window.coldStart`),
 * and from the navigation's start (`window.sinceNavigation`, the answer's `performance.now()`),
 * which adds loading and running the page's own scripts.
 */
export interface ColdStarts {
  readonly fromCall: Samples;
  readonly fromNavigation: Samples;
}

/** The median of a non-empty list (the mean of the middle two for an even length). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

type ColdWindow = { coldStart?: number; sinceNavigation?: number; coldError?: string };

/**
 * Loads `url` once in a fresh context and waits for the page to set its title to `title` (what the
 * size apps do once they have read back what they wrote): a build that does not run is not measured.
 */
export async function expectTitle(browser: Browser, url: string, title: string): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    try {
      await page.waitForFunction((t) => document.title === t, title, { timeout: 30_000 });
    } catch {
      throw new Error(
        `${url} did not run: title ${JSON.stringify(await page.title())}; ${errors.join('; ')}`,
      );
    }
  } finally {
    await context.close();
  }
}

/** Loads `url` `loads` times, each in a fresh context, and returns what the page timed. */
export async function coldStarts(browser: Browser, url: string, loads: number): Promise<ColdStarts> {
  const fromCall: number[] = [];
  const fromNavigation: number[] = [];
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(
        () => {
          const w = window as unknown as ColdWindow;
          return w.coldStart !== undefined || w.coldError !== undefined;
        },
        undefined,
        { timeout: 60_000 },
      );
      const { coldStart, sinceNavigation, coldError } = await page.evaluate(() => {
        const w = window as unknown as ColdWindow;
        return { coldStart: w.coldStart, sinceNavigation: w.sinceNavigation, coldError: w.coldError };
      });
      if (coldError !== undefined || coldStart === undefined || sinceNavigation === undefined)
        throw new Error(`${url}: ${coldError ?? 'no time'} ${errors.join('; ')}`);
      fromCall.push(coldStart);
      fromNavigation.push(sinceNavigation);
    } finally {
      await context.close();
    }
  }
  return {
    fromCall: { medianMs: median(fromCall), samplesMs: fromCall },
    fromNavigation: { medianMs: median(fromNavigation), samplesMs: fromNavigation },
  };
}
