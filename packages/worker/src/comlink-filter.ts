/**
 * Worker side: the endpoint as Comlink's `expose` should see it, without the
 * operation messages this package answers itself. Comlink answers every message it
 * is handed (an unknown one with an empty reply), which would double the traffic of
 * every call.
 */
import type { Endpoint } from 'comlink';
import { isWireCall } from './protocol.js';

type Listener = EventListenerOrEventListenerObject;

export function withoutCalls(endpoint: Endpoint): Endpoint {
  const wrapped = new Map<Listener, EventListener>();
  const deliver = (listener: Listener, event: Event): void => {
    if (typeof listener === 'function') listener(event);
    else listener.handleEvent(event);
  };
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => endpoint.postMessage(message, transfer),
    addEventListener(type: string, listener: Listener, options?: object) {
      const filtered: EventListener = (event) => {
        if (!isWireCall((event as MessageEvent).data)) deliver(listener, event);
      };
      wrapped.set(listener, filtered);
      endpoint.addEventListener(type, filtered, options);
    },
    removeEventListener(type: string, listener: Listener, options?: object) {
      const filtered = wrapped.get(listener);
      if (filtered === undefined) return;
      wrapped.delete(listener);
      endpoint.removeEventListener(type, filtered, options);
    },
    ...(endpoint.start ? { start: () => endpoint.start?.() } : {}),
  };
}
