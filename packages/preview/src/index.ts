/**
 * `@vellum/preview` — a Vellum overlay served over HTTP inside the browser: a Service
 * Worker (`@vellum/preview/service-worker`) answers as a static server from the overlay,
 * compiles TypeScript and JSX on the fly and resolves bare imports from the workspace's
 * own `node_modules`. This entry is the page's side (registration, ports) and the
 * responder itself, which runs anywhere `Request`/`Response` exist.
 *
 * @module
 */
export type { ModuleFailure } from './error-module.js';
export type { PreviewDirent, PreviewFileHandle, PreviewFs, PreviewStats } from './preview-fs.js';
export { hostPreview, type PreviewHost, type PreviewHostOptions } from './preview-host.js';
export {
  linkPreview,
  type PreviewLink,
  type PreviewLinkOptions,
  type PreviewSource,
  type PreviewWindow,
} from './preview-link.js';
export {
  CHANGED_MESSAGE,
  type ChangedMessage,
  NEED_PORT,
  PORT_MESSAGE,
  type PortMessage,
} from './protocol.js';
export { type PreviewRegistration, type RegisterPreviewOptions, registerPreview } from './register.js';
export { createPreviewResponder, type PreviewResponder, type PreviewResponderOptions } from './respond.js';
export type { JsxOptions } from './transpile.js';
