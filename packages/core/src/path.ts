/** POSIX path helpers for the overlay's namespace (always `/`-separated, rooted at `/`). */

/** The non-empty components of a path, `.` dropped; `..` is kept for the walk to apply. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47 /* / */) {
      if (i > start) {
        const part = path.slice(start, i);
        if (part !== '.') out.push(part);
      }
      start = i + 1;
    }
  }
  return out;
}

/**
 * A path's last component, trailing slashes aside, when it is '.' or '..' (the kernel's
 * LAST_DOT, LAST_DOTDOT), else '': calls that act on a name itself refuse those.
 */
export function lastDots(path: string): '' | '.' | '..' {
  let n = path.length;
  while (n > 0 && path.charCodeAt(n - 1) === 47) n--;
  let i = n;
  while (i > 0 && path.charCodeAt(i - 1) !== 47) i--;
  const last = path.slice(i, n);
  return last === '.' || last === '..' ? last : '';
}

/** Joins a parent path and a name. */
export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/**
 * What node:fs accepts as a path: a string, a `file:` URL, or UTF-8 bytes.
 *
 * @example
 * ```ts
 * const path: PathLike = new URL('file:///src/main.ts'); // reads as '/src/main.ts'
 * ```
 */
export type PathLike = string | URL | Uint8Array;

const decoder = new TextDecoder();

export function pathToString(path: PathLike): string {
  if (typeof path === 'string') return path;
  if (path instanceof URL) {
    if (path.protocol !== 'file:') throw new TypeError(`The URL must be of scheme file: ${path.href}`);
    return decodeURIComponent(path.pathname);
  }
  return decoder.decode(path);
}
