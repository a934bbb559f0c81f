/**
 * `@vellum/preview/service-worker`: the Service Worker side. It answers fetches under its
 * scope from an overlay that lives in another worker (`@vellum/worker`), reached over a
 * port a page hands down. The browser stops and restarts a Service Worker at will and a
 * restarted one has no port: a request then asks the pages for a new one and waits
 * (bounded) instead of failing.
 *
 * @module
 */
import { connectOverlay, type OverlayClient } from '@vellum/worker';
import { statusPage } from './pages.js';
import type { PreviewFs } from './preview-fs.js';
import { isPortMessage, NEED_PORT, PORT_TAKEN } from './protocol.js';
import { createPreviewResponder, type PreviewResponderOptions } from './respond.js';

export { NEED_PORT, PORT_MESSAGE } from './protocol.js';

/**
 * A page of the origin, as far as the preview talks to it.
 *
 * @example
 * ```ts
 * const scope = self as unknown as PreviewWorkerScope;
 * const pages: readonly PreviewPage[] = await scope.clients.matchAll({ includeUncontrolled: true, type: 'window' });
 * ```
 */
export interface PreviewPage {
  /** Sends the page a message (a request for a port). */
  postMessage(message: unknown): void;
}

/**
 * The parts of a Service Worker's global scope the preview uses (a real `self` is one).
 *
 * @example
 * ```ts
 * servePreview(self as unknown as PreviewWorkerScope);
 * ```
 */
export interface PreviewWorkerScope {
  /** Listens for `install`, `activate`, `message` and `fetch`. */
  addEventListener(type: string, listener: (event: Event) => void): void;
  /** The registration, whose `scope` is the URL prefix served. */
  readonly registration: {
    /** The scope URL. */
    readonly scope: string;
  };
  /** The pages of the origin. */
  readonly clients: {
    /** The window clients (also those the worker does not control, such as the page that registered it). */
    matchAll(options: { includeUncontrolled: boolean; type: 'window' }): Promise<readonly PreviewPage[]>;
    /** Takes control of open pages at once. */
    claim(): Promise<void>;
  };
  /** Activates a new version at once. */
  skipWaiting(): Promise<void>;
}

/**
 * How {@link servePreview} serves: the responder's options except the filesystem (it comes
 * by port) and the scope (the registration's, unless given), and how long to wait.
 *
 * @example
 * ```ts
 * const options: ServePreviewOptions = { root: '/app', jsx: { runtime: 'automatic', importSource: 'preact' } };
 * ```
 */
export interface ServePreviewOptions extends Omit<PreviewResponderOptions, 'fs' | 'scope'> {
  /** The URL path served (default: the registration's scope). */
  scope?: string;
  /**
   * URL path prefixes under the scope left to the network: the preview's own host page and
   * scripts, when the preview serves a whole origin (`scope: '/'`).
   */
  exclude?: readonly string[];
  /** How long a request waits for a port when there is none (default 10 s), then 503. */
  portTimeoutMs?: number;
  /** How long a request may take once it has a port (default 30 s), then 504. */
  requestTimeoutMs?: number;
}

interface FetchEventLike extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}

interface MessageEventLike extends Event {
  readonly data: unknown;
  readonly source?: { postMessage(message: unknown): void } | null;
  waitUntil?(promise: Promise<unknown>): void;
}

interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

const TIMED_OUT = Symbol('timed out');

/** How long a request runs before the port is checked with a ping, and how long the ping may take. */
const LIVENESS_MS = 2000;

function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Serves the overlay in this Service Worker: call it once in the worker's module.
 *
 * @example
 * ```ts
 * // preview-sw.ts, registered with { type: 'module', scope: '/preview/' }
 * import { servePreview } from '@vellum/preview/service-worker';
 * servePreview(self as unknown as PreviewWorkerScope, { jsx: { runtime: 'automatic', importSource: 'preact' } });
 * ```
 */
