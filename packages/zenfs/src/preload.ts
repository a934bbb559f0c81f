/**
 * `preload`: read, with the async API, what a synchronous consumer will need,
 * so that layers that keep what they fetched (zip, HTTP) can answer it at once.
 */
import type { Overlay } from '@vellum/core';

/** What a preload read. */
export interface PreloadReport {
  /** Files read. */
  files: number;
  /** Bytes read. */
  bytes: number;
}

/**
 * A glob as a whole-path pattern: `**` any number of components, `*` and `?`
 * within one. Anything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      // `/**/` also matches a single `/`.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

const isGlob = (pattern: string): boolean => /[*?]/.test(pattern);

/** The part of a glob before its first wildcard component: where to walk from. */
function globRoot(glob: string): string {
  const parts = glob.split('/');
  const literal: string[] = [];
  for (const part of parts) {
    if (isGlob(part)) break;
    literal.push(part);
  }
  return literal.join('/') || '/';
}

/**
 * Reads every file the patterns name (a file, every file below a directory, or
 * a glob's matches) once, in order. A missing literal path is an error (ENOENT).
 *
 * @example
 * ```ts
 * await preload(ov, ['/src/**\/*.ts']); // then ov.readFileSync('/src/main.ts') needs no I/O
 * ```
 */
export async function preload(ov: Overlay, patterns: readonly string[]): Promise<PreloadReport> {
  const report: PreloadReport = { files: 0, bytes: 0 };
  const read = async (path: string): Promise<void> => {
    report.bytes += (await ov.readFile(path)).byteLength;
    report.files++;
  };
  for (const pattern of patterns) {
    if (isGlob(pattern)) {
      const match = globToRegExp(pattern);
      const root = globRoot(pattern);
      const stats = await ov.stat(root).catch(() => undefined);
      if (!stats?.isDirectory()) continue;
      for (const entry of await ov.walk(root)) {
        if (entry.stats.isFile() && match.test(entry.path)) await read(entry.path);
      }
      continue;
    }
    const stats = await ov.stat(pattern);
    if (!stats.isDirectory()) {
      await read(pattern);
      continue;
    }
    for (const entry of await ov.walk(pattern)) if (entry.stats.isFile()) await read(entry.path);
  }
  return report;
}
