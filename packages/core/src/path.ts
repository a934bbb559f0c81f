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

/** Joins a parent path and a name. */
export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Accepts what node:fs accepts as a path here: a string, a `file:` URL, or UTF-8 bytes. */
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
