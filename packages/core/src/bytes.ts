/**
 * Text and byte conversions matching Node's: under Node results are `Buffer`s
 * (as `fs.promises` returns), elsewhere plain `Uint8Array`s.
 */

export type Encoding =
  | 'utf8'
  | 'utf-8'
  | 'ascii'
  | 'latin1'
  | 'binary'
  | 'base64'
  | 'base64url'
  | 'hex'
  | 'ucs2'
  | 'utf16le';

interface BufferLike extends Uint8Array {
  toString(encoding?: string): string;
}
interface BufferStatic {
  from(data: string, encoding?: string): BufferLike;
  from(data: ArrayBufferLike, byteOffset?: number, length?: number): BufferLike;
}

const NodeBuffer = (globalThis as { Buffer?: BufferStatic }).Buffer;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Wraps bytes as a Buffer where Node's Buffer exists (no copy). */
export function asResult(bytes: Uint8Array): Uint8Array {
  return NodeBuffer ? NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

export function encode(text: string, encoding: string | null | undefined = 'utf8'): Uint8Array {
  if (NodeBuffer) return NodeBuffer.from(text, encoding ?? 'utf8');
  switch (encoding ?? 'utf8') {
    case 'utf8':
    case 'utf-8':
      return encoder.encode(text);
    case 'hex': {
      const out = new Uint8Array(text.length >> 1);
      for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
      return out;
    }
    case 'latin1':
    case 'binary':
    case 'ascii':
      return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
    case 'base64':
      return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    default:
      throw new TypeError(`Unknown encoding: ${encoding}`);
  }
}

export function decode(bytes: Uint8Array, encoding: string): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding);
  switch (encoding) {
    case 'utf8':
    case 'utf-8':
      return decoder.decode(bytes);
    case 'hex':
      return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    case 'latin1':
    case 'binary':
    case 'ascii':
      return String.fromCharCode(...bytes);
    case 'base64':
      return btoa(String.fromCharCode(...bytes));
    default:
      throw new TypeError(`Unknown encoding: ${encoding}`);
  }
}

/**
 * What `writeFile` and `appendFile` accept as data, as `node:fs/promises` does: text, bytes, or an
 * (async) iterable of either.
 *
 * @example
 * ```ts
 * const data: WriteData = ['line 1\n', new TextEncoder().encode('line 2\n')]; // written in order
 * ```
 */
export type WriteData =
  | string
  | ArrayBufferView
  | Iterable<string | ArrayBufferView>
  | AsyncIterable<string | ArrayBufferView>;

export async function collect(data: WriteData, encoding: string | null | undefined): Promise<Uint8Array> {
  if (typeof data === 'string') return encode(data, encoding);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const parts: Uint8Array[] = [];
  for await (const part of data as AsyncIterable<string | ArrayBufferView>) {
    parts.push(
      typeof part === 'string'
        ? encode(part, encoding)
        : new Uint8Array(part.buffer, part.byteOffset, part.byteLength),
    );
  }
  return concat(parts);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
