/**
 * From a request's URL path to a path in the overlay, never outside the served root.
 * The URL parser has already removed `.`/`..` segments (also `%2e%2e`), but what is
 * still percent-encoded after it (`..%2f`, `%5c`, `%00`, double encoding) becomes a
 * separator or a dot segment only when decoded here: so the check runs on the decoded
 * segments, and anything that could step out or that no filesystem name can hold is a 400.
 */

/** The longest name one path segment may have, in UTF-8 bytes (Linux's NAME_MAX). */
export const NAME_MAX = 255;
/** The longest path accepted, in UTF-8 bytes (Linux's PATH_MAX). */
export const PATH_MAX = 4096;

/** Where a request's path leads: a path in the overlay, or the status to answer instead. */
export type ServedPath =
  | {
      /** The path is inside the root. */
      ok: true;
      /** The overlay path (absolute, no trailing slash except for the root itself). */
      path: string;
      /** The URL path ended with `/` (a directory's address). */
      trailingSlash: boolean;
    }
  | {
      /** The path was refused. */
      ok: false;
      /** 404 outside the scope, 400 for a path that is malformed or tries to leave the root. */
      status: 400 | 404;
      /** Why, for the error page. */
      reason: string;
    };

const encoder = new TextEncoder();

/** Joins `root` (an overlay directory) and relative segments. */
export function joinRoot(root: string, segments: readonly string[]): string {
  const base = root === '/' ? '' : root.replace(/\/+$/, '');
  return segments.length === 0 ? base || '/' : `${base}/${segments.join('/')}`;
}

/**
 * Maps `pathname` (a URL's path, still percent-encoded) under `scope` (a URL path ending
 * in `/`) to a path under `root` in the overlay.
 *
 * @example
 * ```ts
 * servedPath('/preview/src/app.tsx', '/preview/', '/'); // { ok: true, path: '/src/app.tsx', trailingSlash: false }
 * servedPath('/preview/..%2fsecret', '/preview/', '/'); // { ok: false, status: 400, … }
 * ```
 */
export function servedPath(pathname: string, scope: string, root: string): ServedPath {
  if (!pathname.startsWith(scope) && `${pathname}/` !== scope)
    return { ok: false, status: 404, reason: 'outside the preview scope' };
  if (encoder.encode(pathname).length > PATH_MAX) return { ok: false, status: 400, reason: 'path too long' };
  const rest = pathname.slice(scope.length);
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    if (raw === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: 'malformed percent-encoding' };
    }
    if (name === '.' || name === '..') return { ok: false, status: 400, reason: 'a dot segment' };
    if (name.includes('/') || name.includes('\\'))
      return { ok: false, status: 400, reason: 'an encoded separator' };
    if (name.includes('\0')) return { ok: false, status: 400, reason: 'a NUL byte' };
    if (encoder.encode(name).length > NAME_MAX) return { ok: false, status: 400, reason: 'a name too long' };
    segments.push(name);
  }
  return { ok: true, path: joinRoot(root, segments), trailingSlash: rest === '' || rest.endsWith('/') };
}

/** Whether `path` is `root` or below it (both absolute and normalized). */
export function isInside(path: string, root: string): boolean {
  if (root === '/') return path.startsWith('/');
  return path === root || path.startsWith(`${root}/`);
}
