/**
 * The `dir` layer kind for core's descriptors: `{ type: 'dir', path }` opens a {@link DirLayer}
 * through `openLower` once {@link registerNodeLayerTypes} has run.
 *
 * Core's registry loads its own kinds by a dynamic `import()` of a module inside core; this
 * kind lives in a Node-only package that core does not depend on (core also runs in browsers),
 * so it is added through core's extension points instead: declaration merging for the type,
 * `registerLayerType` for the opener.
 */
import { registerLayerType } from '@vellum/core';
import { DirLayer, type DirLayerOptions } from './dir-layer.js';

/**
 * A directory on disk as a lower ({@link DirLayer}), with its options beside `path`.
 *
 * @example
 * ```ts
 * const base: DirLowerDescriptor = { type: 'dir', path: '/srv/image/layer1', whiteouts: 'oci' };
 * ```
 */
export interface DirLowerDescriptor extends DirLayerOptions {
  /** Names the kind. */
  type: 'dir';
  /** The directory. */
  path: string;
}

declare module '@vellum/core' {
  interface LowerDescriptors {
    /** A directory on disk (`@vellum/node`). */
    dir: DirLowerDescriptor;
  }
}

/**
 * Teaches core's `openLower` (and what calls it: `Overlay.create` with descriptors, the CLI)
 * the `dir` kind. Calling it again changes nothing.
 *
 * @example
 * ```ts
 * import { openLower } from '@vellum/core';
 * import { registerNodeLayerTypes } from '@vellum/node';
 *
 * registerNodeLayerTypes();
 * const repo = await openLower({ type: 'dir', path: '/srv/repo' });
 * ```
 */
export function registerNodeLayerTypes(): void {
  registerLayerType('lower', 'dir', ({ type: _type, path, ...options }) => DirLayer.open(path, options));
}
