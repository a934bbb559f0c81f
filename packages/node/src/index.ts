/**
 * `@vellum/node`: Vellum over real directories, for Node on Linux. `DirLayer` reads a directory
 * (a checkout, an overlayfs upperdir, an unpacked OCI layer) as a lower.
 *
 * @packageDocumentation
 */
export { type DirLowerDescriptor, registerNodeLayerTypes } from './descriptors.js';
export { DirLayer, type DirLayerOptions, type DirLayerWarning } from './dir-layer.js';
export { DirUpper, type DirUpperOptions } from './dir-upper.js';
export { readOverlayXattrs, setXattr, type XattrMap, type XattrNamespace } from './xattr.js';
