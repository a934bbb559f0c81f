/**
 * A zip archive's central directory, parsed in wasm into a compact entry table (a 44-byte record
 * per entry, its name in names chunks the table owns, the directory part of its path stored once
 * per directory; values over 32 bits in a wide list). Parsed into a namespace index
 * (`NamespaceIndex.openZip`), a file or symlink entry's record becomes its node. Entries are read
 * by index; no JS object exists per entry unless asked for with {@link ZipDirectory.entry}.
 */
import { Core } from './core.js';
import { type WasmErrorCode, WasmFsError } from './errors.js';
import {
  type Kind,
  W,
  W_STRIDE,
  Z,
  Z_ENCRYPTED,
  Z_KIND_SHIFT,
  Z_METHOD_MASK,
  Z_METHOD_WIDE,
  Z_MODE_MASK,
  Z_REJECTED_BY_CALLER,
  Z_STATUS_SHIFT,
  Z_STRIDE,
  Z_WIDE,
} from './layout.js';

/** Random access to the bytes of a zip file (a Blob, an HTTP range reader, a buffer). */
export interface ZipSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array> | Uint8Array;
}

/** One entry, as a plain object. */
export interface ZipEntry {
  readonly index: number;
  /** Normalized path: UTF-8, no leading '/', no '.' or empty components. */
  readonly path: string;
  readonly kind: Kind;
  /** Permission bits (Unix archives) or defaults (0o644 files, 0o755 directories). */
  readonly mode: number;
  readonly size: number;
  readonly compressedSize: number;
  /** Offset of the entry's local header in the file. */
  readonly offset: number;
  /** 0 = stored, 8 = deflate, others as the zip specification numbers them. */
  readonly method: number;
  readonly crc32: number;
  readonly mtimeMs: number;
  readonly encrypted: boolean;
}

/** An entry rejected while parsing (it is not part of the directory's usable entries). */
export interface ZipWarning {
  readonly index: number;
  /** The raw name, decoded leniently. */
  readonly name: string;
  readonly code: WasmErrorCode;
  readonly message: string;
}

const FATAL: Record<number, string> = {
  1: 'no end of central directory record (not a zip file, or truncated)',
  2: 'the archive spans several disks, which is not supported',
  3: 'the central directory lies outside the file',
  4: 'the entry count is more than the central directory can hold',
  5: 'the Zip64 end of central directory record is missing or malformed',
  6: 'central directory record is truncated',
  7: 'bad central directory record signature',
};

const WARNING: Record<number, { code: WasmErrorCode; message: string }> = {
  1: { code: 'EINVAL', message: 'the name contains a NUL byte' },
  2: { code: 'EINVAL', message: "the name has a '..' component" },
  3: { code: 'EINVAL', message: 'a name component is longer than 255 bytes' },
  4: { code: 'EINVAL', message: 'the name is flagged UTF-8 but is not valid UTF-8' },
  5: { code: 'EINVAL', message: 'the name is empty' },
  6: { code: 'EIO', message: "the entry's data lies past the start of the central directory" },
  7: { code: 'EIO', message: 'a Zip64 extra field the sizes need is missing or short' },
  8: { code: 'EIO', message: 'a size or offset is beyond 2^53' },
  9: { code: 'EINVAL', message: 'device, FIFO or socket entries are not supported' },
  10: { code: 'EIO', message: 'the entry is on another disk' },
  11: { code: 'EIO', message: 'an extra field is truncated' },
};

/** End record + Zip64 locator + the longest comment: the most a search needs from the tail. */
const TAIL = 22 + 0xffff + 20;
/** A central directory above this is refused (4 GiB of wasm memory would not hold its table). */
const MAX_DIRECTORY = 2 ** 32;
/** Bytes of the directory read from the source at a time (one range request over HTTP). */
const READ = 1 << 20;
/** Bytes handed to the parser at a time: the only copy of directory bytes in wasm memory. */
const WINDOW = 1 << 16;

/**
 * A parsed central directory.
 *
 * @example
 * ```ts
 * const zip = await ZipDirectory.fromBytes(new Uint8Array(await blob.arrayBuffer()), { name: 'a.zip' });
 * for (let i = 0; i < zip.count; i++) if (zip.usable(i)) console.log(zip.path(i), zip.size(i));
 * zip.close();
 * ```
 */
