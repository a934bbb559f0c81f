/** The messages between a preview's page, its Service Worker and the app that holds the overlay. */

/** Carries a port from `OverlayClient.port()` (`port`) to the Service Worker, or to a preview host from its parent. */
export const PORT_MESSAGE = 'vellum-preview-port';
/** The Service Worker (or a preview host) has no live port and asks for one. */
export const NEED_PORT = 'vellum-preview-need-port';
/** The Service Worker took a port: requests it handles from now on use it. */
export const PORT_TAKEN = 'vellum-preview-port-taken';

/** A message carrying a port. */
export interface PortMessage {
  /** {@link PORT_MESSAGE}. */
  type: typeof PORT_MESSAGE;
  /** The port, transferred with the message. */
  port: MessagePort;
}

/** Whether `data` is a {@link PortMessage}. */
export function isPortMessage(data: unknown): data is PortMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === PORT_MESSAGE &&
    (data as { port?: unknown }).port instanceof MessagePort
  );
}

/** Whether `data` says a port was taken. */
export function isPortTaken(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === PORT_TAKEN;
}

/** Whether `data` asks for a port. */
export function isNeedPort(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === NEED_PORT;
}

/** Tells a preview host that files changed: it reloads the preview, or swaps its stylesheets when only CSS changed. */
export const CHANGED_MESSAGE = 'vellum-preview-changed';

/** A message naming the changed paths (overlay paths). */
export interface ChangedMessage {
  /** {@link CHANGED_MESSAGE}. */
  type: typeof CHANGED_MESSAGE;
  /** The overlay paths that changed. */
  paths: readonly string[];
}

/** Whether `data` is a {@link ChangedMessage}. */
export function isChangedMessage(data: unknown): data is ChangedMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === CHANGED_MESSAGE &&
    Array.isArray((data as { paths?: unknown }).paths)
  );
}
