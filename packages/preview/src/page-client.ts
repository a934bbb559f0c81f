/**
 * A classic script put at the top of every HTML page the preview serves. It shows what
 * the served error modules cannot: errors the browser itself finds (a syntax error the
 * compiler let through, an uncaught throw, a rejected promise), with the overlay path and
 * line:column, in the same box over the page.
 */
import { SHOW_ERROR } from './error-module.js';

/** The script, for a page served under `scope` from `root`. */
export function pageClient(scope: string, root: string): string {
  const prefix = JSON.stringify(new URL(scope, 'http://x').pathname);
  const base = JSON.stringify(root === '/' ? '' : root);
  return `<script>(() => {
const prefix = ${prefix}, base = ${base};
const where = (file, line, column) => {
  let path = file;
  try { const u = new URL(file, location.href); if (u.origin === location.origin && u.pathname.startsWith(prefix)) path = base + '/' + decodeURIComponent(u.pathname.slice(prefix.length)); } catch {}
  return line ? path + ':' + line + (column ? ':' + column : '') : path;
};
${SHOW_ERROR}
addEventListener('error', (e) => {
  if (!(e instanceof ErrorEvent)) return;
  // The served error modules have shown theirs already.
  if (e.error && e.error.vellumShown) return;
  show(where(e.filename, e.lineno, e.colno) + '\\n' + e.message);
});
addEventListener('unhandledrejection', (e) => show('Unhandled rejection\\n' + (e.reason && e.reason.stack || String(e.reason))));
})();</script>`;
}

/** `html` with the client script first in the document (before any module script runs). */
export function withPageClient(html: string, scope: string, root: string): string {
  const script = pageClient(scope, root);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  return doctype === null ? script + html : doctype[0] + script + html.slice(doctype[0].length);
}
