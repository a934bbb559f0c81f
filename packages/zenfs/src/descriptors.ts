/**
 * A mount configuration's layers: layer objects, or the layer descriptors of
 * `@vellum/core` (`{ type: 'zip', url }`, `{ type: 'idb', name }`, …), so a ZenFS
 * configuration can be written as data. Descriptors are opened by `openLower` /
 * `openUpper` of `@vellum/core`; a new kind is taught with its `registerLayerType`.
 */
import {
  isLayerDescriptor,
  type LowerDescriptor,
  type LowerLayer,
  openLower,
  openUpper,
  type UpperDescriptor,
  type UpperLayer,
} from '@vellum/core';

/** A lower: a layer object, or a descriptor opened when the backend is created. */
export type LowerSpec = LowerLayer | LowerDescriptor;
/** The upper: a layer object, or a descriptor opened when the backend is created. */
export type UpperSpec = UpperLayer | UpperDescriptor;

export function resolveLower(spec: LowerSpec): Promise<LowerLayer> {
  return isLayerDescriptor(spec) ? openLower(spec as LowerDescriptor) : Promise.resolve(spec as LowerLayer);
}

export function resolveUpper(spec: UpperSpec): Promise<UpperLayer> {
  return isLayerDescriptor(spec) ? openUpper(spec as UpperDescriptor) : Promise.resolve(spec as UpperLayer);
}
