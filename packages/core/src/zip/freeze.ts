/**
 * Freeze: an overlay's merged changes as a new read-only layer. The layer is `changesZip`'s zip
 * (one mechanism: the same entries `vellum export` and the IDE's export write, OCI `.wh.`
 * whiteouts and opaque marks where the lowers must be hidden), opened as a `ZipLayer`, so that
 * stacked over the same lowers under an empty upper it shows the overlay's merged tree: the next
 * lesson's template made from this lesson's solution.
 */
import type { ZipLowerDescriptor } from '../descriptors.js';
import { FsError } from '../errors.js';
import type { Overlay } from '../overlay.js';
import { changesZip } from './changes-zip.js';
import type { ZipWriteOptions } from './writer.js';
import { ZipLayer } from './zip-layer.js';

/** How {@link freeze} writes the layer. */
export interface FreezeOptions {
  /** The new layer's id (default: `zip:` + SHA-256 of the central directory, as `ZipLayer.open`'s). */
  id?: string;
  /** Deflate level 0–9 (default 6). */
  level?: ZipWriteOptions['level'];
}

/** A frozen overlay: the zip, the layer it opens as, and the descriptor that reopens it. */
export interface FrozenLayer {
  /** The zip's bytes (store or serve them to stack the layer later). */
  data: Uint8Array;
  /** The zip opened as a lower, ready to stack on top of the overlay's lowers. */
  layer: ZipLayer;
  /** `{ type: 'zip', data, whiteouts: 'oci' }`: the same layer as core's descriptors name it. */
  descriptor: ZipLowerDescriptor & {
    /** The zip's bytes: the same array as {@link FrozenLayer.data}. */
    data: Uint8Array;
  };
  /** How many changes it carries (rows of `changes()`). */
  changes: number;
}

/**
 * Writes `ov`'s merged changes as a zip layer and opens it. Stack `layer` (or `descriptor`) on
 * top of the overlay's own lowers to get its merged tree again as a read-only base. Paths,
 * kinds, contents, modes (permission bits) and symlink targets are kept; mtimes to the whole
 * second; owners and hard links are not (a zip has neither: each name becomes its own file).
 * Reads through the overlay's API, so writes made while it runs may or may not be in it: await
 * them first.
 *
 * @example
 * ```ts
 * const { layer, descriptor } = await freeze(ov); // = ov.freeze(); ov: a lesson over `base`
 * const next = await Overlay.create({ lowers: [layer, base], upper: new MemoryUpper() });
 * await ov.remount({ lowers: [descriptor, base] }); // the descriptor goes where layers are named
 * ```
 */
export async function freeze(ov: Overlay, options: FreezeOptions = {}): Promise<FrozenLayer> {
  if (typeof options !== 'object' || options === null) throw badOption('the options must be an object');
  const { id, level } = options;
  if (id !== undefined && (typeof id !== 'string' || id === ''))
    throw badOption('id must be a non-empty string');
  if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9))
    throw badOption('level must be an integer 0 to 9');
  const changes = (await ov.changes()).length;
  const data = await changesZip(ov, level === undefined ? {} : { level });
  const layer = await ZipLayer.open(data, { whiteouts: 'oci', ...(id !== undefined && { id }) });
  const descriptor = { type: 'zip', data, whiteouts: 'oci', ...(id !== undefined && { id }) } as const;
  return { data, layer, descriptor, changes };
}

/** EINVAL for `freeze`, the reason as its cause (as the engine's other option checks). */
function badOption(why: string): FsError {
  return new FsError('EINVAL', 'freeze', undefined, undefined, { cause: new TypeError(`freeze: ${why}`) });
}
