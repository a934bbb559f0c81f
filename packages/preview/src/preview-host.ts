/**
 * The preview origin's page: registers the Service Worker (which serves the whole origin
 * but the host's own files), gets ports to the overlay from the app that opened or framed
 * it (checked against the app's exact origin), and shows the served app in a frame of its
 * own, which it reloads when files change (or, when only stylesheets changed, refreshes
 * their links without a reload).
 */
import { isChangedMessage, isPortMessage, NEED_PORT } from './protocol.js';
import { type PreviewRegistration, registerPreview } from './register.js';

/**
 * Options of {@link hostPreview}.
 *
 * @example
 * ```ts
 * const options: PreviewHostOptions = { parentOrigin: 'http://127.0.0.1:5173', script: '/__preview__/sw.js' };
 * ```
 */
export interface PreviewHostOptions {
  /** The app's origin, exactly: the only one whose ports and messages are taken. */
  parentOrigin: string;
  /** The Service Worker's script (it calls `servePreview`). */
  script: string | URL;
  /** Its scope (default `/`: the whole origin). */
  scope?: string;
  /** The URL the frame shows (default: the scope). */
  start?: string;
  /** How long to wait for the app to answer a request for a port (default 10 s). */
  portTimeoutMs?: number;
}

/**
 * A running host.
 *
 * @example
 * ```ts
 * const host: PreviewHost = await hostPreview({ parentOrigin, script: '/__preview__/sw.js' });
 * host.reload();
 * ```
 */
export interface PreviewHost {
  /** The frame that shows the served app. */
  readonly frame: HTMLIFrameElement;
  /** The Service Worker's registration. */
  readonly registration: PreviewRegistration;
  /** Reloads the served app. */
  reload(): void;
}

function appWindow(): Window {
  if (window.parent !== window) return window.parent;
  if (window.opener) return window.opener as Window;
  throw Object.assign(
    new Error('@vellum/preview: the host page must be framed or opened by the app that holds the overlay'),
    {
      code: 'ENOTCONN',
    },
  );
}

/** Refreshes the stylesheet links of `doc` that point at one of `paths`; false when it cannot (a CSS module import). */
function swapStyles(doc: Document, paths: readonly string[]): boolean {
  const wanted = new Set(paths);
  let swapped = 0;
  for (const link of doc.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')) {
    const url = new URL(link.href);
    if (url.origin !== location.origin) continue;
    const path = decodeURIComponent(url.pathname);
    if (![...wanted].some((p) => path === p || path.endsWith(p))) continue;
    url.searchParams.set('v', String(Date.now()));
    link.href = url.href;
    swapped++;
  }
  return swapped > 0;
}

/**
 * Runs the preview origin's host page: call it from that page's script.
 *
 * @example
 * ```ts
 * // host.ts on the preview origin, loaded as /__preview__/host.html?parent=<app origin>
 * const parentOrigin = new URL(location.href).searchParams.get('parent') ?? '';
 * await hostPreview({ parentOrigin, script: '/__preview__/sw.js' });
 * ```
 */
export async function hostPreview(options: PreviewHostOptions): Promise<PreviewHost> {
  const { parentOrigin, script, scope = '/', start = scope, portTimeoutMs = 10_000 } = options;
  const app = appWindow();
  const connect = (): Promise<MessagePort> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        window.removeEventListener('message', onMessage);
        reject(
          Object.assign(new Error(`@vellum/preview: ${parentOrigin} did not hand over a port`), {
            code: 'ETIMEDOUT',
          }),
        );
      }, portTimeoutMs);
      const onMessage = (event: MessageEvent): void => {
        if (event.origin !== parentOrigin || event.source !== app || !isPortMessage(event.data)) return;
        clearTimeout(timer);
        window.removeEventListener('message', onMessage);
        resolve(event.data.port);
      };
      window.addEventListener('message', onMessage);
      app.postMessage({ type: NEED_PORT }, parentOrigin);
    });
  const registration = await registerPreview({ script, scope, connect });
  const frame = document.createElement('iframe');
  frame.src = start;
  frame.title = 'preview';
  frame.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;border:0';
  document.body.append(frame);
  const reload = (): void => frame.contentWindow?.location.reload();
  window.addEventListener('message', (event) => {
    if (event.origin !== parentOrigin || event.source !== app || !isChangedMessage(event.data)) return;
    const { paths } = event.data;
    const doc = frame.contentDocument;
    const sheets = paths.filter((p) => p.toLowerCase().endsWith('.css'));
    // A save may also name the folders above the file (copied up with it): those change nothing served.
    const cssOnly =
      sheets.length > 0 &&
      paths.every((p) => sheets.some((s) => s === p || s.startsWith(`${p === '/' ? '' : p}/`)));
    if (cssOnly && doc !== null && swapStyles(doc, paths)) return;
    reload();
  });
  return { frame, registration, reload };
}