export function servePreview(self: PreviewWorkerScope, options: ServePreviewOptions = {}): void {
  const { portTimeoutMs = 10_000, requestTimeoutMs = 30_000, exclude = [], ...rest } = options;
  const scopeUrl = new URL(self.registration.scope);
  const scope = rest.scope ?? scopeUrl.pathname;
  let client: OverlayClient | undefined;
  const arrived: (() => void)[] = [];

  const adopt = (port: MessagePort): void => {
    void client?.close();
    client = connectOverlay(port);
    for (const resolve of arrived.splice(0)) resolve();
  };
  const connected = async (): Promise<OverlayClient | undefined> => {
    if (client !== undefined) return client;
    const arrival = new Promise<void>((resolve) => arrived.push(resolve));
    for (const page of await self.clients.matchAll({ includeUncontrolled: true, type: 'window' }))
      page.postMessage({ type: NEED_PORT });
    await within(arrival, portTimeoutMs);
    return client;
  };
  const viaCurrent = <K extends keyof PreviewFs>(name: K) =>
    ((...args: never[]) => {
      if (client === undefined) throw Object.assign(new Error('no port'), { code: 'ENOTCONN' });
      return (client[name] as (...a: never[]) => unknown)(...args);
    }) as PreviewFs[K];
  // One responder for the worker's life: its compiled modules stay cached across new ports.
  const fs: PreviewFs = {
    stat: viaCurrent('stat'),
    realpath: viaCurrent('realpath'),
    readdir: viaCurrent('readdir'),
    open: viaCurrent('open'),
  };
  const respond = createPreviewResponder({ ...rest, fs, scope });

  const unavailable = (status: 503 | 504, path: string, why: string): Response =>
    new Response(statusPage(status, status === 503 ? 'Service Unavailable' : 'Gateway Timeout', path, why), {
      status,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'Retry-After': '1',
      },
    });

  const handle = async (request: Request, retried = false): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const live = await connected();
    if (live === undefined)
      return unavailable(
        503,
        path,
        'No page gave this Service Worker a port to the overlay (is the app that holds it open?).',
      );
    const pending = respond(request);
    const early = await within(pending, Math.min(LIVENESS_MS, requestTimeoutMs));
    if (early !== TIMED_OUT) return early;
    // Slow: an engine waiting on the network still answers a ping at once; a port whose worker is
    // gone (its page closed or reloaded) never does, and is dropped for a new one.
    const alive = await within(
      live.ping().then(
        () => true,
        () => false,
      ),
      LIVENESS_MS,
    );
    if (alive !== true) {
      if (client === live) client = undefined;
      if (!retried) return handle(request, true);
      return unavailable(503, path, 'The overlay’s worker is gone, and no page gave a new port.');
    }
    const late = await within(pending, Math.max(0, requestTimeoutMs - LIVENESS_MS));
    if (late !== TIMED_OUT) return late;
    return unavailable(504, path, `The overlay did not answer within ${requestTimeoutMs} ms.`);
  };

  self.addEventListener('install', (event) => {
    (event as ExtendableEventLike).waitUntil(self.skipWaiting());
  });
  self.addEventListener('activate', (event) => {
    (event as ExtendableEventLike).waitUntil(self.clients.claim());
  });
  self.addEventListener('message', (event) => {
    const { data } = event as MessageEventLike;
    if (!isPortMessage(data)) return;
    adopt(data.port);
    // The page waits for this before it loads anything through us: a fetch must not reach an old port.
    (event as MessageEventLike).source?.postMessage({ type: PORT_TAKEN });
  });
  self.addEventListener('fetch', (event) => {
    const fetchEvent = event as FetchEventLike;
    const url = new URL(fetchEvent.request.url);
    if (url.origin !== scopeUrl.origin || !(url.pathname.startsWith(scope) || `${url.pathname}/` === scope))
      return;
    if (exclude.some((prefix) => url.pathname.startsWith(prefix))) return;
    fetchEvent.respondWith(handle(fetchEvent.request));
  });
}
