/**
 * Raw deflate (zip method 8) decompression with a hard output cap: `DecompressionStream('deflate-raw')`
 * where the runtime has it (native, off the JS heap's hot path), fflate otherwise. The cap is the
 * entry's declared size, so a zip bomb that lies about its size stops at the lie instead of
 * filling the tab's memory.
 */
import { Inflate } from 'fflate';

/** Why an inflate failed; the caller turns it into an EIO naming the entry. */
export class InflateError extends Error {
  override readonly name = 'InflateError';
}

let native: boolean | undefined;

/** Whether `DecompressionStream('deflate-raw')` exists here (checked once). */
export function hasNativeInflate(): boolean {
  if (native === undefined) {
    try {
      new DecompressionStream('deflate-raw');
      native = true;
    } catch {
      native = false;
    }
  }
  return native;
}

/**
 * Inflates `data` to exactly `size` bytes.
 *
 * @param engine `'auto'` picks the native stream when there is one; tests force either side.
 * @example
 * ```ts
 * const bytes = await inflateRaw(compressed, entry.size);
 * ```
 */
export async function inflateRaw(
  data: Uint8Array,
  size: number,
  engine: 'auto' | 'native' | 'fflate' = 'auto',
): Promise<Uint8Array> {
  const useNative = engine === 'native' || (engine === 'auto' && hasNativeInflate());
  return useNative ? inflateNative(data, size) : inflateFflate(data, size);
}

async function inflateNative(data: Uint8Array, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let at = 0;
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > size) {
        throw new InflateError(`inflates past its declared size of ${size} bytes`);
      }
      out.set(value, at);
      at += value.length;
    }
  } catch (error) {
    if (error instanceof InflateError) throw error;
    throw new InflateError(`corrupt deflate data: ${describe(error)}`, { cause: error });
  } finally {
    // Stops the decompressor at once when the cap was hit (or on a corrupt stream).
    reader.cancel().catch(() => {});
  }
  if (at !== size) throw new InflateError(`inflates to ${at} bytes, not the declared ${size}`);
  return out;
}

function inflateFflate(data: Uint8Array, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let at = 0;
  let failure: InflateError | undefined;
  const inflater = new Inflate((chunk) => {
    if (failure) return;
    if (at + chunk.length > size) {
      failure = new InflateError(`inflates past its declared size of ${size} bytes`);
      return;
    }
    out.set(chunk, at);
    at += chunk.length;
  });
  // Fed in slices so a lying entry is stopped after one slice's worth of output, not the whole stream.
  const SLICE = 16 * 1024;
  try {
    for (let i = 0; i < data.length && !failure; i += SLICE) {
      inflater.push(data.subarray(i, i + SLICE), i + SLICE >= data.length);
    }
    if (data.length === 0) inflater.push(new Uint8Array(0), true);
  } catch (error) {
    return Promise.reject(new InflateError(`corrupt deflate data: ${describe(error)}`, { cause: error }));
  }
  if (failure) return Promise.reject(failure);
  if (at !== size)
    return Promise.reject(new InflateError(`inflates to ${at} bytes, not the declared ${size}`));
  return Promise.resolve(out);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
