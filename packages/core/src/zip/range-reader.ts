/**
 * A zip on a web server, read with HTTP Range requests. Listing costs one suffix request
 * (`bytes=-N`) when the central directory lies in the last N bytes and two otherwise; entry reads
 * issued together are sorted and merged when they are close (one request for several small
 * neighbours); a server that ignores Range is detected on the first answer and the archive is
 * then held in memory, fetched once.
 */
import { type Fetcher, HttpError, type HttpResponse } from '../http/fetcher.js';
import type { ByteSource } from './source.js';

/** How a zip is read over HTTP Range: the first request's size and how reads are merged. */
export interface RangeReaderOptions {
  /** Bytes of the suffix request that lists the zip (default 65,577: an end record with the longest comment and a Zip64 locator). */
  tailSize?: number;
  /** Reads at most this far apart are merged into one request (default 16 KiB). */
  coalesceGap?: number;
  /** A merged request never spans more than this (default 1 MiB). */
  maxCoalesced?: number;
  /** Told once when the server ignores Range and the whole archive had to be downloaded. */
  onNoRange?: (size: number) => void;
}

interface Pending {
  start: number;
  end: number;
  resolve: (bytes: Uint8Array) => void;
  reject: (error: unknown) => void;
}

/**
 * The bytes of a remote zip. Open it with {@link HttpRangeSource.open}; while `listing` is set,
 * reads below the fetched tail fetch everything up to the tail in one request (the central
 * directory is read front to back next).
 */
export class HttpRangeSource implements ByteSource {
  readonly url: string;
  readonly size: number;
  /** The ETag of the first answer; later answers must carry the same. */
  readonly etag: string | null;
  readonly #fetcher: Fetcher;
  readonly #gap: number;
  readonly #maxCoalesced: number;
  readonly #onNoRange: ((size: number) => void) | undefined;
  /** The whole archive, once a server that ignores Range sent it. */
  #whole: Uint8Array | undefined;
  /** What listing fetched (a suffix of the file), until {@link endListing}. */
  #listing: { start: number; bytes: Uint8Array } | undefined;
  #pending: Pending[] = [];
  #flushScheduled = false;

  private constructor(url: string, fetcher: Fetcher, first: HttpResponse, options: RangeReaderOptions) {
    this.url = url;
    this.#fetcher = fetcher;
    this.#gap = options.coalesceGap ?? 16 * 1024;
    this.#maxCoalesced = options.maxCoalesced ?? 1024 * 1024;
    this.#onNoRange = options.onNoRange;
    this.etag = first.etag;
    if (first.range) {
      this.size = first.range.size;
      this.#listing = { start: first.range.start, bytes: first.body };
    } else {
      this.size = first.body.length;
      this.#noRange(first.body);
    }
  }

  /** Sends the suffix request; its answer gives the size, the ETag and the tail of the file. */
  static async open(
    url: string,
    fetcher: Fetcher,
    options: RangeReaderOptions = {},
  ): Promise<HttpRangeSource> {
    const tail = options.tailSize ?? 22 + 0xffff + 20;
    let first = await fetcher.get({ url, range: { suffix: tail } });
    if (first.range && first.range.end !== first.range.size) {
      // Some servers (sirv, hence Vite's dev server) answer a suffix range with the file's first
      // bytes. The size is known now: ask for the tail by its offsets.
      const { size } = first.range;
      first = await fetcher.get({ url, range: { start: Math.max(0, size - tail), end: size } });
    }
    return new HttpRangeSource(url, fetcher, first, options);
  }

  get lazy(): boolean {
    return this.#whole === undefined;
  }

  /** Drops what listing kept: the directory has been parsed. */
  endListing(): void {
    this.#listing = undefined;
  }

  readSync(offset: number, length: number): Uint8Array | undefined {
    const end = Math.min(this.size, offset + length);
    if (this.#whole) return this.#whole.subarray(offset, end);
    const l = this.#listing;
    if (l && offset >= l.start) return l.bytes.subarray(offset - l.start, end - l.start);
    return undefined;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const held = this.readSync(offset, length);
    if (held) return held;
    const l = this.#listing;
    if (l && offset < l.start) {
      // The central directory starts before the tail: fetch all of it in one request.
      const bytes = await this.#fetchRange(offset, l.start);
      if (this.#whole) return this.#whole.subarray(offset, end);
      const merged = new Uint8Array(bytes.length + l.bytes.length);
      merged.set(bytes);
      merged.set(l.bytes, bytes.length);
      this.#listing = { start: offset, bytes: merged };
      return merged.subarray(0, end - offset);
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ start: offset, end, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // One macrotask of patience gathers reads that callers issue together (Promise.all of
        // readFile, symlink targets at listing) so neighbours can share a request.
        setTimeout(() => this.#flush(), 0);
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#pending.sort((a, b) => a.start - b.start);
    this.#pending = [];
    let group: Pending[] = [];
    let gStart = 0;
    let gEnd = 0;
    const send = (): void => {
      if (group.length > 0) this.#serve(group, gStart, gEnd);
    };
    for (const p of batch) {
      if (
        group.length > 0 &&
        p.start <= gEnd + this.#gap &&
        Math.max(gEnd, p.end) - gStart <= this.#maxCoalesced
      ) {
        group.push(p);
        gEnd = Math.max(gEnd, p.end);
        continue;
      }
      send();
      group = [p];
      gStart = p.start;
      gEnd = p.end;
    }
    send();
  }

  #serve(group: Pending[], start: number, end: number): void {
    this.#fetchRange(start, end).then(
      (bytes) => {
        for (const p of group) {
          p.resolve(
            this.#whole
              ? this.#whole.subarray(p.start, p.end)
              : bytes.subarray(p.start - start, p.end - start),
          );
        }
      },
      (error: unknown) => {
        for (const p of group) p.reject(error);
      },
    );
  }

  async #fetchRange(start: number, end: number): Promise<Uint8Array> {
    const strong = this.etag !== null && !this.etag.startsWith('W/') ? this.etag : undefined;
    const res = await this.#fetcher.get({ url: this.url, range: { start, end }, ifMatch: strong });
    if (res.etag !== null && this.etag !== null && res.etag !== this.etag) {
      throw new HttpError(
        'changed',
        this.url,
        `the archive changed on the server (ETag ${this.etag} → ${res.etag})`,
      );
    }
    if (!res.range) {
      if (res.body.length !== this.size) {
        throw new HttpError(
          'changed',
          this.url,
          `the archive changed on the server (${this.size} → ${res.body.length} bytes)`,
        );
      }
      this.#noRange(res.body);
      return res.body.subarray(start, end);
    }
    if (res.range.size !== this.size) {
      throw new HttpError(
        'changed',
        this.url,
        `the archive changed on the server (${this.size} → ${res.range.size} bytes)`,
      );
    }
    if (res.range.start !== start || res.range.end !== end) {
      throw new HttpError(
        'protocol',
        this.url,
        `asked for bytes ${start}-${end - 1}, got ${res.range.start}-${res.range.end - 1}`,
      );
    }
    return res.body;
  }

  #noRange(body: Uint8Array): void {
    if (this.#whole) return;
    this.#whole = body;
    this.#listing = undefined;
    this.#onNoRange?.(body.length);
  }
}
