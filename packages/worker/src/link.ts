/** A started worker as the client sees it: where to post, how to stop it, how it tells us it died. */
import type { Endpoint } from 'comlink';

export interface WorkerLink {
  /** The Comlink endpoint (calls and events). */
  readonly endpoint: Endpoint;
  /** Stops the worker at once. */
  terminate(): void;
  /** `callback` runs once if the worker ends on its own (crash, exit, someone else's terminate). */
  onGone(callback: (reason: string) => void): void;
  /** A Web Lock the worker takes at init; the client learns of its end when the lock frees. */
  readonly lock?: string;
  /**
   * A port to a worker another client started (`OverlayClient.port()`): closing it ends
   * this link only, never the worker, which is not this client's to shut down.
   */
  readonly borrowed?: boolean;
}

/** A link over a port from `OverlayClient.port()`: no lock, no death notice (a port has none). */
export function portLink(port: MessagePort): WorkerLink {
  port.start();
  return { endpoint: port, borrowed: true, terminate: () => port.close(), onGone: () => {} };
}
