/** The preview bench's Service Worker: @vellum/preview's, from its sources (scope /preview-bench/). */
import { type PreviewWorkerScope, servePreview } from '@vellum/preview/service-worker';

servePreview(self as unknown as PreviewWorkerScope, {
  // The bench page is cross-origin isolated: it frames only documents that opt in.
  headers: { 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' },
});
