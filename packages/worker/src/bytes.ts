/** Byte handling on both sides of the boundary: who owns a buffer, and what the caller gets. */

/**
 * Worker side: a view whose whole `ArrayBuffer` may be transferred. The engine hands
 * each read its own buffer, which is sent as is; a view into a larger (or shared)
 * buffer is copied first, so a transfer never detaches memory someone else holds.
 */
export function ownedView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) {
    return bytes as Uint8Array<ArrayBuffer>;
  }
  return bytes.slice();
}

/**
 * Client side: a private copy of the caller's bytes, to transfer. The caller keeps its
 * buffer usable (as with Node's fs), and the copy is the only one made: transferring it
 * costs nothing, where a structured clone would copy again (and clone a whole pooled
 * buffer behind a small view).
 */
export function copyForTransfer(view: ArrayBufferView): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(view.byteLength);
  out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return out;
}

interface BufferLike extends Uint8Array {
  toString(encoding?: string): string;
}
interface BufferStatic {
  from(data: ArrayBufferLike, byteOffset?: number, length?: number): BufferLike;
  alloc(size: number): BufferLike;
}
const NodeBuffer = (globalThis as { Buffer?: BufferStatic }).Buffer;

/** Client side: bytes as the engine would return them (a `Buffer` under Node, no copy). */
export function asResult(bytes: Uint8Array): Uint8Array {
  return NodeBuffer ? NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

/** A zeroed buffer of the platform's kind (Node's `FileHandle.read()` default). */
export function allocResult(size: number): Uint8Array {
  return NodeBuffer ? NodeBuffer.alloc(size) : new Uint8Array(size);
}

/** The transfer list of a set of views (each buffer once). */
export function buffersOf(views: Iterable<Uint8Array>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of views) if (v.buffer instanceof ArrayBuffer) out.add(v.buffer);
  return [...out];
}
