/**
 * What `createOverlayWorker` sends to its worker: the layer descriptors of
 * `@vellum/core` (layers hold functions and caches, which cannot cross a
 * `postMessage`; their descriptors can) and the engine options that are data.
 */
import { type LowerDescriptor, treeToEntries, type UpperDescriptor } from '@vellum/core';

/** The engine options that are plain data (see `OverlayOptions` of `@vellum/core`). */
export interface EngineOptions {
  /** Bytes per copy-on-write chunk (default 64 KiB). */
  chunkSize?: number;
  /** Applied to the mode of every new file and directory (default 0o022). */
  umask?: number;
  /** Owner of new objects (default 0). */
  uid?: number;
  /** Group of new objects (default 0). */
  gid?: number;
  /**
   * What to do when the upper was built on lowers with other identities:
   * `'refuse'` (default) fails with EINVAL; `'open'` opens anyway (see `baseChanges`).
   */
  onLowerChange?: 'refuse' | 'open';
}

/**
 * The init message: core descriptors as they cross. Tree literals are flattened to
 * `entries` on the sending side, because `postMessage` drops the symbol that marks
 * `file()`/`dir()` helper results, and URLs are made absolute against the page.
 */
export interface WireInit extends EngineOptions {
  lowers: LowerDescriptor[];
  upper: UpperDescriptor;
}

/**
 * A relative URL means the page's: the worker would resolve it against its own
 * script's URL (inside the bundle's assets), so it is made absolute here.
 */
function absolute(url: string | URL): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  return base === undefined ? String(url) : new URL(url, base).href;
}

/** Lower descriptors as they cross (at init, remount and rebase): tree literals flattened, URLs absolute. */
export function wireLowers(lowers: readonly LowerDescriptor[]): LowerDescriptor[] {
  return lowers.map((d): LowerDescriptor => {
    switch (d.type) {
      case 'memory': {
        const { tree, ...rest } = d;
        return tree === undefined ? { ...rest } : { ...rest, entries: treeToEntries(tree) };
      }
      case 'zip':
        return d.url === undefined ? { ...d } : { ...d, url: absolute(d.url) };
      case 'http':
        return { ...d, url: absolute(d.url) };
      default:
        // A kind this client does not know: the worker names it in its error.
        return { ...(d as LowerDescriptor) };
    }
  });
}
