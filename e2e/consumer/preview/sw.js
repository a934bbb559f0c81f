// The Service Worker: one line of the user's, the rest is @vellum/preview's.
import { servePreview } from '@vellum/preview/service-worker';

servePreview(self);
