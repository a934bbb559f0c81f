/** A file's bytes as a stream of chunks read from the overlay on demand, never the whole file at once. */
import type { PreviewFs } from './preview-fs.js';

/** Bytes read per pull: big enough that a worker round trip per chunk is cheap, small enough to stream. */
export const CHUNK = 256 * 1024;

/**
 * Streams bytes `start..end` (inclusive) of the file at `path`. The handle opens on the
 * first pull and closes at the end, on an error, or when the reader cancels.
 *
 * @example
 * ```ts
 * new Response(fileStream(fs, '/big.bin', 0, size - 1));
 * ```
 */
export function fileStream(
  fs: PreviewFs,
  path: string,
  start: number,
  end: number,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let position = start;
  let handle: Awaited<ReturnType<PreviewFs['open']>> | undefined;
  const close = async (): Promise<void> => {
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  return new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      async pull(controller) {
        try {
          handle ??= await fs.open(path, 'r');
          const want = Math.min(CHUNK, end + 1 - position);
          if (want <= 0) {
            await close();
            controller.close();
            return;
          }
          const buffer = new Uint8Array(want);
          const { bytesRead } = await handle.read(buffer, 0, want, position);
          if (bytesRead === 0) {
            // The file shrank under the response: end it where the bytes end.
            await close();
            controller.close();
            return;
          }
          position += bytesRead;
          controller.enqueue(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
        } catch (error) {
          await close().catch(() => {});
          controller.error(error);
        }
      },
      async cancel() {
        await close();
      },
    },
    { highWaterMark: 1 },
  );
}

/** Reads a whole (small) file: what a transform needs. */
export async function readWhole(fs: PreviewFs, path: string, size: number): Promise<Uint8Array<ArrayBuffer>> {
  const handle = await fs.open(path, 'r');
  try {
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(out, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? out : out.subarray(0, at);
  } finally {
    await handle.close();
  }
}
