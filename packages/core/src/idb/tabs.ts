/**
 * Several tabs on one workspace. A Web Lock per workspace makes one tab the
 * writer; another tab either opens read-only or waits for the lock. After each
 * commit the writer posts on a BroadcastChannel; a read-only tab then reloads
 * the upper's records into its overlay's view (see `IndexedDBUpper.watch`). Where the
 * platform has no Web Locks (Node), every upper is a writer.
 */

/** What a tab does when another tab already writes to the workspace. */
export type WhenLocked = 'read-only' | 'wait';

/** What a read-only tab is told after the writer committed. */
export interface RemoteChange {
  /** The workspace's name. */
  name: string;
}

const lockName = (name: string): string => `vellum-upper:${name}`;

/** The writer lock of one workspace, held from `acquire()` until `release()`. */
export class WriterLock {
  readonly #name: string;
  #release: (() => void) | undefined;

  constructor(name: string) {
    this.#name = name;
  }

  /**
   * Takes the lock: resolves `true` once held, `false` when another tab holds
   * it and `when` is `'read-only'`. Without Web Locks, resolves `true` at once.
   */
  acquire(when: WhenLocked): Promise<boolean> {
    const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
    if (!locks) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      locks
        .request(lockName(this.#name), { ifAvailable: when === 'read-only' }, (lock) => {
          if (!lock) {
            resolve(false);
            return undefined;
          }
          resolve(true);
          // Held until release(): the lock ends when this promise settles (or the tab goes away).
          return new Promise<void>((end) => {
            this.#release = end;
          });
        })
        .catch(reject);
    });
  }

  release(): void {
    this.#release?.();
    this.#release = undefined;
  }
}

/** The workspace's change channel, where the platform has BroadcastChannel. */
export class ChangeChannel {
  readonly #name: string;
  readonly #channel: BroadcastChannel | undefined;

  /** `heard` is called for each message another tab (or another upper of this page) posted. */
  constructor(name: string, heard: () => void) {
    this.#name = name;
    this.#channel =
      typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(lockName(name));
    if (this.#channel) this.#channel.onmessage = heard;
  }

  /** Tells the other tabs that the workspace changed. */
  post(): void {
    this.#channel?.postMessage({ name: this.#name });
  }

  close(): void {
    this.#channel?.close();
  }
}