export class ZipDirectory {
  /** Number of central directory records (usable or rejected). */
  readonly count: number;
  readonly warnings: readonly ZipWarning[];
  /** Offset of the central directory in the file (entries' data lies before it). */
  readonly directoryOffset: number;
  private core: Core | null;
  /** False when the table lives in a namespace index's instance (see NamespaceIndex.openZip). */
  private readonly owned: boolean;
  private readonly base: number;
  /** The region (assembly/regions.ts) its records make up in the instance. */
  private readonly region: number;
  /** The wide list (0 if no entry needed one) and its length. */
  private readonly wide: number;
  private readonly wideCount: number;

  private constructor(core: Core, owned: boolean, count: number, directoryOffset: number) {
    this.core = core;
    this.owned = owned;
    this.count = count;
    this.directoryOffset = directoryOffset;
    this.base = core.x.zipTable();
    this.region = core.x.zipRegion();
    this.wide = core.x.zipWide();
    this.wideCount = core.x.zipWideCount();
    this.warnings = this.readWarnings();
  }

  /** Parses the directory of a zip held in memory. */
  static fromBytes(bytes: Uint8Array, options: { name?: string } = {}): Promise<ZipDirectory> {
    return ZipDirectory.open(bytesSource(bytes), options);
  }

  /**
   * Reads only what it needs from `source`: the tail (end record), the Zip64 record if any,
   * then the central directory. Throws EIO with a cause for a damaged archive. The directory
   * gets its own wasm instance; `NamespaceIndex.openZip` parses into the index's instead.
   */
  static async open(source: ZipSource, options: { name?: string } = {}): Promise<ZipDirectory> {
    return parseZip(await Core.create(), true, source, options);
  }

  /** @internal Wraps the table the last successful `zipParse` left in `core`. */
  static adopt(core: Core, owned: boolean, count: number, directoryOffset: number): ZipDirectory {
    return new ZipDirectory(core, owned, count, directoryOffset);
  }

  private readWarnings(): ZipWarning[] {
    const c = this.c;
    const n = c.x.warningCount();
    const base = c.x.warningsBase() >>> 2;
    const out: ZipWarning[] = [];
    for (let i = 0; i < n; i++) {
      const words = c.words();
      const index = words[base + 2 * i] as number;
      const w = WARNING[words[base + 2 * i + 1] as number] ?? { code: 'EIO', message: 'unreadable entry' };
      out.push({ index, name: this.path(index), ...w });
    }
    return out;
  }

  private get c(): Core {
    if (this.core === null) throw new WasmFsError('EBADF', 'zip', undefined, { cause: new Error('closed') });
    return this.core;
  }

  /** Releases the directory's memory (its table, or its whole instance if it owns one). */
  close(): void {
    // In an index's instance, records the index made nodes of stay (they are those nodes), and
    // with them the table's names; the rest goes. Table and names go with its last node.
    if (this.core !== null && !this.owned) this.core.x.zipClose(this.region);
    this.core = null;
  }

  /** @internal The table's address (`Z_STRIDE`-byte records), if it lives in `core`. */
  tableIn(core: Core): { entries: number; count: number } | null {
    return this.core === core ? { entries: this.base, count: this.count } : null;
  }

  /** @internal The table's region, if it lives in `core` and no index was built from it yet. */
  regionIn(core: Core): number | null {
    return this.core === core && core.x.zipRegionBuilt(this.region) === 0 ? this.region : null;
  }

