/**
 * Where the preview runs: another origin than the IDE, so code in the workspace cannot read
 * the IDE's IndexedDB, localStorage or other workspaces, nor script its page. The same site,
 * though (the same host name, another port): a browser that blocks third-party storage (every
 * private window does) refuses a Service Worker to a frame of another site. In development and
 * under `vite preview` the IDE's server starts the preview origin and says where it is; a
 * deployment serves the build's `__vellum_preview__` files from a second origin and names it in
 * `VITE_PREVIEW_ORIGIN` at build time.
 */

/** The path prefix of the host page on the preview origin; the Service Worker leaves it to the network. */
export const HOST_PREFIX = '/__vellum_preview__/';

/** The preview's origin. */
export async function previewOrigin(): Promise<string> {
  const configured = import.meta.env.VITE_PREVIEW_ORIGIN as string | undefined;
  if (configured) return new URL(configured).origin;
  const res = await fetch(`${HOST_PREFIX}origin.json`);
  if (!res.ok)
    throw new Error(`the preview origin is unknown (GET ${HOST_PREFIX}origin.json: ${res.status})`);
  return new URL(((await res.json()) as { origin: string }).origin).origin;
}

/** The host page's URL, naming the IDE's origin as the one whose ports it takes. */
export function hostUrl(origin: string, ideOrigin: string = window.location.origin): string {
  return `${origin}${HOST_PREFIX}host.html?parent=${encodeURIComponent(ideOrigin)}`;
}
