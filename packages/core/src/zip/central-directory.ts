/**
 * The central directory of a zip as the layer needs it: parsed by @vellum/wasm into the realm's
 * shared index (where the lower index is built from it), then screened here for what the parser
 * lets through but a layer must not serve (absolute names, backslashes, entries over the size or
 * compression-ratio caps). No JS object is made per entry: the layer reads each entry's fields
 * from the parsed table when it needs them.
 */
import { Kind, type NamespaceIndex, WasmFsError, type ZipDirectory } from '@vellum/wasm';
import { FsError } from '../errors.js';
import { sha256Hex } from '../http/sha256.js';
import type { ByteSource } from './source.js';

/** One usable entry of the directory, read from the table on demand. */
export interface ZipRecord {
  /** Normalized path without a leading '/' ('a/b.txt'). */
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  /** Permission bits. */
  readonly mode: number;
  readonly size: number;
  readonly compressedSize: number;
  /** Offset of the local header. */
  readonly offset: number;
  readonly method: number;
  readonly crc32: number;
  readonly mtimeMs: number;
  readonly encrypted: boolean;
  /** Length of the name as stored: the local header usually repeats it, so reads size their over-read on it. */
  readonly rawNameLength: number;
}

/** An entry left out of the layer, and why. */
export interface ZipRejection {
  /** The name as stored in the archive (decoded leniently). */
  readonly name: string;
  /** EINVAL: a name that could escape the root or is not a name; EFBIG: over a limit; EIO: damaged. */
  readonly code: 'EINVAL' | 'EFBIG' | 'EIO';
  readonly message: string;
}

export interface DirectoryLimits {
  /** Largest uncompressed entry accepted (bytes). */
  readonly maxEntrySize: number;
  /** Largest uncompressed/compressed ratio accepted for entries over 1 MiB. */
  readonly maxCompressionRatio: number;
}

/** A parsed and screened directory. */
export interface CentralDirectory {
  /** The parsed table, in the shared index's instance; entries are addressed by their index. */
  readonly table: ZipDirectory;
  /** Per entry: its kind (`Kind`) when the layer serves it (parsed and passed the screening), else 0. */
  readonly accepted: Uint8Array;
  /** Per entry: the stored name's length in bytes (see {@link ZipRecord.rawNameLength}). */
  readonly rawNameLength: Uint16Array;
  readonly rejected: ZipRejection[];
  /** The entries the parser accepted and the screening here refused. */
  readonly screened: number[];
  /** Where the directory starts: every entry's data lies before it. */
  readonly directoryOffset: number;
  /** SHA-256 (hex) of the directory and end records: names, sizes, CRCs, offsets — the content's identity. */
  readonly digest: string;
}

/** Ratios are only judged above this size: small entries cannot hurt, whatever they claim. */
const RATIO_FLOOR = 1024 * 1024;

const KINDS: Record<number, ZipRecord['kind'] | undefined> = {
  [Kind.File]: 'file',
  [Kind.Dir]: 'dir',
  [Kind.Symlink]: 'symlink',
};

/** The kind the layer gives entry `i` of `table` (undefined: none it serves). */
export function kindOf(table: ZipDirectory, i: number): ZipRecord['kind'] | undefined {
  return KINDS[table.kind(i)];
}

/** Entry `i` of `table` as a record (for one read; the layer keeps none). */
export function recordOf(dir: CentralDirectory, i: number): ZipRecord {
  const t = dir.table;
  const kind = kindOf(t, i) as ZipRecord['kind'];
  return {
    path: t.path(i),
    kind,
    mode: t.mode(i) & 0o7777,
    size: kind === 'dir' ? 0 : t.size(i),
    compressedSize: t.compressedSize(i),
    offset: t.offset(i),
    method: t.method(i),
    crc32: t.crc32(i),
    mtimeMs: t.mtimeMs(i),
    encrypted: t.encrypted(i),
    rawNameLength: dir.rawNameLength[i] as number,
  };
}

/**
 * Reads and screens the directory of the archive in `source`, parsed into `index`'s instance.
 * The caller owns the returned table (`table.close()` frees it).
 *
 * @param name How errors and warnings name the archive (its URL or file name).
 */
