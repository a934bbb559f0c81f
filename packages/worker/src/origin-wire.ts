/**
 * `Origin`s as numbers in an `Int32Array`, three per entry, for `walk`: a tree of
 * thousands of entries crosses as one transferred buffer instead of thousands of
 * cloned objects.
 */
import type { Origin } from '@vellum/core';

export const ORIGIN_WIDTH = 3;
const UPPER = -1;
const NONE = -1;
const COPIED_UP = 1;
const METACOPY = 2;

/** Slot i: [layer (−1 = upper), flags (1 copied up, 2 metacopy), lowerLayer (−1 = none)]. */
export function packOrigins(origins: readonly Origin[]): Int32Array<ArrayBuffer> {
  const out = new Int32Array(origins.length * ORIGIN_WIDTH);
  origins.forEach((o, i) => {
    const base = i * ORIGIN_WIDTH;
    out[base] = o.layer === 'upper' ? UPPER : o.layer;
    out[base + 1] = (o.copiedUp ? COPIED_UP : 0) | (o.metacopy ? METACOPY : 0);
    out[base + 2] = o.lowerLayer ?? NONE;
  });
  return out;
}

/** The origin at slot `index`, as `Overlay.origin` returns it. */
export function unpackOrigin(packed: Int32Array, index: number): Origin {
  const base = index * ORIGIN_WIDTH;
  const layer = packed[base] as number;
  const flags = packed[base + 1] as number;
  const lowerLayer = packed[base + 2] as number;
  const origin: Origin = {
    layer: layer === UPPER ? 'upper' : layer,
    copiedUp: (flags & COPIED_UP) !== 0,
    metacopy: (flags & METACOPY) !== 0,
  };
  if (lowerLayer !== NONE) origin.lowerLayer = lowerLayer;
  return origin;
}
