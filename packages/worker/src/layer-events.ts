/**
 * Worker side: the layers' own news as events for the client: the network layers'
 * progress and warnings, another tab's commits to an IndexedDB workspace.
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
export type WarningDetail = LayerWarning & {
  /** The lower's index in `lowers` (0 = top). */
  layer: number;
};

/** `detail` of the client's `remote-change` event: another tab's writer committed to this IndexedDB workspace. */
export interface RemoteChangeDetail {
  /** The workspace's name (the `idb` upper's `name`). */
  name: string;
}

export interface LayerEvents {
  remoteChange(change: RemoteChangeDetail): void;
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
    remoteChange(change) {
      emit('remote-change', { name: change.name } satisfies RemoteChangeDetail);
    },
    warning(layer, warning) {
      emit('warning', { ...warning, layer } satisfies WarningDetail);
    },
    flush,
  };
}
