/**
 * Commands the preview's browser test runs in Node, on the Playwright page: stopping every
 * Service Worker through CDP, as the browser itself does to an idle one.
 */
import type { BrowserCommand } from 'vitest/node';

interface PlaywrightContext {
  page: { context(): { newCDPSession(page: unknown): Promise<CdpSession> } };
}
interface CdpSession {
  send(method: string, params?: Record<string, unknown>): Promise<unknown>;
  detach(): Promise<void>;
}

/** `ServiceWorker.stopAllWorkers`: the running Service Workers of the test's browser end; the next fetch restarts them. */
export const stopServiceWorkers: BrowserCommand<[]> = async (context) => {
  const { page } = context as unknown as PlaywrightContext;
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
  } finally {
    await session.detach();
  }
};

declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Stops every running Service Worker (CDP `ServiceWorker.stopAllWorkers`). */
    stopServiceWorkers(): Promise<void>;
  }
}
