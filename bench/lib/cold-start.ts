/**
 * Cold starts in Chromium: built `cold-*` apps (bench/bundle-apps) loaded N times each, interleaved,
 * each time in a new browser context (no HTTP, code or wasm cache carried over, an empty IndexedDB), and the
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

/** One load of `url` in a fresh context: the two times the page measured. */
async function loadOnce(
  browser: Browser,
  url: string,
): Promise<{ fromCall: number; fromNavigation: number }> {
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
    return { fromCall: coldStart, fromNavigation: sinceNavigation };
  } finally {
    await context.close();
  }
}

/**
 * The load order of {@link coldStartRounds}: `rounds` rounds of one load per key, each round
 * starting one key later than the one before, so no key always runs first (or right after another).
 */
export function roundOrder<K>(keys: readonly K[], rounds: number): K[] {
  const order: K[] = [];
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < keys.length; i++) order.push(keys[(r + i) % keys.length] as K);
  return order;
}

/**
 * Loads every URL of `urls` `rounds` times, interleaved (see {@link roundOrder}) so that load
 * from other processes on a shared machine falls on all of them alike; each load in a fresh
 * context. A URL whose page fails is reported by its key and loaded no more; the others go on.
 */
export async function coldStartRounds<K extends string>(
  browser: Browser,
  urls: ReadonlyMap<K, string>,
  rounds: number,
): Promise<Map<K, ColdStarts | Error>> {
  const samples = new Map<K, { fromCall: number[]; fromNavigation: number[] }>();
  const failed = new Map<K, Error>();
  for (const key of roundOrder([...urls.keys()], rounds)) {
    if (failed.has(key)) continue;
    try {
      const t = await loadOnce(browser, urls.get(key) as string);
      const s = samples.get(key) ?? { fromCall: [], fromNavigation: [] };
      s.fromCall.push(t.fromCall);
      s.fromNavigation.push(t.fromNavigation);
      samples.set(key, s);
    } catch (error) {
      failed.set(key, error instanceof Error ? error : new Error(String(error)));
    }
  }
  const out = new Map<K, ColdStarts | Error>(failed);
  for (const [key, s] of samples) {
    if (failed.has(key)) continue;
    out.set(key, {
      fromCall: { medianMs: median(s.fromCall), samplesMs: s.fromCall },
      fromNavigation: { medianMs: median(s.fromNavigation), samplesMs: s.fromNavigation },
    });
  }
  return out;
}
