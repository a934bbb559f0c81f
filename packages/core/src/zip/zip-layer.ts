/**
 * A zip archive as a lower layer, read lazily: from memory, a Blob/File, or a URL with HTTP
 * Range requests. Listing reads only the central directory; each entry is fetched, inflated and
 * CRC-checked on first read and kept in a byte-bounded cache.
 */
import { Kind, type NamespaceIndex } from '@vellum/wasm';
import { BULK_LOWER, type BulkLower } from '../bulk-lower.js';
import { holdSharedIndex, type SharedIndexHold } from '../entry-store.js';
import { FsError } from '../errors.js';
import { eio, layerError } from '../http/errors.js';
import { Fetcher, type NetworkOptions } from '../http/fetcher.js';
import { ByteLru } from '../http/lru.js';
import type { TransferStats } from '../http/progress.js';
import type { LayerWarning } from '../http/warning.js';
import type { EntryMeta, LowerEntry, LowerLayer } from '../layer.js';
import {
  type CentralDirectory,
  kindOf,
  readCentralDirectory,
  recordOf,
  type ZipRecord,
} from './central-directory.js';
import { crc32 } from './crc32.js';
import { InflateError, inflateRaw } from './inflate.js';
import { dataStart, LOCAL_HEADER } from './local-header.js';
import { HttpRangeSource, type RangeReaderOptions } from './range-reader.js';
import { type ByteSource, blobSource, bytesSource } from './source.js';

/** Where a zip's bytes come from. A string or URL is fetched with Range requests. */
export type ZipInput = string | URL | ArrayBuffer | Uint8Array | Blob;

/**
 * How {@link ZipLayer.open} reads an archive: its identity, OCI whiteouts, limits against
 * zip bombs, the cache, and the network and Range options for a URL.
 *
 * @example
 * ```ts
 * const base = await ZipLayer.open('https://cdn.example/base.zip', { whiteouts: 'oci', maxEntrySize: 64 << 20, retries: 5 });
 * ```
 */
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
  /** Owner's user id of every entry (default 0: a zip records none). */
  uid?: number;
  /** Owner's group id of every entry (default 0). */
  gid?: number;
  /** Told about every entry left out and about a server without Range support. */
  onWarning?: (warning: LayerWarning) => void;
}

/** A symlink's target is its entry's data; longer ones are refused like Linux's PATH_MAX. */
const MAX_TARGET = 4095;

/**
 * A layer's parsed directory lives in the realm's shared wasm instance: when the layer is
 * collected its table is freed and its hold on the instance given back.
 */
const tables = new FinalizationRegistry<{ directory: CentralDirectory; hold: SharedIndexHold }>(
  ({ directory, hold }) => {
    if (!hold.index.closed) directory.table.close();
    hold.release();
  },
);

