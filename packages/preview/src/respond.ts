/**
 * The overlay as a static HTTP server: one function from a `Request` to a `Response`,
 * used by the Service Worker and testable anywhere `Request`/`Response` exist (Node too).
 */
import { fileStream, readWhole } from './body.js';
import { contentType } from './content-type.js';
import { DIGEST_MAX, digestTag, matchesNoneMatch, metaTag } from './etag.js';
import { isModulePath, ModuleServer } from './modules.js';
import { withPageClient } from './page-client.js';
import { listingPage, statusPage } from './pages.js';
import type { PreviewFs, PreviewStats } from './preview-fs.js';
import { parseRange } from './range.js';
import { isInside, joinRoot, servedPath } from './request-path.js';
import type { JsxOptions } from './transpile.js';

/**
 * What {@link createPreviewResponder} serves and how.
 *
 * @example
 * ```ts
 * const options: PreviewResponderOptions = { fs, scope: '/preview/', root: '/app', jsx: { runtime: 'automatic', importSource: 'preact' } };
 * ```
 */
export interface PreviewResponderOptions {
  /** The overlay to serve (a `connectOverlay` client, an `OverlayClient`, an `Overlay`). */
  fs: PreviewFs;
  /** The URL path the preview answers under, ending in `/` (e.g. `/preview/`). */
  scope: string;
  /** The overlay directory served at the scope (default `/`): nothing outside it is reachable. */
  root?: string;
  /** How `.tsx`/`.jsx` compile (default: the automatic runtime of `react`). */
  jsx?: JsxOptions;
  /** A directory without `index.html` answers a listing (default) or 404 (`false`). */
  listing?: boolean;
  /**
   * Headers added to every response: e.g. `Cross-Origin-Embedder-Policy: require-corp` and
   * `Cross-Origin-Resource-Policy: cross-origin` when the preview is framed by a cross-origin
   * isolated page (which refuses a frame without them), or a `Content-Security-Policy`.
   */
  headers?: Record<string, string>;
}

/** Answers one request; never rejects (a failure of the overlay is a 5xx response). */
export type PreviewResponder = (request: Request) => Promise<Response>;

/** Modules are compiled from their whole text: up to this size (a large bundle in node_modules). */
const MODULE_MAX = 32 * 1024 * 1024;

const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

function html(status: number, body: string, head: boolean, extra?: Record<string, string>): Response {
  return new Response(head ? null : body, {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...extra },
  });
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/**
 * A static server over an overlay: `Content-Type` by extension, `Content-Length`, `ETag`
 * with `If-None-Match` → 304, `Range` → 206/416, `HEAD`, a directory's `index.html` (or a
 * listing), 404 pages; `.ts`/`.tsx`/`.jsx` compiled and every module's imports resolved
 * (bare names through the workspace's `node_modules`). Paths never leave `root`, also
 * through symlinks. Bodies of large files stream from the overlay.
 *
 * @example
 * ```ts
 * const respond = createPreviewResponder({ fs, scope: '/preview/' });
 * const response = await respond(new Request('https://app.example/preview/index.html'));
 * ```
 */
