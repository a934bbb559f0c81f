/**
 * Worker side: the network layers' progress and warnings as events for the client.
 * Progress is coalesced (the last figures per source, at most one batch per
 * `PROGRESS_MS`) because a layer reports every received body chunk, and one message
 * per chunk would cost the page more than the download itself.
 */
import type { LayerWarning, ProgressEvent } from '@vellum/core/http';
import type { Emit } from './server.js';

const PROGRESS_MS = 50;

/** `detail` of the client's `progress` event: one network layer's transfer and the totals over all of them. */
export type ProgressDetail = ProgressEvent;

/** `detail` of the client's `warning` event: what a lower worked around, and which lower (index in `lowers`). */
export type WarningDetail = LayerWarning & { layer: number };

export interface LayerEvents {
  progress(event: ProgressEvent): void;
  warning(layer: number, warning: LayerWarning): void;
  /** Sends any progress still held back (before init answers, so the last figures arrive first). */
  flush(): void;
}

export function layerEvents(emit: Emit): LayerEvents {
  const held = new Map<string, ProgressEvent>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    for (const event of held.values()) emit('progress', { ...event } satisfies ProgressDetail);
    held.clear();
  };
  return {
    progress(event) {
      held.set(event.source, event);
      timer ??= setTimeout(flush, PROGRESS_MS);
    },
    warning(layer, warning) {
      emit('warning', { ...warning, layer } satisfies WarningDetail);
    },
    flush,
  };
}
