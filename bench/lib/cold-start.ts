/**
 * Cold starts in Chromium: a built `cold-*` app (bench/bundle-apps) loaded N times, each time in a
 * new browser context (no HTTP, code or wasm cache carried over, an empty IndexedDB), and the
 * milliseconds the page measured itself (`window.coldStart`) collected.
 */
import type { Browser } from 'playwright';

/** The loads of one cold start, in load order, and their median. */
export interface ColdStarts {
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
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

type ColdWindow = { coldStart?: number; coldError?: string };

/** Loads `url` `loads` times, each in a fresh context, and returns what the page timed. */
export async function coldStarts(browser: Browser, url: string, loads: number): Promise<ColdStarts> {
  const samplesMs: number[] = [];
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
      const { coldStart, coldError } = await page.evaluate(() => {
        const w = window as unknown as ColdWindow;
        return { coldStart: w.coldStart, coldError: w.coldError };
      });
      if (coldError !== undefined || coldStart === undefined)
        throw new Error(`${url}: ${coldError ?? 'no time'} ${errors.join('; ')}`);
      samplesMs.push(coldStart);
    } finally {
      await context.close();
    }
  }
  return { medianMs: median(samplesMs), samplesMs };
}
