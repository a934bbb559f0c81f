/**
 * The preview pane beside the editor: the workspace's app running on the preview origin, in
 * a sandboxed frame (scripts, forms and modals, but never navigating the IDE's page). It
 * reloads after every save (a stylesheet-only change swaps the stylesheet instead); "Open in
 * new tab" shows the same preview at full size, served by the same link.
 */
import { linkPreview, type PreviewLink } from '@vellum/preview';
import type { OverlayClient } from '@vellum/worker';
import { el } from '../ui/dom.js';
import { hostUrl, previewOrigin } from './origin.js';

export class PreviewPane {
  readonly element: HTMLElement;
  readonly #frame: HTMLIFrameElement;
  readonly #origin = el('span', { class: 'preview-origin' });
  #link: PreviewLink | undefined;
  #disposed = false;

  constructor(fs: OverlayClient, onError: (message: string) => void) {
    this.#frame = el('iframe', {
      class: 'preview-frame',
      title: 'preview',
      'data-testid': 'preview-frame',
      sandbox: 'allow-scripts allow-same-origin allow-forms allow-modals',
    });
    const reload = el(
      'button',
      { type: 'button', 'data-testid': 'preview-reload', title: 'Reload the preview' },
      '⟳',
    );
    reload.addEventListener('click', () => this.#link?.notify(['/']));
    const open = el(
      'button',
      { type: 'button', 'data-testid': 'preview-open', title: 'Open the preview in a new tab' },
      'Open in new tab',
    );
    this.element = el(
      'section',
      { class: 'preview-pane' },
      el('h2', {}, 'Preview ', this.#origin, reload, open),
      this.#frame,
    );
    previewOrigin().then(
      (origin) => {
        if (this.#disposed) return;
        this.#origin.textContent = origin;
        this.#link = linkPreview({ fs, origin });
        this.#link.add(() => this.#frame.contentWindow);
        open.addEventListener('click', () => {
          // An isolated page (COOP same-origin, for the Python runner) gets no handle on a tab of
          // another origin, so the link could not feed it: say so instead of opening a dead tab.
          if (globalThis.crossOriginIsolated)
            onError(
              'Preview: "Open in new tab" is not available on a cross-origin isolated page (Python mode); the pane still shows the preview',
            );
          else this.#link?.add(window.open(hostUrl(origin), '_blank'));
        });
        this.#frame.src = hostUrl(origin);
      },
      (error: unknown) => onError(`Preview: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Stops serving the preview (the workspace is being replaced, or the pane closed). */
  dispose(): void {
    this.#disposed = true;
    this.#link?.dispose();
  }
}
