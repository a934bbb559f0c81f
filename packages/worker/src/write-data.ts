/** Client side: what `writeFile` accepts, made ready to cross (bytes copied once, then transferred). */
import type { WriteData } from '@vellum/core';
import { copyForTransfer } from './bytes.js';

export type { WriteData };

/** Data as it crosses: text stays text (the worker encodes it), bytes are a private copy. */
export type WireData = string | Uint8Array | (string | Uint8Array)[];

export interface Prepared {
  data: WireData;
  transfer: ArrayBuffer[];
}

function part(p: string | ArrayBufferView, transfer: ArrayBuffer[]): string | Uint8Array {
  if (typeof p === 'string') return p;
  const copy = copyForTransfer(p);
  transfer.push(copy.buffer);
  return copy;
}

export async function prepareData(data: WriteData): Promise<Prepared> {
  const transfer: ArrayBuffer[] = [];
  if (typeof data === 'string' || ArrayBuffer.isView(data)) return { data: part(data, transfer), transfer };
  // An iterable crosses as a list of parts: the engine's writeFile collects lists itself.
  const parts: (string | Uint8Array)[] = [];
  for await (const p of data as AsyncIterable<string | ArrayBufferView>) parts.push(part(p, transfer));
  return { data: parts, transfer };
}