export async function readCentralDirectory(
  source: ByteSource,
  name: string,
  limits: DirectoryLimits,
  index: NamespaceIndex,
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<CentralDirectory> {
  let table: ZipDirectory;
  try {
    // The parser keeps its state in the shared instance across its reads: one parse at a time.
    table = await exclusive(() =>
      index.openZip({ size: source.size, read: (o, n) => source.read(o, n) }, { name }),
    );
  } catch (error) {
    if (error instanceof WasmFsError) {
      throw new FsError('EIO', 'open', name, undefined, { cause: error.cause ?? error });
    }
    throw error;
  }
  try {
    const tail = await source.read(table.directoryOffset, source.size - table.directoryOffset);
    const count = table.count;
    const raw = scanNames(tail, count);
    const digest = await sha256Hex(tail);
    const rejected: ZipRejection[] = table.warnings.map((w) => ({
      name: w.name,
      code: w.code === 'EINVAL' ? 'EINVAL' : 'EIO',
      message: w.message,
    }));
    // Kinds of the usable entries; a rejected one is set back to 0.
    const accepted = table.kinds();
    const screened: number[] = [];
    for (let i = 0; i < count; i++) {
      const code = accepted[i] as number;
      if (code === 0) continue;
      const kind = KINDS[code];
      const flags = raw.flags[i] as number;
      let why: [ZipRejection['code'], string] | undefined;
      if (i >= raw.read || kind === undefined) {
        why = ['EIO', 'the directory record could not be read back'];
      } else if ((flags & ABSOLUTE) !== 0) {
        why = ['EINVAL', 'the name is an absolute path'];
      } else if ((flags & BACKSLASH) !== 0) {
        why = ['EINVAL', 'the name contains a backslash'];
      } else if (kind !== 'dir') {
        const size = table.size(i);
        if (size > limits.maxEntrySize) {
          why = ['EFBIG', `the entry is ${size} bytes, more than the limit of ${limits.maxEntrySize}`];
        } else if (size > RATIO_FLOOR && size > table.compressedSize(i) * limits.maxCompressionRatio) {
          why = [
            'EFBIG',
            `the entry inflates ${table.compressedSize(i)} bytes to ${size}, a ratio over the limit of ${limits.maxCompressionRatio}`,
          ];
        }
      }
      if (why !== undefined) {
        accepted[i] = 0;
        screened.push(i);
        rejected.push({ name: i < raw.read ? raw.name(i) : table.path(i), code: why[0], message: why[1] });
      }
    }
    return {
      table,
      accepted,
      rawNameLength: raw.length,
      rejected,
      screened,
      directoryOffset: table.directoryOffset,
      digest,
    };
  } catch (error) {
    table.close();
    throw error;
  }
}

const ABSOLUTE = 1;
const BACKSLASH = 2;

const lenient = new TextDecoder('utf-8', { fatal: false });

/**
 * What the archive really stored as each name, for the first `count` records of the directory at
 * the start of `bytes`: the wasm parser normalizes names (it drops a leading '/'), so a name that
 * was absolute, or that means a path on Windows, is found here and refused, not repaired. Only
 * the record framing and the name bytes are looked at (the parser read everything else); a name
 * is decoded only when a rejection must quote it.
 */
function scanNames(
  bytes: Uint8Array,
  count: number,
): { read: number; flags: Uint8Array; length: Uint16Array; name(i: number): string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = new Uint8Array(count);
  const length = new Uint16Array(count);
  const starts = new Uint32Array(count);
  let at = 0;
  let read = 0;
  for (; read < count; read++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) break;
    const n = view.getUint16(at + 28, true);
    const next = at + 46 + n + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (next > bytes.length) break;
    const start = at + 46;
    const first = bytes[start];
    let f = 0;
    if (first === 0x2f) f |= ABSOLUTE;
    else if (n >= 2 && bytes[start + 1] === 0x3a && first !== undefined && isLetter(first)) f |= ABSOLUTE;
    for (let k = start; k < start + n; k++) {
      if (bytes[k] === 0x5c) {
        f |= BACKSLASH;
        break;
      }
    }
    flags[read] = f;
    length[read] = n;
    starts[read] = start;
    at = next;
  }
  return {
    read,
    flags,
    length,
    name: (i) => {
      const start = starts[i] as number;
      return lenient.decode(bytes.subarray(start, start + (length[i] as number)));
    },
  };
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
