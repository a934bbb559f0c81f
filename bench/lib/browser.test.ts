/** The Chromium bench harness: a real page, isolated, calling a page module's exports. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ChromiumPage, openChromiumPage } from './browser.js';

let page: ChromiumPage;
beforeAll(async () => {
  page = await openChromiumPage('smoke.ts');
});
afterAll(() => page?.close());

test('the page is cross-origin isolated: SharedArrayBuffer and Atomics work', async () => {
  expect(await page.call('isolation')).toEqual({ crossOriginIsolated: true, sharedBuffer: true });
  expect(page.userAgent).toMatch(/Chrome\/\d+/);
});

test('call passes arguments and results through structured clone', async () => {
  expect(await page.call('echo', 1, 'two', { three: [3] }, new Uint8Array([4]))).toEqual([
    1,
    'two',
    { three: [3] },
    new Uint8Array([4]),
  ]);
});

test('page-side timing gives a plausible ns/op, and a missing export is a clear error', async () => {
  const ns = await page.call<number>('awaitCost');
  expect(ns).toBeGreaterThan(0);
  expect(ns).toBeLessThan(1e6);
  await expect(page.call('nope')).rejects.toThrow(/exports no function nope/);
});
