/**
 * A zip archive as a lower layer, read lazily: from memory, a Blob/File, or a URL with HTTP
 * Range requests. Listing reads only the central directory; each entry is fetched, inflated and
 * CRC-checked on first read and kept in a byte-bounded cache.
 */
import { FsError } from '../errors.js';
import { eio, layerError } from '../http/errors.js';
import { Fetcher, type NetworkOptions } from '../http/fetcher.js';
import { ByteLru } from '../http/lru.js';
import type { TransferStats } from '../http/progress.js';
import type { LayerWarning } from '../http/warning.js';
import type { EntryMeta, LowerEntry, LowerLayer } from '../layer.js';
import { readCentralDirectory, type ZipRecord } from './central-directory.js';
import { crc32 } from './crc32.js';
import { InflateError, inflateRaw } from './inflate.js';
import { dataStart, LOCAL_HEADER } from './local-header.js';
import { HttpRangeSource, type RangeReaderOptions } from './range-reader.js';
import { type ByteSource, blobSource, bytesSource } from './source.js';

/** Where a zip's bytes come from. A string or URL is fetched with Range requests. */
export type ZipInput = string | URL | ArrayBuffer | Uint8Array | Blob;

export interface ZipLayerOptions extends NetworkOptions, RangeReaderOptions {
  /** The layer's identity (default: `zip:` + SHA-256 of the central directory). */
  id?: string;
  /** `'oci'`: `.wh.<name>` entries are whiteouts and `.wh..wh..opq` makes its directory opaque. */
  whiteouts?: 'none' | 'oci';
  /** Entries larger than this (uncompressed) are left out with a warning (default 512 MiB). */
  maxEntrySize?: number;
  /** Entries over 1 MiB that inflate more than this many times their size are left out (default 1000). */
  maxCompressionRatio?: number;
  /** Bytes of inflated entries kept in memory (default 32 MiB). */
  cacheBytes?: number;
  /** Bytes read past the stored name to cover the local extra field in the same request (default 256). */
  overRead?: number;
  /** Stored entries larger than this are read by range instead of whole, where the source is lazy (default 1 MiB). */
  rangedAbove?: number;
  /** Which inflater to use (default: the runtime's DecompressionStream, fflate without one). */
  inflate?: 'auto' | 'native' | 'fflate';
  uid?: number;
  gid?: number;
  /** Told about every entry left out and about a server without Range support. */
  onWarning?: (warning: LayerWarning) => void;
}

/** A symlink's target is its entry's data; longer ones are refused like Linux's PATH_MAX. */
const MAX_TARGET = 4095;

/**
 * A read-only layer over a zip archive.
 *
 * @example
 * ```ts
 * import { Overlay, MemoryUpper } from '@vellum/core';
 * import { ZipLayer } from '@vellum/core/zip';
 *
 * const base = await ZipLayer.open('https://cdn.example/base.zip', { onWarning: console.warn });
 * const ov = await Overlay.create({ lowers: [base], upper: new MemoryUpper() });
 * await ov.readFile('/src/main.ts', 'utf8'); // one Range request for this entry
 * console.log(base.stats); // { requests: 2, bytes: … }
 * ```
 */
export class ZipLayer implements LowerLayer {
  readonly id: string;
  /** Every warning so far (entries left out, a server without Range support). */
  readonly warnings: LayerWarning[];
  readonly #name: string;
  readonly #source: ByteSource;
  readonly #fetcher: Fetcher | undefined;
  readonly #records: readonly ZipRecord[];
  readonly #directoryOffset: number;
  readonly #entries: LowerEntry[];
  readonly #cache: ByteLru<number>;
  /** Data offsets learned from local headers, by entry. */
  readonly #dataAt = new Map<number, number>();
  readonly #overRead: number;
  readonly #rangedAbove: number;
  readonly #inflate: 'auto' | 'native' | 'fflate';

