/** Paths as strings before they cross: a `URL` or a `Buffer` cannot be relied on to clone. */

import type { PathLike } from '@vellum/core';

export type { PathLike };

const decoder = new TextDecoder();

/** The path string the engine would derive from `path` (Node's rules for URL and Buffer paths). */
export function pathString(path: PathLike): string {
  if (typeof path === 'string') return path;
  if (path instanceof URL) {
    if (path.protocol !== 'file:') throw new TypeError(`The URL must be of scheme file: ${path.href}`);
    return decodeURIComponent(path.pathname);
  }
  return decoder.decode(path);
}

/** Joins a directory and a name without doubling the slash after the root. */
export function childPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** The parent directory of an absolute path (`/` for `/a`). */
export function parentPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const at = trimmed.lastIndexOf('/');
  return at <= 0 ? '/' : trimmed.slice(0, at);
}