  private at(i: number): number {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`no zip entry ${i}`);
    return this.base + i * Z_STRIDE;
  }
  private u16(i: number, field: number): number {
    const b = this.c.bytes();
    const p = this.at(i) + field;
    return (b[p] as number) | ((b[p + 1] as number) << 8);
  }
  private u32(i: number, field: number): number {
    return this.c.words()[(this.at(i) + field) >>> 2] as number;
  }
  /** The wide record of entry `i` (binary search: the list is in entry order). */
  private wideAt(i: number): number {
    const words = this.c.words();
    let lo = 0;
    let hi = this.wideCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.wide + mid * W_STRIDE;
      const index = words[at >>> 2] as number;
      if (index === i) return at;
      if (index < i) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new WasmFsError('EIO', 'zip', undefined, { cause: new Error(`entry ${i} has no wide record`) });
  }
  /** A size, offset or mtime: the 32-bit field, or the wide record's f64 for a wide entry. */
  private value(i: number, field: number, wideField: number): number {
    if ((this.u16(i, Z.mode) & Z_WIDE) === 0) return this.u32(i, field);
    return this.c.doubles()[(this.wideAt(i) + wideField) >>> 3] as number;
  }

  /**
   * Every entry's kind (0 for one rejected with a warning, naming the root, or left out with
   * {@link ZipDirectory.reject}), read in one pass: for a caller that screens all entries, cheaper
   * than `usable(i)` and `kind(i)` per entry.
   */
  kinds(): Uint8Array {
    const words = this.c.words();
    const out = new Uint8Array(this.count);
    for (let i = 0, at = (this.base + Z.mode) >>> 2; i < this.count; i++, at += Z_STRIDE >>> 2) {
      // One word: mode (low half) and method/status (high half).
      const w = words[at] as number;
      if (w >>> (16 + Z_STATUS_SHIFT) === 0) out[i] = (w >>> Z_KIND_SHIFT) & 3;
    }
    return out;
  }

  /**
   * Leaves entry `i` out of what {@link NamespaceIndex.addZipLayer} lays (and `usable` reports):
   * for a caller that refuses entries the parser accepts (e.g. names it screens itself). Its
   * path and values stay readable.
   */
  reject(i: number): void {
    const b = this.c.bytes();
    const at = this.at(i) + Z.method + 1;
    b[at] = ((b[at] as number) & 0x0f) | (Z_REJECTED_BY_CALLER << (Z_STATUS_SHIFT - 8));
  }

  /** False for an entry rejected with a warning (or naming the root, or left out by `reject`). */
  usable(i: number): boolean {
    return this.u16(i, Z.method) >>> Z_STATUS_SHIFT === 0;
  }
  /** The entry's normalized path (a rejected entry's raw name), whatever the index did with its node. */
  path(i: number): string {
    const c = this.c;
    this.at(i);
    const len = c.x.zipPath(this.region, i);
    return c.text(c.x.outBase(), len);
  }
  kind(i: number): Kind {
    return ((this.u16(i, Z.mode) >>> Z_KIND_SHIFT) & 3) as Kind;
  }
  mode(i: number): number {
    return this.u16(i, Z.mode) & Z_MODE_MASK;
  }
  size(i: number): number {
    return this.value(i, Z.size, W.size);
  }
  compressedSize(i: number): number {
    return this.value(i, Z.csize, W.csize);
  }
  offset(i: number): number {
    return this.value(i, Z.offset, W.offset);
  }
  method(i: number): number {
    const m = this.u16(i, Z.method) & Z_METHOD_MASK;
    if (m !== Z_METHOD_WIDE || (this.u16(i, Z.mode) & Z_WIDE) === 0) return m;
    return this.c.words()[(this.wideAt(i) + W.method) >>> 2] as number;
  }
  crc32(i: number): number {
    return this.u32(i, Z.crc);
  }
  mtimeMs(i: number): number {
    if ((this.u16(i, Z.mode) & Z_WIDE) === 0) return this.u32(i, Z.mtime) * 1000;
    return this.c.doubles()[(this.wideAt(i) + W.mtime) >>> 3] as number;
  }
  encrypted(i: number): boolean {
    return (this.u16(i, Z.mode) & Z_ENCRYPTED) !== 0;
  }

  entry(i: number): ZipEntry {
    return {
      index: i,
      path: this.path(i),
      kind: this.kind(i),
      mode: this.mode(i),
      size: this.size(i),
      compressedSize: this.compressedSize(i),
      offset: this.offset(i),
      method: this.method(i),
      crc32: this.crc32(i),
      mtimeMs: this.mtimeMs(i),
      encrypted: this.encrypted(i),
    };
  }

  /** Every usable entry, in directory order. */
  *entries(): IterableIterator<ZipEntry> {
    for (let i = 0; i < this.count; i++) if (this.usable(i)) yield this.entry(i);
  }

  /**
   * The raw table (copies): the records (assembly/layout.ts, `Z_STRIDE` bytes each, names as
   * addresses in the instance's memory), and `names` with every entry's path, UTF-8, each
   * followed by a NUL, in entry order.
   */
  table(): { entries: Uint8Array; names: Uint8Array; count: number } {
    const c = this.c;
    const entries = c.bytes().slice(this.base, this.base + this.count * Z_STRIDE);
    const paths: Uint8Array[] = [];
    let length = 0;
    for (let i = 0; i < this.count; i++) {
      const n = c.x.zipPath(this.region, i);
      paths.push(c.bytes().slice(c.x.outBase(), c.x.outBase() + n));
      length += n + 1;
    }
    const names = new Uint8Array(length);
    let at = 0;
    for (const p of paths) {
      names.set(p, at);
      at += p.byteLength + 1;
    }
    return { entries, names, count: this.count };
  }

  /** Bytes of wasm memory the directory's instance holds (shared with an index's, see openZip). */
  get memoryBytes(): number {
    return this.c.memoryBytes();
  }

  /**
   * Bytes of its entry table: the records (which an index's nodes built from it share), the
   * directory prefixes and each entry's prefix number, the wide list (its names chunks — the
   * entries' own names and the prefixes' bytes — are counted in the index's `names`).
   */
  get tableBytes(): number {
    return this.c.x.zipRegionBytes(this.region);
  }
}