  private constructor(init: {
    id: string;
    name: string;
    source: ByteSource;
    fetcher: Fetcher | undefined;
    records: ZipRecord[];
    directoryOffset: number;
    warnings: LayerWarning[];
    options: ZipLayerOptions;
  }) {
    const o = init.options;
    this.id = init.id;
    this.#name = init.name;
    this.#source = init.source;
    this.#fetcher = init.fetcher;
    this.#records = init.records;
    this.#directoryOffset = init.directoryOffset;
    this.warnings = init.warnings;
    this.#cache = new ByteLru(o.cacheBytes ?? 32 * 1024 * 1024);
    this.#overRead = o.overRead ?? 256;
    this.#rangedAbove = o.rangedAbove ?? 1024 * 1024;
    this.#inflate = o.inflate ?? 'auto';
    this.#entries = [];
  }

  /**
   * Opens a zip: reads its central directory (one or two requests over HTTP) and the targets
   * of its symlinks. Fails with EIO (a damaged or non-zip file, an HTTP failure as `cause`),
   * ENOENT (a URL that answers 404) or ETIMEDOUT.
   */
  static async open(input: ZipInput, options: ZipLayerOptions = {}): Promise<ZipLayer> {
    const warnings: LayerWarning[] = [];
    const warn = (w: LayerWarning): void => {
      warnings.push(w);
      options.onWarning?.(w);
    };
    let source: ByteSource;
    let fetcher: Fetcher | undefined;
    let name: string;
    if (typeof input === 'string' || input instanceof URL) {
      name = String(input);
      fetcher = new Fetcher(name, options);
      try {
        source = await HttpRangeSource.open(name, fetcher, {
          ...options,
          onNoRange: (size) => {
            warn({
              kind: 'no-range',
              message: `${name} ignores Range requests: the whole archive (${size} bytes) was downloaded once`,
            });
            options.onNoRange?.(size);
          },
        });
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        if (status === 404 || status === 410)
          throw new FsError('ENOENT', 'open', name, undefined, { cause: error });
        throw layerError(error, 'open', name, options.signal);
      }
    } else if (input instanceof Blob) {
      name = input instanceof File ? input.name : 'blob.zip';
      source = blobSource(input);
    } else {
      name = 'memory.zip';
      source = bytesSource(input instanceof Uint8Array ? input : new Uint8Array(input));
    }
    let directory: Awaited<ReturnType<typeof readCentralDirectory>>;
    try {
      directory = await readCentralDirectory(source, name, {
        maxEntrySize: options.maxEntrySize ?? 512 * 1024 * 1024,
        maxCompressionRatio: options.maxCompressionRatio ?? 1000,
      });
    } catch (error) {
      throw layerError(error, 'open', name, options.signal);
    } finally {
      if (source instanceof HttpRangeSource) source.endListing();
    }
    for (const r of directory.rejected) {
      warn({
        kind: 'rejected-entry',
        name: r.name,
        code: r.code,
        message: `${name}: '${r.name}' left out: ${r.message}`,
      });
    }
    const layer = new ZipLayer({
      id: options.id ?? `zip:${directory.digest.slice(0, 32)}`,
      name,
      source,
      fetcher,
      records: directory.records,
      directoryOffset: directory.directoryOffset,
      warnings,
      options,
    });
    await layer.#list(options, warn);
    return layer;
  }

  /** Requests made and bytes received so far (zero for an archive in memory or a Blob). */
  get stats(): TransferStats {
    return this.#fetcher?.counter.snapshot() ?? { requests: 0, bytes: 0 };
  }

  /** Whether the archive is read by range (false once a server without Range support sent it whole). */
  get lazy(): boolean {
    return this.#source.lazy;
  }

  entries(): Iterable<LowerEntry> {
    return this.#entries;
  }

