/**
 * The app's side of an isolated preview: the app holds the overlay; the preview runs on
 * another origin (so code in the workspace cannot read the app's storage or script its
 * page) in a frame or a tab the app opened. The two talk only through `postMessage`,
 * checked against the exact origin and window on both sides: the preview asks for ports,
 * the app hands them over and says which files changed.
 */
import { CHANGED_MESSAGE, isNeedPort, PORT_MESSAGE } from './protocol.js';

/**
 * What the link needs of the overlay's client: ports, and its `change` and `remote-change` events.
 *
 * @example
 * ```ts
 * const source: PreviewSource = fs; // an OverlayClient
 * ```
 */
export interface PreviewSource extends EventTarget {
  /** A new port to the overlay (`OverlayClient.port()`). */
  port(): Promise<MessagePort>;
}

/**
 * A window showing a preview, or a function that finds it when a message arrives.
 *
 * @example
 * ```ts
 * const frameWindow: PreviewWindow = () => iframe.contentWindow;
 * ```
 */
export type PreviewWindow = Window | (() => Window | null);

/**
 * Options of {@link linkPreview}.
 *
 * @example
 * ```ts
 * const options: PreviewLinkOptions = { fs, origin: 'https://preview.example.com' };
 * ```
 */
export interface PreviewLinkOptions {
  /** The overlay's client (`OverlayClient` of `@vellum/worker`). */
  fs: PreviewSource;
  /** The preview's origin, exactly (scheme, host and port): messages from any other are ignored. */
  origin: string;
}

/**
 * A live link: the windows it serves (frames and tabs showing the preview), and the end of it.
 *
 * @example
 * ```ts
 * const link: PreviewLink = linkPreview({ fs, origin });
 * link.add(() => iframe.contentWindow);
 * ```
 */
export interface PreviewLink {
  /**
   * Serves the preview in `win`: a tab from `window.open`, or a function that returns an
   * iframe's `contentWindow` (null until the frame is in a document, hence the function).
   */
  add(win: PreviewWindow | null): void;
  /** Stops serving `win`. */
  remove(win: PreviewWindow | null): void;
  /** Tells every served preview that `paths` changed (the link does so itself on the client's `change` events). */
  notify(paths: readonly string[]): void;
  /** Stops listening; ports already handed out keep working until their preview closes them. */
  dispose(): void;
}

/**
 * Serves previews on another origin from the overlay in this page: answers their requests
 * for ports (only from windows added, only from `origin`) and forwards `change` events.
 *
 * @example
 * ```ts
 * const link = linkPreview({ fs, origin: 'http://localhost:5173' });
 * iframe.src = 'http://localhost:5173/__preview__/host.html?parent=' + encodeURIComponent(location.origin);
 * link.add(() => iframe.contentWindow);
 * ```
 */
export function linkPreview(options: PreviewLinkOptions): PreviewLink {
  const { fs, origin } = options;
  const windows = new Set<PreviewWindow>();
  const current = (): Window[] =>
    [...windows].flatMap((w) => {
      const win = typeof w === 'function' ? w() : w;
      return win === null ? [] : [win];
    });
  const stop = new AbortController();
  window.addEventListener(
    'message',
    (event) => {
      if (event.origin !== origin || !current().includes(event.source as Window) || !isNeedPort(event.data))
        return;
      const source = event.source as Window;
      void fs.port().then((port) => source.postMessage({ type: PORT_MESSAGE, port }, origin, [port]));
    },
    { signal: stop.signal },
  );
  const notify = (paths: readonly string[]): void => {
    for (const w of windows) if (typeof w !== 'function' && w.closed) windows.delete(w);
    for (const win of current()) win.postMessage({ type: CHANGED_MESSAGE, paths: [...paths] }, origin);
  };
  fs.addEventListener(
    'change',
    (event) => {
      const detail = (event as CustomEvent<{ op?: string; paths?: readonly string[] }>).detail;
      // A directory made (or one that already existed: an editor's `mkdir -p` before each save)
      // changes no file the app loads; reloading for it would also turn a stylesheet's swap into a reload.
      if (detail?.op === 'mkdir') return;
      notify(detail?.paths ?? []);
    },
    { signal: stop.signal },
  );
  // Another tab committed to the same workspace (a read-only follower's view moved): which files, it does not say.
  fs.addEventListener('remote-change', () => notify(['/']), { signal: stop.signal });
  return {
    add: (win) => void (win && windows.add(win)),
    remove: (win) => void (win && windows.delete(win)),
    notify,
    dispose: () => {
      stop.abort();
      windows.clear();
    },
  };
}