export function createPreviewResponder(options: PreviewResponderOptions): PreviewResponder {
  const { fs, scope, listing = true } = options;
  const root = options.root === undefined ? '/' : joinRoot('/', options.root.split('/').filter(Boolean));
  if (!scope.startsWith('/') || !scope.endsWith('/'))
    throw new TypeError(
      `@vellum/preview: scope must be a URL path that starts and ends with "/" (got "${scope}")`,
    );
  const modules = new ModuleServer(fs, root, scope, options.jsx);

  async function serveFile(
    request: Request,
    path: string,
    stats: PreviewStats,
    head: boolean,
  ): Promise<Response> {
    const headers = new Headers({
      'Content-Type': contentType(path),
      'Last-Modified': new Date(stats.mtimeMs).toUTCString(),
      'Cache-Control': 'no-cache',
      'Accept-Ranges': 'bytes',
    });
    const small = stats.size <= DIGEST_MAX || (isModulePath(path) && stats.size <= MODULE_MAX);
    const bytes = small ? await readWhole(fs, path, stats.size) : undefined;
    const etag = bytes === undefined ? metaTag(stats) : await digestTag(bytes);
    if (bytes !== undefined && isModulePath(path)) {
      const served = await modules.serve(path, bytes, etag);
      // The compiled form differs from the bytes: a tag of its own, derived from the source's.
      const moduleTag = `${etag.slice(0, -1)}.js"`;
      headers.set('Content-Type', 'text/javascript; charset=utf-8');
      headers.set('ETag', moduleTag);
      headers.delete('Accept-Ranges');
      if (served.failure !== undefined) headers.set('Cache-Control', 'no-store');
      if (matchesNoneMatch(request.headers.get('If-None-Match'), moduleTag))
        return new Response(null, { status: 304, headers });
      const body = new TextEncoder().encode(served.code);
      headers.set('Content-Length', String(body.length));
      return new Response(head ? null : body, { status: 200, headers });
    }
    if (bytes !== undefined && /\.html?$/i.test(path)) {
      // The page gets the error reporter; its tag differs from the file's, as its bytes do.
      const page = new TextEncoder().encode(withPageClient(new TextDecoder().decode(bytes), scope, root));
      const pageTag = `${etag.slice(0, -1)}.html"`;
      headers.set('ETag', pageTag);
      headers.delete('Accept-Ranges');
      if (matchesNoneMatch(request.headers.get('If-None-Match'), pageTag))
        return new Response(null, { status: 304, headers });
      headers.set('Content-Length', String(page.length));
      return new Response(head ? null : page, { status: 200, headers });
    }
    headers.set('ETag', etag);
    if (matchesNoneMatch(request.headers.get('If-None-Match'), etag))
      return new Response(null, { status: 304, headers });
    const range = parseRange(request.headers.get('Range'), stats.size);
    if (range.kind === 'unsatisfiable') {
      headers.set('Content-Range', `bytes */${stats.size}`);
      headers.set('Content-Length', '0');
      return new Response(null, { status: 416, headers });
    }
    const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, stats.size - 1];
    const length = Math.max(0, end + 1 - start);
    headers.set('Content-Length', String(length));
    const status = range.kind === 'range' ? 206 : 200;
    if (status === 206) headers.set('Content-Range', `bytes ${start}-${end}/${stats.size}`);
    if (head || length === 0) return new Response(null, { status, headers });
    const body = bytes !== undefined ? bytes.subarray(start, end + 1) : fileStream(fs, path, start, end);
    return new Response(body, { status, headers });
  }

  async function answer(request: Request): Promise<Response> {
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head)
      return html(405, statusPage(405, 'Method Not Allowed', request.method), false, { Allow: 'GET, HEAD' });
    const url = new URL(request.url);
    const served = servedPath(url.pathname, scope, root);
    if (!served.ok)
      return html(
        served.status,
        statusPage(
          served.status,
          served.status === 400 ? 'Bad Request' : 'Not Found',
          url.pathname,
          served.reason,
        ),
        head,
      );
    let real: string;
    let stats: PreviewStats;
    try {
      real = await fs.realpath(served.path);
      if (!isInside(real, root))
        return html(404, statusPage(404, 'Not Found', url.pathname, 'leads outside the served root'), head);
      stats = await fs.stat(real);
    } catch (error) {
      if (NOT_FOUND_CODES.has(errorCode(error) ?? ''))
        return html(404, statusPage(404, 'Not Found', url.pathname), head);
      throw error;
    }
    if (stats.isDirectory()) {
      if (!served.trailingSlash) {
        const to = new URL(url);
        to.pathname = `${url.pathname}/`;
        return new Response(null, { status: 301, headers: { Location: to.pathname + to.search } });
      }
      const index = `${real === '/' ? '' : real}/index.html`;
      const indexStats = await fs.stat(index).catch(() => undefined);
      if (indexStats?.isFile()) return serveFile(request, index, indexStats, head);
      if (!listing) return html(404, statusPage(404, 'Not Found', url.pathname), head);
      const entries = await fs.readdir(real, { withFileTypes: true });
      return html(
        200,
        listingPage(
          url.pathname,
          entries.map((e) => ({ name: e.name, dir: e.isDirectory() })),
        ),
        head,
      );
    }
    if (!stats.isFile())
      return html(404, statusPage(404, 'Not Found', url.pathname, 'not a regular file'), head);
    return serveFile(request, real, stats, head);
  }

  const extra = Object.entries(options.headers ?? {});
  const withExtra = (response: Response): Response => {
    for (const [name, value] of extra) response.headers.set(name, value);
    return response;
  };
  return async (request) => {
    try {
      return withExtra(await answer(request));
    } catch (error) {
      const code = errorCode(error);
      const message = error instanceof Error ? error.message : String(error);
      const status = code === 'EACCES' ? 403 : 500;
      const title = status === 403 ? 'Forbidden' : 'Internal Error';
      const page = statusPage(status, title, new URL(request.url).pathname, message);
      return withExtra(html(status, page, request.method === 'HEAD'));
    }
  };
}