  async read(ref: unknown, offset: number, length: number): Promise<Uint8Array> {
    const i = this.#index(ref);
    const r = this.#records[i] as ZipRecord;
    const end = Math.min(r.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const cached = this.#cache.get(i);
    if (cached) return cached.slice(offset, end);
    if (r.method === 0 && this.#source.lazy && r.size > this.#rangedAbove && !r.encrypted) {
      // A large stored entry: serve the range itself. No CRC here; a whole-entry read checks it.
      if (offset > 0 || end < r.size) return this.#readRange(i, offset, end);
    }
    return (await this.#whole(i)).slice(offset, end);
  }

  /** The bytes at once when they are in memory (cached, or the archive itself is); `undefined` when they need I/O. */
  readSync(ref: unknown, offset: number, length: number): Uint8Array | undefined {
    const i = this.#index(ref);
    const r = this.#records[i] as ZipRecord;
    const end = Math.min(r.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const cached = this.#cache.get(i);
    if (cached) return cached.slice(offset, end);
    const at = this.#dataAt.get(i);
    if (r.method === 0 && at !== undefined && (offset > 0 || end < r.size)) {
      return this.#source.readSync?.(at + offset, end - offset)?.slice();
    }
    return undefined;
  }

  #index(ref: unknown): number {
    if (typeof ref !== 'number' || this.#records[ref] === undefined) {
      throw new Error(`ZipLayer: unknown entry reference ${String(ref)}`);
    }
    return ref;
  }

  /** The whole entry, inflated and checked; concurrent readers share one fetch, failures are not kept. */
  #whole(i: number): Promise<Uint8Array> {
    return this.#cache.load(i, () => this.#load(i));
  }

  async #load(i: number): Promise<Uint8Array> {
    const r = this.#records[i] as ZipRecord;
    const path = `/${r.path}`;
    if (r.encrypted)
      throw eio('read', path, `${this.#name}: '${r.path}' is encrypted, which is not supported`);
    if (r.method !== 0 && r.method !== 8) {
      throw eio(
        'read',
        path,
        `${this.#name}: '${r.path}' uses compression method ${r.method}; only stored (0) and deflate (8) are supported`,
      );
    }
    const compressed = await this.#compressed(i);
    let data: Uint8Array;
    if (r.method === 0) {
      if (r.compressedSize !== r.size) {
        throw eio(
          'read',
          path,
          `${this.#name}: stored entry '${r.path}' has ${r.compressedSize} bytes, its size says ${r.size}`,
        );
      }
      data = compressed.slice();
    } else {
      try {
        data = await inflateRaw(compressed, r.size, this.#inflate);
      } catch (error) {
        if (error instanceof InflateError)
          throw eio('read', path, `${this.#name}: '${r.path}' ${error.message}`, error);
        throw error;
      }
    }
    const crc = crc32(data);
    if (crc !== r.crc32) {
      throw eio(
        'read',
        path,
        `${this.#name}: CRC-32 mismatch in '${r.path}' (${hex(crc)}, the directory says ${hex(r.crc32)})`,
      );
    }
    return data;
  }

  /**
   * The entry's compressed bytes: one read of the local header, the name and extra field (with
   * a bounded over-read, as their length is only known once read) and the data together.
   */
  async #compressed(i: number): Promise<Uint8Array> {
    const r = this.#records[i] as ZipRecord;
    const path = `/${r.path}`;
    const limit = this.#directoryOffset - r.offset;
    const known = this.#dataAt.get(i);
    const want = Math.min(
      limit,
      known !== undefined
        ? known - r.offset + r.compressedSize
        : LOCAL_HEADER + r.rawNameLength + this.#overRead + r.compressedSize,
    );
    let bytes = await this.#sourceRead(path, r.offset, want);
    const start = dataStart(bytes);
    if (start === undefined)
      throw eio('read', path, `${this.#name}: no local header for '${r.path}' at offset ${r.offset}`);
    this.#dataAt.set(i, r.offset + start);
    const need = start + r.compressedSize;
    if (need > limit)
      throw eio('read', path, `${this.#name}: the data of '${r.path}' runs into the central directory`);
    if (bytes.length < need) {
      // The local extra field was longer than the over-read: fetch the rest.
      const rest = await this.#sourceRead(path, r.offset + bytes.length, need - bytes.length);
      const all = new Uint8Array(need);
      all.set(bytes);
      all.set(rest, bytes.length);
      bytes = all;
    }
    if (bytes.length < need) throw eio('read', path, `${this.#name}: '${r.path}' is cut short`);
    return bytes.subarray(start, need);
  }

