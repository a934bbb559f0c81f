/**
 * The page's opt-in to cross-origin isolation (served by pyodide-assets-plugin.ts): with this
 * cookie, the app's server answers with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`, which the Python runner needs (SharedArrayBuffer)
 * and which cuts the preview's "Open in new tab" off from the IDE.
 */
export const ISOLATION_COOKIE_NAME = 'vellum-isolated';

/** Asks for an isolated page from the next load on (kept a year), or stops asking. */
export function setIsolation(on: boolean): void {
  document.cookie = on
    ? `${ISOLATION_COOKIE_NAME}=1; path=/; max-age=31536000; SameSite=Strict`
    : `${ISOLATION_COOKIE_NAME}=; path=/; max-age=0; SameSite=Strict`;
}
