/** `Content-Type` by extension (mrmime's table), with `charset=utf-8` where the type is text. */
import { lookup } from 'mrmime';

const TEXT_TYPES = new Set([
  'application/javascript',
  'text/javascript',
  'application/json',
  'application/manifest+json',
  'application/xml',
  'image/svg+xml',
  'application/xhtml+xml',
]);

/** Types a browser must get even where mrmime's table differs (a module script needs a JS type). */
const OVERRIDES: Record<string, string> = {
  js: 'text/javascript',
  mjs: 'text/javascript',
  cjs: 'text/javascript',
  map: 'application/json',
};

/**
 * The `Content-Type` for a file name; `application/octet-stream` when the extension is unknown.
 *
 * @example
 * ```ts
 * contentType('/index.html'); // 'text/html; charset=utf-8'
 * contentType('/logo.png'); // 'image/png'
 * ```
 */
export function contentType(path: string): string {
  const dot = path.lastIndexOf('.');
  const ext = dot > path.lastIndexOf('/') ? path.slice(dot + 1).toLowerCase() : '';
  const type = OVERRIDES[ext] ?? lookup(ext) ?? 'application/octet-stream';
  return type.startsWith('text/') || TEXT_TYPES.has(type) ? `${type}; charset=utf-8` : type;
}
