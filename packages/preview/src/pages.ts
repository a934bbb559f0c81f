/** The small HTML pages the preview answers with itself: errors and directory listings. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;color:#222}code{background:#f3f3f3;padding:0 .25em}</style></head><body>${body}</body></html>`;
}

/** A status page: 404, 400, 503, … with the path and why. */
export function statusPage(status: number, title: string, path: string, detail?: string): string {
  const why = detail === undefined ? '' : `<p>${escapeHtml(detail)}</p>`;
  return page(
    `${status} ${title}`,
    `<h1>${status} ${escapeHtml(title)}</h1><p><code>${escapeHtml(path)}</code></p>${why}`,
  );
}

/** A directory without an index.html: its entries as links (directories first, by name). */
export function listingPage(urlPath: string, entries: readonly { name: string; dir: boolean }[]): string {
  const sorted = [...entries].sort((a, b) => (a.dir === b.dir ? (a.name < b.name ? -1 : 1) : a.dir ? -1 : 1));
  const items = sorted
    .map(({ name, dir }) => {
      const shown = dir ? `${name}/` : name;
      return `<li><a href="${escapeHtml(encodeURIComponent(name) + (dir ? '/' : ''))}">${escapeHtml(shown)}</a></li>`;
    })
    .join('');
  return page(`Index of ${urlPath}`, `<h1>Index of ${escapeHtml(urlPath)}</h1><ul>${items}</ul>`);
}
