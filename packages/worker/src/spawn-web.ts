/** Starting (or adopting) a module Web Worker in a page. */
import type { WorkerLink } from './link.js';

function lockName(): string {
  const id = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `vellum-worker-${id}`;
}

/** A link to `worker`, or to a new module worker running this package's `entry-web.ts`. */
export function spawnWeb(worker?: Worker): WorkerLink {
  // This literal form is what Vite (and other bundlers) recognise and bundle as a worker.
  const w = worker ?? new Worker(new URL('./entry-web.ts', import.meta.url), { type: 'module' });
  const callbacks: ((reason: string) => void)[] = [];
  const gone = (reason: string): void => {
    for (const callback of callbacks.splice(0)) callback(reason);
  };
  w.addEventListener('error', (event) => {
    // A module that fails to load or an uncaught throw: the worker's state is unknown, so it is ended.
    event.preventDefault();
    w.terminate();
    gone(`crashed: ${event.message || 'uncaught error in the worker (or its module failed to load)'}`);
  });
  w.addEventListener('messageerror', () => {
    w.terminate();
    gone('sent a message that could not be deserialized');
  });
  return {
    endpoint: w,
    lock: lockName(),
    terminate: () => w.terminate(),
    onGone: (callback) => void callbacks.push(callback),
  };
}