/** What the OCI markers of a layer add to its listing. */
interface OciListing {
  /** Directories marked opaque by a `.wh..wh..opq` (path without '/' → the marker's metadata). */
  opaque: Map<string, EntryMeta>;
  /** Entries listed as whiteouts after the archive's own, in order. */
  whiteouts: string[];
}

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
  /** The layer's identity: `options.id`, or `zip:` and a digest of the central directory. */
  readonly id: string;
  /** Every warning so far (entries left out, a server without Range support). */
  readonly warnings: LayerWarning[];
  readonly #name: string;
  readonly #source: ByteSource;
  readonly #fetcher: Fetcher | undefined;
  /** The parsed directory: entries are read from its wasm table by index, none is kept as an object. */
  readonly #directory: CentralDirectory;
  readonly #directoryOffset: number;
  /** The layer's hold on the shared index its table lives in. */
  readonly #hold: SharedIndexHold;
  /** Symlink targets, read at open (a symlink must be resolvable without I/O). */
  readonly #targets = new Map<number, string>();
  readonly #uid: number;
  readonly #gid: number;
  /** Set for a layer opened with `whiteouts: 'oci'`. */
  #oci: OciListing | undefined;
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
    directory: CentralDirectory;
    hold: SharedIndexHold;
    directoryOffset: number;
    warnings: LayerWarning[];
    options: ZipLayerOptions;
  }) {
    const o = init.options;
    this.id = init.id;
    this.#name = init.name;
    this.#source = init.source;
    this.#fetcher = init.fetcher;
    this.#directory = init.directory;
    this.#hold = init.hold;
    this.#directoryOffset = init.directoryOffset;
    this.warnings = init.warnings;
    this.#cache = new ByteLru(o.cacheBytes ?? 32 * 1024 * 1024);
    this.#overRead = o.overRead ?? 256;
    this.#rangedAbove = o.rangedAbove ?? 1024 * 1024;
    this.#inflate = o.inflate ?? 'auto';
    this.#uid = o.uid ?? 0;
    this.#gid = o.gid ?? 0;
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
    const hold = await holdSharedIndex();
    let directory: CentralDirectory;
    try {
      directory = await readCentralDirectory(
        source,
        name,
        {
          maxEntrySize: options.maxEntrySize ?? 512 * 1024 * 1024,
          maxCompressionRatio: options.maxCompressionRatio ?? 1000,
        },
        hold.index,
        hold.exclusive,
      );
    } catch (error) {
      hold.release();
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
      directory,
      hold,
      directoryOffset: directory.directoryOffset,
      warnings,
      options,
    });
    tables.register(layer, { directory, hold });
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

  /**
   * The entries, made as they are iterated (the layer keeps no object per entry): the archive's
   * in directory order, left-out ones skipped, then OCI whiteouts and opaque directories not
   * listed themselves.
   */
  *entries(): IterableIterator<LowerEntry> {
    const d = this.#directory;
    const t = d.table;
    const oci = this.#oci;
    const listed = new Set<string>();
    for (let i = 0; i < t.count; i++) {
      if (!this.#listed(i)) continue;
      const entry = this.#entryAt(i);
      if (oci !== undefined && entry.kind === 'dir') {
        // The first entry of an opaque directory carries the mark (a duplicate stays as listed).
        const path = entry.path.slice(1);
        if (oci.opaque.has(path) && !listed.has(path)) {
          listed.add(path);
          yield { ...entry, opaque: true };
          continue;
        }
      }
      yield entry;
    }
    if (oci === undefined) return;
    for (const w of oci.whiteouts) yield { path: `/${w}`, kind: 'whiteout' };
    for (const [dir, m] of oci.opaque) {
      if (!listed.has(dir)) yield { ...m, mode: 0o755, path: `/${dir}`, kind: 'dir', opaque: true };
    }
  }

  /** Whether table entry `i` is one of the archive's own entries in the listing. */
  #listed(i: number): boolean {
    const d = this.#directory;
    if (d.accepted[i] === 0) return false;
    const t = d.table;
    if (d.accepted[i] === Kind.Symlink && !this.#targets.has(i)) return false;
    return this.#oci === undefined || !isOciMarker(t.path(i));
  }

  /** Table entry `i` as the listing gives it (without an OCI opaque mark). */
  #entryAt(i: number): LowerEntry {
    const t = this.#directory.table;
    const kind = kindOf(t, i);
    const path = `/${t.path(i)}`;
    const mtimeMs = t.mtimeMs(i);
    const meta: EntryMeta = {
      mode: t.mode(i) & 0o7777,
      uid: this.#uid,
      gid: this.#gid,
      atimeMs: mtimeMs,
      mtimeMs,
      ctimeMs: mtimeMs,
      birthtimeMs: mtimeMs,
    };
    if (kind === 'file') {
      const size = t.size(i);
      return { ...meta, path, kind: 'file', size, ref: i, etag: `crc32:${t.crc32(i)}:${size}` };
    }
    if (kind === 'symlink') return { ...meta, path, kind: 'symlink', target: this.#targets.get(i) as string };
    return { ...meta, path, kind: 'dir' };
  }

  /** @internal For the engine's lower index: the table itself is laid in wasm (see bulk-lower.ts). */
  get [BULK_LOWER](): BulkLower {
    return {
      table: (index: NamespaceIndex) =>
        this.#oci === undefined && this.#hold.index === index ? this.#directory.table : undefined,
      entry: (ref: number) => this.#entryAt(ref),
    };
  }

  /**
   * Bytes `[offset, offset + length)` of an entry (inflated, checked against its CRC-32 when whole), in
   * a copy.
   */
  async read(ref: unknown, offset: number, length: number): Promise<Uint8Array> {
    const i = this.#index(ref);
    const r = this.#record(i);
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
    const r = this.#record(i);
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
    if (typeof ref !== 'number' || (this.#directory.accepted[ref] ?? 0) === 0) {
      throw new Error(`ZipLayer: unknown entry reference ${String(ref)}`);
    }
    return ref;
  }

  /** Entry `i`'s fields, read from the table (a short-lived object: reads are per call, not per entry). */
  #record(i: number): ZipRecord {
    return recordOf(this.#directory, i);
  }

  /** The whole entry, inflated and checked; concurrent readers share one fetch, failures are not kept. */
  #whole(i: number): Promise<Uint8Array> {
    return this.#cache.load(i, () => this.#load(i));
  }

  async #load(i: number): Promise<Uint8Array> {
    const r = this.#record(i);
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
    const r = this.#record(i);
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
    const r = this.#record(i);
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

  /** Reads the targets of the symlinks (all together) and, for OCI, what the markers add. */
  async #list(options: ZipLayerOptions, warn: (w: LayerWarning) => void): Promise<void> {
    const d = this.#directory;
    const t = d.table;
    const oci = options.whiteouts === 'oci';
    const links: number[] = [];
    for (let i = 0; i < t.count; i++) {
      if (d.accepted[i] === Kind.Symlink && !(oci && isOciMarker(t.path(i)))) links.push(i);
    }
    const decoder = new TextDecoder();
    const targets = await Promise.all(
      links.map((i) => (t.size(i) <= MAX_TARGET ? this.#load(i) : undefined)),
    );
    links.forEach((i, k) => {
      const target = targets[k];
      if (target === undefined || target.length === 0) {
        warn({
          kind: 'rejected-entry',
          name: t.path(i),
          code: 'EINVAL',
          message: `${this.#name}: symlink '${t.path(i)}' left out: its target is empty or longer than ${MAX_TARGET} bytes`,
        });
      } else this.#targets.set(i, decoder.decode(target));
    });
    if (oci) this.#oci = this.#ociListing();
    else {
      // The table then lists exactly what entries() does: what the layer leaves out is rejected in it.
      for (const i of d.screened) t.reject(i);
      for (const i of links) if (!this.#targets.has(i)) t.reject(i);
    }
  }

  /** OCI: the opaque markers, and the whiteouts that hide something of the layers below. */
  #ociListing(): OciListing {
    const d = this.#directory;
    const t = d.table;
    const opaque = new Map<string, EntryMeta>();
    const whiteouts: string[] = [];
    const present = new Set<string>();
    for (let i = 0; i < t.count; i++) {
      if (d.accepted[i] === 0) continue;
      const path = t.path(i);
      const slash = path.lastIndexOf('/');
      const base = path.slice(slash + 1);
      const parent = slash < 0 ? '' : path.slice(0, slash);
      if (base === OPAQUE_MARKER) {
        const m = t.mtimeMs(i);
        const mode = t.mode(i) & 0o7777;
        opaque.set(parent, {
          mode,
          uid: this.#uid,
          gid: this.#gid,
          atimeMs: m,
          mtimeMs: m,
          ctimeMs: m,
          birthtimeMs: m,
        });
      } else if (isOciMarker(path)) {
        whiteouts.push(`${parent ? `${parent}/` : ''}${base.slice(4)}`);
      } else {
        // Every entry counts, a symlink left out for its target too (as it always has).
        for (let p = path; p !== ''; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) present.add(p);
      }
    }
    // A whiteout hides only what lies in the layers below, never a name of its own layer.
    return { opaque, whiteouts: whiteouts.filter((w) => !present.has(w)) };
  }
}

const OPAQUE_MARKER = '.wh..wh..opq';

/** An OCI marker: `.wh..wh..opq`, or `.wh.<name>` (a whiteout of `<name>`). */
function isOciMarker(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.startsWith('.wh.') && (base.length > 4 || base === OPAQUE_MARKER);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
