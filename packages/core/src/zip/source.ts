/**
 * Random access to a zip's bytes, whatever holds them: memory, a Blob/File, or a URL (see
 * range-reader.ts). The zip code above reads through this and never knows which.
 */

/** The bytes of an archive, readable at any offset. */
export interface ByteSource {
  readonly size: number;
  /** `length` bytes at `offset` (fewer only past the end). May be a view: callers copy before handing out. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * True when a partial read costs only what it reads (a URL with Range, a Blob); false when the
   * bytes are all in memory anyway. Decides whether big stored entries are read by range.
   */
  readonly lazy: boolean;
  /** The same bytes at once, when they are in memory (no I/O); `undefined` otherwise. */
  readSync?(offset: number, length: number): Uint8Array | undefined;
}

/** An archive in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  const readSync = (offset: number, length: number): Uint8Array => bytes.subarray(offset, offset + length);
  return { size: bytes.length, lazy: false, readSync, read: async (o, n) => readSync(o, n) };
}

/** An archive in a Blob or File: each read slices it, so a large file is never loaded whole. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    lazy: true,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}
