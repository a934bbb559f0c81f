/**
 * The client's end of the channel: Comlink for the calls made once (init, shutdown,
 * the bare baseline), tagged messages with numeric ids for operations, and every call
 * in flight kept in one table so that a worker's end rejects them all instead of
 * leaving them pending forever (Comlink itself never settles a call whose worker is gone).
 */
import { type Remote, releaseProxy, wrap } from 'comlink';
import type { WireInit } from './descriptors.js';
import { fromWireError, WorkerGoneError } from './errors.js';
import type { WorkerLink } from './link.js';
import {
  ANSWER_TAG,
  CALL_TAG,
  isWireAnswer,
  isWireEvent,
  type Reply,
  type WireCall,
  type WireEvent,
  type WireOpened,
  type WorkerService,
} from './protocol.js';

/** How long `close()` lets the worker commit and close its upper before terminating it anyway. */
const SHUTDOWN_MS = 5000;

interface Pending {
  op: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class Connection {
  readonly #link: WorkerLink;
  readonly #remote: Remote<WorkerService>;
  readonly #pending = new Map<number, Pending>();
  readonly #onGone: (reason: string) => void;
  #nextId = 1;
  #gone: string | undefined;
  #closing: Promise<void> | undefined;
  /** Resolves when the worker ends on its own: a shutdown that waits for it must stop waiting. */
  readonly #died: Promise<void>;

  constructor(link: WorkerLink, onEvent: (event: WireEvent) => void, onGone: (reason: string) => void) {
    this.#link = link;
    this.#onGone = onGone;
    this.#remote = wrap<WorkerService>(link.endpoint);
    link.endpoint.addEventListener('message', (event) => {
      const data = (event as MessageEvent).data;
      if (isWireAnswer(data)) this.#answer(data[ANSWER_TAG], data.reply);
      else if (isWireEvent(data)) onEvent(data);
    });
    let died!: () => void;
    this.#died = new Promise((resolve) => {
      died = resolve;
    });
    link.onGone((reason) => {
      died();
      this.#end(reason);
    });
  }

  /** Why the worker is gone, or undefined while it serves. */
  get gone(): string | undefined {
    return this.#gone;
  }

  /** Builds the overlay in the worker; afterwards, watches the worker's lock (pages). */
  async init(options: WireInit): Promise<WireOpened> {
    const opened = (await this.#settle('init', this.#remote.init(options, this.#link.lock))) as WireOpened;
    const lock = this.#link.lock;
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
    // Granted only once the worker, which holds the lock for its whole life, is gone.
    if (lock !== undefined && locks !== undefined)
      void locks.request(lock, () => this.#end('was terminated'));
    return opened;
  }

  /** One operation; `transfers` are moved to the worker, not copied. */
  call(op: string, args: unknown[], transfers?: Transferable[]): Promise<unknown> {
    if (this.#gone !== undefined) return Promise.reject(new WorkerGoneError(this.#gone, op));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { op, resolve, reject });
      const call: WireCall = { [CALL_TAG]: id, op, args };
      this.#link.endpoint.postMessage(call, transfers);
    });
  }

  /** A bare Comlink round trip to an empty function. */
  async ping(): Promise<void> {
    if (this.#gone !== undefined) throw new WorkerGoneError(this.#gone, 'ping');
    // A borrowed port carries operations only (Comlink listens on the worker's own endpoint).
    if (this.#link.borrowed) return void (await this.call('ping', []));
    await this.#settle(
      'ping',
      this.#remote.noop().then(() => ({ ok: true, value: undefined })),
    );
  }

  /**
   * Pending and later calls reject at once; the worker then commits what its upper
   * still queues and closes its connections (at most `SHUTDOWN_MS`), and is terminated.
   * Over a borrowed port, only the port closes: the worker serves its other clients.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.#gone !== undefined) return Promise.resolve();
    this.#end('was closed');
    if (this.#link.borrowed) {
      this.#link.terminate();
      this.#closing = Promise.resolve();
      return this.#closing;
    }
    const shutdown = this.#remote.shutdown().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_MS);
    });
    this.#closing = Promise.race([shutdown, this.#died, late]).then(() => {
      clearTimeout(timer);
      this.#remote[releaseProxy]();
      this.#link.terminate();
    });
    return this.#closing;
  }

  #answer(id: number, reply: Reply): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return; // the call was already rejected: the worker is gone
    this.#pending.delete(id);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(fromWireError(reply.error));
  }

  /** A Comlink call, tracked in the same table as the operations. */
  #settle(op: string, reply: Promise<Reply>): Promise<unknown> {
    if (this.#gone !== undefined) return Promise.reject(new WorkerGoneError(this.#gone, op));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { op, resolve, reject });
      reply.then(
        (r) => this.#answer(id, r),
        (error: unknown) => {
          if (this.#pending.delete(id)) reject(error);
        },
      );
    });
  }

  #end(reason: string): void {
    if (this.#gone !== undefined) return;
    this.#gone = reason;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject, op } of pending) reject(new WorkerGoneError(reason, op));
    this.#onGone(reason);
  }
}
