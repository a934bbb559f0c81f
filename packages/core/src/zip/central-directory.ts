/**
 * The central directory of a zip as the layer needs it: parsed by @vellum/wasm's ZipDirectory,
 * then screened here for what the parser lets through but a layer must not serve (absolute
 * names, backslashes, entries over the size or compression-ratio caps).
 */
import { Kind, WasmFsError, ZipDirectory } from '@vellum/wasm';
import { FsError } from '../errors.js';
import { sha256Hex } from '../http/sha256.js';
import type { ByteSource } from './source.js';

/** One usable entry of the directory. */
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

export interface CentralDirectory {
  readonly records: ZipRecord[];
  readonly rejected: ZipRejection[];
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

/**
 * Reads and screens the directory of the archive in `source`.
 *
 * @param name How errors and warnings name the archive (its URL or file name).
 */
export async function readCentralDirectory(
  source: ByteSource,
  name: string,
  limits: DirectoryLimits,
): Promise<CentralDirectory> {
  let dir: ZipDirectory;
  try {
    dir = await ZipDirectory.open({ size: source.size, read: (o, n) => source.read(o, n) }, { name });
  } catch (error) {
    if (error instanceof WasmFsError) {
      throw new FsError('EIO', 'open', name, undefined, { cause: error.cause ?? error });
    }
    throw error;
  }
  try {
    const tail = await source.read(dir.directoryOffset, source.size - dir.directoryOffset);
    const raw = rawNames(tail, dir.count);
    const digest = await sha256Hex(tail);
    const rejected: ZipRejection[] = dir.warnings.map((w) => ({
      name: w.name,
      code: w.code === 'EINVAL' ? 'EINVAL' : 'EIO',
      message: w.message,
    }));
    const records: ZipRecord[] = [];
    for (let i = 0; i < dir.count; i++) {
      if (!dir.usable(i)) continue;
      const e = dir.entry(i);
      const stored = raw[i];
      const kind = KINDS[e.kind];
      const reject = (code: ZipRejection['code'], message: string): void => {
        rejected.push({ name: stored?.name ?? e.path, code, message });
      };
      if (stored === undefined || kind === undefined) {
        reject('EIO', 'the directory record could not be read back');
      } else if (stored.absolute) {
        reject('EINVAL', 'the name is an absolute path');
      } else if (stored.backslash) {
        reject('EINVAL', 'the name contains a backslash');
      } else if (kind !== 'dir' && e.size > limits.maxEntrySize) {
        reject('EFBIG', `the entry is ${e.size} bytes, more than the limit of ${limits.maxEntrySize}`);
      } else if (
        kind !== 'dir' &&
        e.size > RATIO_FLOOR &&
        e.size > e.compressedSize * limits.maxCompressionRatio
      ) {
        reject(
          'EFBIG',
          `the entry inflates ${e.compressedSize} bytes to ${e.size}, a ratio over the limit of ${limits.maxCompressionRatio}`,
        );
      } else {
        records.push({
          path: e.path,
          kind,
          mode: e.mode & 0o7777,
          size: kind === 'dir' ? 0 : e.size,
          compressedSize: e.compressedSize,
          offset: e.offset,
          method: e.method,
          crc32: e.crc32,
          mtimeMs: e.mtimeMs,
          encrypted: e.encrypted,
          rawNameLength: stored.length,
        });
      }
    }
    return { records, rejected, directoryOffset: dir.directoryOffset, digest };
  } finally {
    dir.close();
  }
}

interface RawName {
  name: string;
  length: number;
  absolute: boolean;
  backslash: boolean;
}

const lenient = new TextDecoder('utf-8', { fatal: false });

/**
 * The stored names of the first `count` records of the directory at the start of `bytes`. The
 * wasm parser normalizes names (it drops a leading '/'), so what the archive really said is read
 * back here: a name that was absolute, or that means a path on Windows, is refused, not repaired.
 */
function rawNames(bytes: Uint8Array, count: number): (RawName | undefined)[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: (RawName | undefined)[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) break;
    const n = view.getUint16(at + 28, true);
    const next = at + 46 + n + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (next > bytes.length) break;
    const name = bytes.subarray(at + 46, at + 46 + n);
    const first = name[0];
    const driveLetter =
      n >= 2 && name[1] === 0x3a && first !== undefined && /[A-Za-z]/.test(String.fromCharCode(first));
    out.push({
      name: lenient.decode(name),
      length: n,
      absolute: first === 0x2f || driveLetter,
      backslash: name.includes(0x5c),
    });
    at = next;
  }
  return out;
}