function bytesSource(bytes: Uint8Array): ZipSource {
  return { size: bytes.byteLength, read: (o, n) => bytes.subarray(o, o + n) };
}

/**
 * Parses a zip's central directory into `core`'s memory. With `owned` false the instance is
 * shared (a namespace index's) and everything but the resulting table is freed here.
 */
export async function parseZip(
  core: Core,
  owned: boolean,
  source: ZipSource,
  options: { name?: string },
): Promise<ZipDirectory> {
  const x = core.x;
  const fail = (why: string): WasmFsError =>
    new WasmFsError('EIO', 'open', options.name, { cause: new Error(`zip: ${why}`) });
  const size = source.size;
  const tailLength = Math.min(size, TAIL);
  const tail = await source.read(size - tailLength, tailLength);
  if (tail.byteLength !== tailLength) throw fail('short read of the end of the file');
  const t = core.put(tail);
  let found: number;
  try {
    found = x.zipLocate(t, tailLength, size);
    if (found === 1) {
      const at = x.zipZip64At();
      const inTail = at - (size - tailLength);
      const record = inTail >= 0 ? tail.subarray(inTail, inTail + 56) : await source.read(at, 56);
      const r = core.put(record);
      found = x.zipReadZip64(r, record.byteLength);
      x.free(r);
    }
  } finally {
    x.free(t);
  }
  if (found < 0) throw fail(FATAL[-found] ?? 'unreadable');
  const count = x.zipCount();
  const cdSize = x.zipCdSize();
  const cdOffset = x.zipCdOffset();
  if (cdSize > MAX_DIRECTORY) throw fail(`the central directory is ${cdSize} bytes, more than supported`);
  const failed = (code: number): WasmFsError =>
    fail(`entry #${x.zipErrorEntry()} of ${count}: ${FATAL[-code] ?? 'unreadable'}`);
  const begun = x.zipParseBegin(count, cdSize, cdOffset);
  if (begun < 0) throw failed(begun);
  // The directory is read from the source a megabyte at a time and handed to the parser in 64 KiB
  // windows, so wasm memory holds the entry table and one small window, never a copy of the
  // directory (its bytes are garbage once parsed).
  let window = Math.min(cdSize, WINDOW);
  let w = x.alloc(window);
  try {
    let chunk: Uint8Array = new Uint8Array(0);
    let chunkAt = 0;
    let pos = 0;
    while (x.zipParsed() < count) {
      const remaining = cdSize - pos;
      if (chunkAt + chunk.byteLength - pos < Math.min(window, remaining)) {
        const length = Math.min(Math.max(READ, window), remaining);
        chunk = await source.read(cdOffset + pos, length);
        if (chunk.byteLength !== length) throw fail('short read of the central directory');
        chunkAt = pos;
      }
      const length = Math.min(window, chunkAt + chunk.byteLength - pos);
      const last = pos + length === cdSize;
      core.bytes().set(chunk.subarray(pos - chunkAt, pos - chunkAt + length), w);
      const used = x.zipParseChunk(w, length, last ? 1 : 0);
      if (used < 0) throw failed(used);
      pos += used;
      if (used === 0 && !last) {
        // One record larger than the window (long name, extra and comment): widen it.
        x.free(w);
        window *= 2;
        w = x.alloc(window);
      }
    }
  } catch (error) {
    // In a shared instance the table of a failed parse must not outlive it.
    if (!owned) x.zipAbort();
    throw error;
  } finally {
    x.free(w);
    x.zipRelease();
  }
  return ZipDirectory.adopt(core, owned, count, cdOffset);
}
