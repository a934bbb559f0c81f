/**
 * `@vellum/core/internal`: helpers shared by Vellum's own packages (the worker's
 * client parses `FileHandle.read`/`write` arguments exactly as the engine does).
 * Not part of the public API: no semver promise, and an app has no reason to call them.
 *
 * @internal
 */
export { readArgs, writtenBytes } from './file-handle.js';
export { EntryType } from './stats.js';
