/** The page side: registers the preview's Service Worker and hands it ports to the overlay. */
import { isNeedPort, isPortTaken, PORT_MESSAGE } from './protocol.js';

/**
 * What {@link registerPreview} needs: the Service Worker's script, its scope, and where
 * ports to the overlay come from.
 *
 * @example
 * ```ts
 * const options: RegisterPreviewOptions = {
 *   script: new URL('./preview-sw.js', import.meta.url),
 *   scope: '/preview/',
 *   connect: () => fs.port(), // fs: the OverlayClient of @vellum/worker
 * };
 * ```
 */
export interface RegisterPreviewOptions {
  /** The Service Worker module (it calls `servePreview`). */
  script: string | URL;
  /** The URL path it serves, ending in `/`. */
  scope: string;
  /** A new port to the overlay (`OverlayClient.port()`, or one asked of a parent frame). */
  connect: () => Promise<MessagePort>;
  /** The script's kind (default `'module'`). */
  type?: 'module' | 'classic';
}

/**
 * A registered preview.
 *
 * @example
 * ```ts
 * const preview: PreviewRegistration = await registerPreview({ script: '/preview-sw.js', scope: '/preview/', connect: () => fs.port() });
 * await preview.unregister();
 * ```
 */
export interface PreviewRegistration {
  /** The Service Worker's registration. */
  readonly registration: ServiceWorkerRegistration;
  /** Stops answering its requests for ports and unregisters the worker. */
  unregister(): Promise<void>;
}

function activated(registration: ServiceWorkerRegistration): Promise<ServiceWorker> {
  const worker = registration.installing ?? registration.waiting ?? registration.active;
  if (worker === null) return Promise.reject(new Error('@vellum/preview: the registration has no worker'));
  if (worker.state === 'activated') return Promise.resolve(worker);
  return new Promise((resolve, reject) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve(worker);
      else if (worker.state === 'redundant')
        reject(new Error('@vellum/preview: the Service Worker failed to install'));
    });
  });
}

/** How long a page waits for the Service Worker to say it took a port (an older worker without the answer: not at all). */
const TAKEN_MS = 5000;

/** Sends a new port and resolves once the worker has taken it (or after {@link TAKEN_MS}). */
async function sendPort(
  container: ServiceWorkerContainer,
  worker: ServiceWorker | MessageEventSource | null,
  connect: () => Promise<MessagePort>,
): Promise<void> {
  if (worker === null || !('postMessage' in worker)) return;
  const port = await connect();
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      container.removeEventListener('message', onMessage);
      resolve();
    };
    const onMessage = (event: MessageEvent): void => {
      if (event.source === worker && isPortTaken(event.data)) done();
    };
    const timer = setTimeout(done, TAKEN_MS);
    container.addEventListener('message', onMessage);
    (worker as ServiceWorker).postMessage({ type: PORT_MESSAGE, port }, [port]);
  });
}

/**
 * Registers the preview's Service Worker, gives it a port to the overlay once it is
 * active, and answers its later requests for one (after the browser restarted it).
 * Resolves when the worker is active and has its first port.
 *
 * @example
 * ```ts
 * const fs = await createOverlayWorker({ lowers, upper });
 * await registerPreview({ script: '/preview-sw.js', scope: '/preview/', connect: () => fs.port() });
 * iframe.src = '/preview/';
 * ```
 */
export async function registerPreview(options: RegisterPreviewOptions): Promise<PreviewRegistration> {
  const { script, scope, connect, type = 'module' } = options;
  const container = navigator.serviceWorker;
  if (container === undefined)
    throw Object.assign(
      new Error('@vellum/preview: Service Workers are not available here (a secure context is required)'),
      {
        code: 'ENOTSUP',
      },
    );
  const onMessage = (event: MessageEvent): void => {
    if (isNeedPort(event.data)) void sendPort(container, event.source, connect);
  };
  container.addEventListener('message', onMessage);
  // Messages from a Service Worker to a page it does not control are held until this is called.
  container.startMessages();
  const registration = await container.register(script, { scope, type });
  const worker = await activated(registration);
  await sendPort(container, worker, connect);
  return {
    registration,
    async unregister() {
      container.removeEventListener('message', onMessage);
      await registration.unregister();
    },
  };
}
