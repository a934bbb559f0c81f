/**
 * The preview origin's host page (`/__vellum_preview__/host.html`): bundled on its own (see
 * sample-layers-plugin.ts), it registers the Service Worker and shows the workspace's app.
 */
import { hostPreview } from '@vellum/preview';

const parentOrigin = new URL(window.location.href).searchParams.get('parent');
const status = document.getElementById('status');
if (parentOrigin === null) {
  if (status) status.textContent = 'Open the preview from the IDE.';
} else {
  hostPreview({ parentOrigin, script: '/__vellum_preview__-sw.js', scope: '/' }).then(
    () => status?.remove(),
    (error: unknown) => {
      if (status)
        status.textContent = `The preview could not start: ${error instanceof Error ? error.message : String(error)}`;
    },
  );
}
