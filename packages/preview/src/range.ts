/** The `Range` request header, as a static server answers it (one byte range; RFC 9110 §14). */

/** What a `Range` header asks of a file of a given size. */
export type RangeRequest =
  | {
      /** No usable range: the whole file, 200 (also for multiple ranges, which a server may ignore). */
      kind: 'whole';
    }
  | {
      /** One satisfiable range: 206 with `Content-Range`. */
      kind: 'range';
      /** First byte, inclusive. */
      start: number;
      /** Last byte, inclusive. */
      end: number;
    }
  | {
      /** A valid range that starts past the end: 416 with `Content-Range: bytes *\/size`. */
      kind: 'unsatisfiable';
    };

const ONE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header against a file of `size` bytes.
 *
 * @example
 * ```ts
 * parseRange('bytes=0-99', 1000); // { kind: 'range', start: 0, end: 99 }
 * parseRange('bytes=-10', 1000); // { kind: 'range', start: 990, end: 999 }
 * parseRange('bytes=2000-', 1000); // { kind: 'unsatisfiable' }
 * ```
 */
export function parseRange(header: string | null, size: number): RangeRequest {
  if (header === null) return { kind: 'whole' };
  const match = ONE_RANGE.exec(header.trim());
  if (match === null) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    return size === 0
      ? { kind: 'unsatisfiable' }
      : { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end };
}
