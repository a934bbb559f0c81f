/** Node test helper: fixture workers. */
import { type TransferListItem, Worker } from 'node:worker_threads';

/** A worker_threads worker running `fixtures/<fixture>.ts`. */
export function fixtureWorker(
  fixture: string,
  data: Record<string, unknown> = {},
  transferList: readonly (Transferable | TransferListItem)[] = [],
): Worker {
  return new Worker(new URL('./fixtures/boot.mjs', import.meta.url), {
    workerData: { fixture, ...data },
    // Under Node a DOM-typed MessagePort (the client's `syncPort()`) is Node's MessagePort.
    transferList: transferList as TransferListItem[],
  });
}
