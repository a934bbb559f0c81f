/** The messages between a preview's page, its Service Worker and the app that holds the overlay. */

/** Carries a port from `OverlayClient.port()` (`port`) to the Service Worker, or to a preview host from its parent. */
export const PORT_MESSAGE = 'vellum-preview-port';
/** The Service Worker (or a preview host) has no live port and asks for one. */
export const NEED_PORT = 'vellum-preview-need-port';

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

/** Whether `data` asks for a port. */
export function isNeedPort(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === NEED_PORT;
}
