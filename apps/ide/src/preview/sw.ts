/**
 * The preview's Service Worker (`/__vellum_preview__-sw.js`, scope `/` of the preview origin):
 * the workspace served as a static site, TSX compiled for preact, bare imports from the
 * workspace's `node_modules` (a zip lower read by Range).
 */
import { type PreviewWorkerScope, servePreview } from '@vellum/preview/service-worker';

servePreview(self as unknown as PreviewWorkerScope, {
  scope: '/',
  // The host page (/__vellum_preview__/…) and this script (/__vellum_preview__-sw.js) come from the server.
  exclude: ['/__vellum_preview__'],
  jsx: { runtime: 'automatic', importSource: 'preact' },
  // Framed by the cross-origin isolated IDE: see PREVIEW_ISOLATION in preview-assets.ts.
  headers: { 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'cross-origin' },
});
