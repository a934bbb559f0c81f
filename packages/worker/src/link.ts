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
}
