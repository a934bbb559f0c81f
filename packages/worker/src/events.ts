/**
 * Client side: the worker's events as an async iterator, beside the EventTarget. The
 * iterator queues what arrives between two `next()` calls (nothing is dropped), and
 * ends after the `close` event, on `break`, or when its signal aborts.
 */
import type { ProgressDetail, RemoteChangeDetail, WarningDetail } from './layer-events.js';

/** `detail` of the `change` event: which call changed which paths. */
export interface ChangeDetail {
  /** The call that made the change (`'writeFile'`, `'rename'`, `'writeMany'`, …). */
  op: string;
  /** The paths it changed (both names of a rename). */
  paths: string[];
}

/**
 * Every event a client dispatches, by type, with the type of its `detail`.
 *
 * @example
 * ```ts
 * fs.addEventListener('warning', (e) => {
 *   const w = (e as CustomEvent<OverlayEventMap['warning']>).detail;
 *   console.warn(`lower ${w.layer}: ${w.message}`);
 * });
 * ```
 */
export interface OverlayEventMap {
  /** After every mutating call, before it resolves. */
  change: ChangeDetail;
  /** Download progress of the zip and HTTP lowers. */
  progress: ProgressDetail;
  /** What a lower worked around (an entry left out, a server without Range support). */
  warning: WarningDetail;
  /** Another tab's writer committed to this IndexedDB workspace (the view already follows). */
  'remote-change': RemoteChangeDetail;
  /** The worker ended (closed, crashed or terminated); the last event. */
  close: {
    /** Why the worker ended. */
    reason: string;
  };
}

/** The name of an event the client dispatches. */
export type OverlayEventType = keyof OverlayEventMap;

/**
 * One event as the iterator yields it.
 *
 * @example
 * ```ts
 * for await (const event of fs.events(['change'])) {
 *   if (event.type === 'change') console.log(event.detail.op, event.detail.paths);
 * }
 * ```
 */
export type OverlayEvent = {
  [K in OverlayEventType]: {
    /** The event's type. */
    type: K;
    /** What the event carries. */
    detail: OverlayEventMap[K];
  };
}[OverlayEventType];

/** The `detail` of a `CustomEvent` the client dispatched. */
export function detail<T>(event: Event): T {
  return (event as CustomEvent<T>).detail;
}

export const EVENT_TYPES: readonly OverlayEventType[] = [
  'change',
  'progress',
  'warning',
  'remote-change',
  'close',
];

/**
 * Listens on `target` for `types` (always also `close`, which ends the stream) until the
 * consumer stops. `gone` says the stream should end at once (the worker is already gone).
 */
export function eventStream<K extends OverlayEventType>(
  target: EventTarget,
  types: readonly K[],
  gone: boolean,
  signal?: AbortSignal,
): AsyncIterableIterator<Extract<OverlayEvent, { type: K | 'close' }>> {
  type Out = Extract<OverlayEvent, { type: K | 'close' }>;
  const queue: Out[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const listened = [...new Set<OverlayEventType>([...types, 'close'])];
  const onEvent = (event: Event): void => {
    queue.push({ type: event.type, detail: detail(event) } as Out);
    // `close` is the last event there will be: it is yielded, then the stream ends.
    if (event.type === 'close') end(false);
    wake?.();
  };
  const end = (discard: boolean): void => {
    if (discard) queue.length = 0;
    if (ended) return;
    ended = true;
    for (const type of listened) target.removeEventListener(type, onEvent);
    signal?.removeEventListener('abort', onAbort);
    wake?.();
  };
  const onAbort = (): void => end(true);
  for (const type of listened) target.addEventListener(type, onEvent);
  signal?.addEventListener('abort', onAbort);
  if (gone || signal?.aborted) end(true);

  const iterator: AsyncIterableIterator<Out> = {
    async next(): Promise<IteratorResult<Out>> {
      while (queue.length === 0 && !ended) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      const value = queue.shift();
      return value === undefined ? { done: true, value: undefined } : { done: false, value };
    },
    async return(): Promise<IteratorResult<Out>> {
      end(true);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
