/** The local file header that precedes each entry's data (APPNOTE 4.3.7). */

/** Fixed part of a local header; the name and extra field follow. */
export const LOCAL_HEADER = 30;
const SIGNATURE = 0x04034b50;

/**
 * Where the entry's data starts, relative to the header: the local name and extra field may
 * differ in length from the central directory's, so this is only known once the header is read.
 * Returns `undefined` if `bytes` does not start with a local header.
 */
export function dataStart(bytes: Uint8Array): number | undefined {
  if (bytes.length < LOCAL_HEADER) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, LOCAL_HEADER);
  if (view.getUint32(0, true) !== SIGNATURE) return undefined;
  return LOCAL_HEADER + view.getUint16(26, true) + view.getUint16(28, true);
}