  async #readRange(i: number, offset: number, end: number): Promise<Uint8Array> {
    const r = this.#records[i] as ZipRecord;
    const path = `/${r.path}`;
    let at = this.#dataAt.get(i);
    if (at === undefined) {
      const head = await this.#sourceRead(path, r.offset, LOCAL_HEADER + r.rawNameLength + this.#overRead);
      const start = dataStart(head);
      if (start === undefined)
        throw eio('read', path, `${this.#name}: no local header for '${r.path}' at offset ${r.offset}`);
      at = r.offset + start;
      this.#dataAt.set(i, at);
    }
    if (at + r.size > this.#directoryOffset)
      throw eio('read', path, `${this.#name}: the data of '${r.path}' runs into the central directory`);
    const bytes = await this.#sourceRead(path, at + offset, end - offset);
    if (bytes.length !== end - offset) throw eio('read', path, `${this.#name}: '${r.path}' is cut short`);
    return bytes.slice();
  }

  async #sourceRead(path: string, offset: number, length: number): Promise<Uint8Array> {
    try {
      return await this.#source.read(offset, length);
    } catch (error) {
      throw layerError(error, 'read', path, this.#fetcher?.signal);
    }
  }

  /** Builds the entry list: metadata, symlink targets (read now, all together) and OCI whiteouts. */
  async #list(options: ZipLayerOptions, warn: (w: LayerWarning) => void): Promise<void> {
    const uid = options.uid ?? 0;
    const gid = options.gid ?? 0;
    const meta = (r: ZipRecord): EntryMeta => ({
      mode: r.mode,
      uid,
      gid,
      atimeMs: r.mtimeMs,
      mtimeMs: r.mtimeMs,
      ctimeMs: r.mtimeMs,
      birthtimeMs: r.mtimeMs,
    });
    const targets = await Promise.all(
      this.#records.map((r, i) => (r.kind === 'symlink' && r.size <= MAX_TARGET ? this.#load(i) : undefined)),
    );
    const oci = options.whiteouts === 'oci';
    const out = this.#entries;
    const opaque = new Map<string, EntryMeta>();
    const whiteouts: string[] = [];
    const present = new Set<string>();
    const decoder = new TextDecoder();
    this.#records.forEach((r, i) => {
      const slash = r.path.lastIndexOf('/');
      const base = r.path.slice(slash + 1);
      const parent = slash < 0 ? '' : r.path.slice(0, slash);
      if (oci && base === '.wh..wh..opq') {
        opaque.set(parent, meta(r));
        return;
      }
      if (oci && base.startsWith('.wh.') && base.length > 4) {
        whiteouts.push(`${parent ? `${parent}/` : ''}${base.slice(4)}`);
        return;
      }
      for (let p = r.path; p !== ''; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) present.add(p);
      const path = `/${r.path}`;
      switch (r.kind) {
        case 'file':
          out.push({
            ...meta(r),
            path,
            kind: 'file',
            size: r.size,
            ref: i,
            etag: `crc32:${r.crc32}:${r.size}`,
          });
          break;
        case 'dir':
          out.push({ ...meta(r), path, kind: 'dir' });
          break;
        case 'symlink': {
          const target = targets[i];
          if (target === undefined || target.length === 0) {
            warn({
              kind: 'rejected-entry',
              name: r.path,
              code: 'EINVAL',
              message: `${this.#name}: symlink '${r.path}' left out: its target is empty or longer than ${MAX_TARGET} bytes`,
            });
            break;
          }
          out.push({ ...meta(r), path, kind: 'symlink', target: decoder.decode(target) });
          break;
        }
      }
    });
    // OCI: a whiteout hides only what lies in the layers below, never a name of its own layer.
    for (const w of whiteouts) if (!present.has(w)) out.push({ path: `/${w}`, kind: 'whiteout' });
    for (const [dir, m] of opaque) {
      const listed = out.find((e) => e.kind === 'dir' && e.path === `/${dir}`);
      if (listed?.kind === 'dir') listed.opaque = true;
      else out.push({ ...m, mode: 0o755, path: `/${dir}`, kind: 'dir', opaque: true });
    }
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
