// The zip central-directory parser. Two steps, so a caller that reads over HTTP fetches only what
// it needs: `zipLocate` finds the end record in the file's tail (and says where the Zip64 record
// is, if any, for `zipReadZip64`); `zipParse` turns the central directory into a zip region
// (regions.ts): a 44-byte record per entry (layout.ts) that the index's bulk build makes the
// entry's node, its name (the path's last component) in the region's names chunks (zipnames.ts),
// its directory part one of the region's distinct prefixes, values over 32 bits in a wide list.
// Every read is bounds-checked against the bytes given: bad input returns an error code or
// rejects one entry with a warning; it never traps.
import { grownCapacity } from './heap-util';
import {
  KIND_DIR,
  KIND_FILE,
  KIND_SYMLINK,
  N_NAME,
  N_NAMELEN,
  N_PARENT,
  WIDE_CSIZE,
  WIDE_INDEX,
  WIDE_METHOD,
  WIDE_MTIME,
  WIDE_OFFSET,
  WIDE_SIZE,
  WIDE_STRIDE,
  Z_CRC,
  Z_CSIZE,
  Z_ENCRYPTED,
  Z_KIND_SHIFT,
  Z_METHOD,
  Z_METHOD_WIDE,
  Z_MODE,
  Z_MTIME,
  Z_OFFSET,
  Z_RAWLEN,
  Z_SIZE,
  Z_STATUS_SHIFT,
  Z_STRIDE,
  Z_WIDE,
} from './layout';
import { addZipChunks, dropZipChunks, nodesInit, nodesReady } from './nodes';
import { clearOrdinals } from './ordinals';
import { ovrDropRange } from './ovr';
import {
  newRegion,
  R_BLOCK,
  R_BUILT,
  R_COUNT,
  R_DIRCOUNT,
  R_DIRS,
  R_FIRST,
  R_LIVE,
  R_OPEN,
  R_REVCAP,
  R_REVMAP,
  R_WIDE,
  R_WIDECOUNT,
  regionAt,
  regionCount,
  takeReclaimable,
} from './regions';
import { dropTargetRange } from './symlinks';
import { clearTags } from './tags';
import { cp437ToUtf8, crc32, validUtf8 } from './text';
import { warn, warningsReset } from './warnings';
import { zipNameRoom, zipNamesBegin, zipNamesCommit, zipNamesEnd, zipNamesFree } from './zipnames';

// Fatal errors (returned negated); the wrapper words them.
export const Z_ERR_NO_EOCD: i32 = 1;
export const Z_ERR_MULTIDISK: i32 = 2;
export const Z_ERR_CD_BOUNDS: i32 = 3;
export const Z_ERR_COUNT: i32 = 4;
export const Z_ERR_ZIP64: i32 = 5;
export const Z_ERR_TRUNCATED: i32 = 6;
export const Z_ERR_SIGNATURE: i32 = 7;

// Entry warnings (the entry is rejected, status = code).
export const W_NUL: u8 = 1;
export const W_DOTDOT: u8 = 2;
export const W_LONG: u8 = 3;
export const W_UTF8: u8 = 4;
export const W_EMPTY: u8 = 5;
export const W_OFFSET: u8 = 6;
export const W_ZIP64_FIELD: u8 = 7;
export const W_TOO_LARGE: u8 = 8;
export const W_TYPE: u8 = 9;
export const W_DISK: u8 = 10;
export const W_EXTRA: u8 = 11;
/** Not a warning: the entry names the root directory and is skipped silently. */
export const S_ROOT: u8 = 12;

const MAX_SAFE: f64 = 9007199254740991;

// Results of zipLocate / zipReadZip64.
let count: f64 = 0;
let cdSize: f64 = 0;
let cdOffset: f64 = 0;
let eocdAt: f64 = 0;
let zip64At: f64 = -1;

export function zipCount(): f64 {
  return count;
}
export function zipCdSize(): f64 {
  return cdSize;
}
export function zipCdOffset(): f64 {
  return cdOffset;
}
export function zipEocdAt(): f64 {
  return eocdAt;
}
export function zipZip64At(): f64 {
  return zip64At;
}

/** Checks the directory fits before `end` and the count fits in the directory. */
function checkBounds(end: f64): i32 {
  if (cdOffset + cdSize > end) return -Z_ERR_CD_BOUNDS;
  // A central record is at least 46 bytes: a count that cannot fit is a lie.
  if (count * 46 > cdSize) return -Z_ERR_COUNT;
  return 0;
}

/**
 * Finds the end-of-central-directory record in `p[0..len)`, the last `len` bytes of a file of
 * `fileSize` bytes. Returns 0 (done), 1 (Zip64: read 56 bytes at zipZip64At() and call
 * zipReadZip64) or -error.
 */
export function zipLocate(p: usize, len: u32, fileSize: f64): i32 {
  zip64At = -1;
  if (len < 22 || <f64>len > fileSize) return -Z_ERR_NO_EOCD;
  const base = fileSize - <f64>len;
  const lowest: i32 = len > 22 + 65535 ? <i32>(len - 22 - 65535) : 0;
  let found: i32 = -1;
  let loose: i32 = -1;
  for (let i: i32 = <i32>len - 22; i >= lowest; i--) {
    if (load<u32>(p + <usize>i) != 0x06054b50) continue;
    const end = <u32>i + 22 + <u32>load<u16>(p + <usize>i + 20);
    if (end == len) {
      found = i;
      break;
    }
    // A comment length that overshoots is a lie; one that undershoots may be trailing junk.
    if (loose < 0 && end < len) loose = i;
  }
  if (found < 0) found = loose;
  if (found < 0) return -Z_ERR_NO_EOCD;
  const e = p + <usize>found;
  eocdAt = base + <f64>found;
  const disk = load<u16>(e + 4);
  const cdDisk = load<u16>(e + 6);
  const onDisk = load<u16>(e + 8);
  const total = load<u16>(e + 10);
  count = <f64>total;
  cdSize = <f64>load<u32>(e + 12);
  cdOffset = <f64>load<u32>(e + 16);
  if (found >= 20 && load<u32>(e - 20) == 0x07064b50) {
    if (load<u32>(e - 20 + 16) > 1) return -Z_ERR_MULTIDISK;
    const at = load<u64>(e - 20 + 8);
    if (<f64>at + 56 > eocdAt - 20) return -Z_ERR_ZIP64;
    zip64At = <f64>at;
    return 1;
  }
  if (disk != 0 || cdDisk != 0 || onDisk != total) return -Z_ERR_MULTIDISK;
  return checkBounds(eocdAt);
}

/** Reads the Zip64 end record (`p[0..len)` read at zipZip64At()). */
export function zipReadZip64(p: usize, len: u32): i32 {
  if (len < 56 || load<u32>(p) != 0x06064b50) return -Z_ERR_ZIP64;
  if (load<u32>(p + 16) != 0 || load<u32>(p + 20) != 0) return -Z_ERR_MULTIDISK;
  const total = load<u64>(p + 32);
  if (load<u64>(p + 24) != total) return -Z_ERR_MULTIDISK;
  const size = load<u64>(p + 40);
  const offset = load<u64>(p + 48);
  if (<f64>total > MAX_SAFE || <f64>size > MAX_SAFE || <f64>offset > MAX_SAFE) return -Z_ERR_CD_BOUNDS;
  count = <f64>total;
  cdSize = <f64>size;
  cdOffset = <f64>offset;
  return checkBounds(zip64At);
}

// The region being built.
let region: u32 = 0;
let table: usize = 0;
let first: u32 = 0;
let wide: usize = 0;
let wideCap: usize = 0;
let wideCount: u32 = 0;
let tmp: usize = 0;
let tmpCap: usize = 0;
let norm: usize = 0;
let normCap: usize = 0;
let errEntry: u32 = 0;
// Directory prefixes: per prefix its bytes (address, length), and while parsing a hash set of
// them (numbers + 1). An entry's prefix number is in its record's parent field (regions.ts).
let dirs: usize = 0;
let dirsCap: u32 = 0;
let dirCount: u32 = 0;
let dirSet: usize = 0;
let dirSetCap: u32 = 0;
let lastDir: u32 = 0;

/** The records of the last parse (Z_STRIDE bytes each, entry order). */
export function zipTable(): usize {
  return table;
}
/** Id of the last parse's entry 0 (entry i is id zipFirst() + i). */
export function zipFirst(): u32 {
  return first;
}
/** The region of the last parse. */
export function zipRegion(): u32 {
  return region;
}
/** The wide list of the last parse (0 if no entry needed one): WIDE_STRIDE-byte records. */
export function zipWide(): usize {
  return wide;
}
export function zipWideCount(): u32 {
  return wideCount;
}
export function zipErrorEntry(): u32 {
  return errEntry;
}

function ensureTmp(n: usize): void {
  if (n <= tmpCap) return;
  tmpCap = grownCapacity(tmpCap, n);
  if (tmp != 0) heap.free(tmp);
  tmp = heap.alloc(tmpCap);
}

/** Keeps the raw name of a rejected entry so the warning can name it. */
function keepRaw(e: usize, src: usize, n: u32): void {
  const at = zipNameRoom(n);
  memory.copy(at, src, n);
  zipNamesCommit(n);
  store<u32>(e + N_NAME, <u32>at);
  store<u32>(e + Z_RAWLEN, n);
}

function sameBytes(a: usize, b: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

function hashBytes(p: usize, n: u32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i: u32 = 0; i < n; i++) h = (h ^ load<u8>(p + i)) * 0x01000193;
  return h ^ (h >>> 15);
}

function dirSetPlace(d: u32): void {
  const p = <usize>load<u32>(dirs + ((<usize>d) << 3));
  const n = load<u32>(dirs + ((<usize>d) << 3) + 4);
  let i = hashBytes(p, n) & (dirSetCap - 1);
  while (load<u32>(dirSet + ((<usize>i) << 2)) != 0) i = (i + 1) & (dirSetCap - 1);
  store<u32>(dirSet + ((<usize>i) << 2), d + 1);
}

/** The number of directory prefix `p[0..n)` (0: none, the root), added if new. */
function prefixOf(p: usize, n: u32): u32 {
  if (n == 0) return 0;
  const lp = dirs + ((<usize>lastDir) << 3);
  if (load<u32>(lp + 4) == n && sameBytes(<usize>load<u32>(lp), p, n)) return lastDir;
  let i = hashBytes(p, n) & (dirSetCap - 1);
  while (true) {
    const s = load<u32>(dirSet + ((<usize>i) << 2));
    if (s == 0) break;
    const q = dirs + ((<usize>(s - 1)) << 3);
    if (load<u32>(q + 4) == n && sameBytes(<usize>load<u32>(q), p, n)) {
      lastDir = s - 1;
      return lastDir;
    }
    i = (i + 1) & (dirSetCap - 1);
  }
  // A new prefix: its bytes in the arena, its number in the table and the set.
  const at = zipNameRoom(n);
  memory.copy(at, p, n);
  zipNamesCommit(n);
  if (dirCount == dirsCap) {
    dirsCap <<= 1;
    dirs = heap.realloc(dirs, (<usize>dirsCap) << 3);
  }
  const d = dirCount++;
  store<u32>(dirs + ((<usize>d) << 3), <u32>at);
  store<u32>(dirs + ((<usize>d) << 3) + 4, n);
  if (dirCount * 2 > dirSetCap) {
    heap.free(dirSet);
    dirSetCap <<= 1;
    dirSet = heap.alloc((<usize>dirSetCap) << 2);
    memory.fill(dirSet, 0, (<usize>dirSetCap) << 2);
    for (let k: u32 = 1; k < dirCount; k++) dirSetPlace(k);
  } else {
    dirSetPlace(d);
  }
  lastDir = d;
  return d;
}

/**
 * Normalizes UTF-8 `src[0..n)` ('' and '.' components dropped, no leading or trailing '/') and
 * stores it as the entry's name (the last component, in the region's names) and directory prefix.
 * Returns 0, S_ROOT, or a warning code (nothing stored then).
 */
function putName(e: usize, src: usize, n: u32): u8 {
  if (<usize>n > normCap) {
    normCap = grownCapacity(normCap, n);
    if (norm != 0) heap.free(norm);
    norm = heap.alloc(normCap);
  }
  let o: u32 = 0;
  let leaf: u32 = 0;
  let i: u32 = 0;
  while (i < n) {
    if (load<u8>(src + i) == 47) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && load<u8>(src + j) != 47) {
      if (load<u8>(src + j) == 0) return W_NUL;
      j++;
    }
    const len = j - i;
    if (len == 1 && load<u8>(src + i) == 46) {
      i = j;
      continue;
    }
    if (len == 2 && load<u16>(src + i) == 0x2e2e) return W_DOTDOT;
    if (len > 255) return W_LONG;
    if (o != 0) store<u8>(norm + o++, 47);
    leaf = o;
    memory.copy(norm + o, src + i, len);
    o += len;
    i = j;
  }
  if (o == 0) return S_ROOT;
  // A normalized path is never longer than the raw name (at most 65,535 bytes) it came from,
  // except CP437 names, which can triple: those are rejected as too long.
  if (o > 0xffff) return W_LONG;
  store<u32>(e + N_PARENT, prefixOf(norm, leaf == 0 ? 0 : leaf - 1));
  const at = zipNameRoom(o - leaf);
  memory.copy(at, norm + leaf, o - leaf);
  zipNamesCommit(o - leaf);
  store<u32>(e + N_NAME, <u32>at);
  store<u8>(e + N_NAMELEN, <u8>(o - leaf));
  return 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(y: i32, m: i32, d: i32): i32 {
  const yy = m <= 2 ? y - 1 : y;
  const era = (yy >= 0 ? yy : yy - 399) / 400;
  const yoe = yy - era * 400;
  const doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/** DOS date/time (no zone in the format; read as UTC so results do not depend on the machine). */
function dosToMs(time: u32, date: u32): f64 {
  let month = <i32>((date >> 5) & 15);
  let day = <i32>(date & 31);
  if (month < 1) month = 1;
  if (month > 12) month = 12;
  if (day < 1) day = 1;
  const days = daysFromCivil(<i32>(date >> 9) + 1980, month, day);
  const secs = <i32>(time >> 11) * 3600 + <i32>((time >> 5) & 63) * 60 + <i32>(time & 31) * 2;
  return (<f64>days * 86400 + <f64>secs) * 1000;
}

// State of the parse in progress (zipParseBegin, then zipParseChunk until all are read).
let total: u32 = 0;
let done: u32 = 0;
let dirAt: f64 = 0;

/**
 * Starts parsing `n` central records of a directory of `size` bytes at file offset `cdAt`
 * (an entry's data must lie before it) into a new zip region. The caller owns the region
 * afterwards (several can live in one instance) and ends it with `zipClose`.
 */
export function zipParseBegin(n: u32, size: f64, cdAt: f64): i32 {
  warningsReset();
  errEntry = 0;
  if (<f64>n * 46 > size) return -Z_ERR_COUNT;
  // A standalone directory's instance has no index: its records still need the chunk table.
  if (!nodesReady()) nodesInit(16);
  region = newRegion();
  // The raw names are at most what the records leave of the directory: a first chunk that size
  // (up to 64 KiB) makes fewer, larger chunks of a big directory's names.
  const raw = size - <f64>n * 46;
  zipNamesBegin(region, raw < 65536 ? <usize>raw : 65536);
  const bytes = <usize>n * Z_STRIDE;
  table = heap.alloc(bytes + 1);
  memory.fill(table, 0, bytes);
  first = addZipChunks(table, n, region);
  dirsCap = 64;
  dirs = heap.alloc((<usize>dirsCap) << 3);
  store<u32>(dirs, 0);
  store<u32>(dirs + 4, 0);
  dirCount = 1; // 0: the root (no prefix)
  dirSetCap = 128;
  dirSet = heap.alloc((<usize>dirSetCap) << 2);
  memory.fill(dirSet, 0, (<usize>dirSetCap) << 2);
  lastDir = 0;
  wide = 0;
  wideCap = 0;
  wideCount = 0;
  const g = regionAt(region);
  store<u32>(g + R_FIRST, first);
  store<u32>(g + R_COUNT, n);
  store<u32>(g + R_BLOCK, <u32>table);
  store<u32>(g + R_OPEN, 1);
  total = n;
  done = 0;
  dirAt = cdAt;
  return 0;
}

/**
 * Parses the whole records in `p[0..len)`, the directory bytes that follow those consumed so
 * far; a record cut by the end of the window waits for the next one (the caller passes a
 * window that starts where this one stopped). Returns the bytes consumed, or -error
 * (zipErrorEntry() names the entry). With `last`, a cut record is a truncated directory.
 * Rejected entries stay in the table with a nonzero status.
 */
export function zipParseChunk(p: usize, len: u32, last: bool): i32 {
  const end = p + len;
  let at = p;
  while (done < total) {
    const i = done;
    errEntry = i;
    if (at + 46 > end) break;
    if (load<u32>(at) != 0x02014b50) return -Z_ERR_SIGNATURE;
    const nameLen = <u32>load<u16>(at + 28);
    const extraLen = <u32>load<u16>(at + 30);
    const commentLen = <u32>load<u16>(at + 32);
    const next = at + 46 + nameLen + extraLen + commentLen;
    if (next > end) break;
    const e = table + <usize>i * Z_STRIDE;
    const status = entry(e, at, nameLen, extraLen, dirAt, i);
    if (status != 0) {
      store<u16>(e + Z_METHOD, load<u16>(e + Z_METHOD) | ((<u16>status) << Z_STATUS_SHIFT));
      keepRaw(e, at + 46, nameLen);
      if (status != S_ROOT) warn(i, status);
    }
    done++;
    at = next;
  }
  if (done < total && last) return -Z_ERR_TRUNCATED;
  if (done == total) finish();
  return <i32>(at - p);
}

/** The parse is complete: the region gets its tables, the parse's scratch goes. */
function finish(): void {
  if (dirSet == 0) return;
  heap.free(dirSet);
  dirSet = 0;
  zipNamesEnd();
  const g = regionAt(region);
  store<u32>(g + R_DIRS, <u32>dirs);
  store<u32>(g + R_DIRCOUNT, dirCount);
  store<u32>(g + R_WIDE, <u32>wide);
  store<u32>(g + R_WIDECOUNT, wideCount);
}

/** Records parsed so far. */
export function zipParsed(): u32 {
  return done;
}

function entry(e: usize, at: usize, nameLen: u32, extraLen: u32, cdAt: f64, index: u32): u8 {
  const madeBy = load<u16>(at + 4);
  const gp = load<u16>(at + 8);
  const method = <u32>load<u16>(at + 10);
  store<u16>(e + Z_METHOD, method >= <u32>Z_METHOD_WIDE ? Z_METHOD_WIDE : <u16>method);
  store<u32>(e + Z_CRC, load<u32>(at + 16));
  const ext = load<u32>(at + 38);
  let mtime = dosToMs(<u32>load<u16>(at + 12), <u32>load<u16>(at + 14));
  let csize = <u64>load<u32>(at + 20);
  let size = <u64>load<u32>(at + 24);
  let disk = <u64>load<u16>(at + 34);
  let offset = <u64>load<u32>(at + 42);
  const rawName = at + 46;
  let name = rawName;
  let nlen = nameLen;
  let utf8 = (gp & 0x800) != 0;
  let hasExtTime = false;
  let status: u8 = 0;

  // Extra fields: Zip64 sizes, extended timestamp, NTFS times, Info-ZIP Unicode path.
  let x = rawName + nameLen;
  const xend = x + extraLen;
  while (x + 4 <= xend) {
    const id = load<u16>(x);
    const size16 = <u32>load<u16>(x + 2);
    const d = x + 4;
    if (d + size16 > xend) {
      status = W_EXTRA;
      break;
    }
    if (id == 0x0001) {
      let q = d;
      const qend = d + size16;
      if (size == 0xffffffff) {
        if (q + 8 > qend) return W_ZIP64_FIELD;
        size = load<u64>(q);
        q += 8;
      }
      if (csize == 0xffffffff) {
        if (q + 8 > qend) return W_ZIP64_FIELD;
        csize = load<u64>(q);
        q += 8;
      }
      if (offset == 0xffffffff) {
        if (q + 8 > qend) return W_ZIP64_FIELD;
        offset = load<u64>(q);
        q += 8;
      }
      if (disk == 0xffff) {
        if (q + 4 > qend) return W_ZIP64_FIELD;
        disk = <u64>load<u32>(q);
      }
    } else if (id == 0x5455 && size16 >= 5 && (load<u8>(d) & 1) != 0) {
      mtime = <f64>load<i32>(d + 1) * 1000;
      hasExtTime = true;
    } else if (id == 0x000a && size16 >= 32 && !hasExtTime) {
      // NTFS: 4 reserved bytes, then tag 1 (size 24): mtime, atime, ctime in 100 ns since 1601.
      if (load<u16>(d + 4) == 1 && load<u16>(d + 6) >= 24) {
        mtime = Math.floor(<f64>load<u64>(d + 8) / 10000) - 11644473600000;
      }
    } else if (id == 0x7075 && size16 > 5 && load<u8>(d) == 1) {
      // Only trusted if it was made from this very name (its CRC matches).
      if (load<u32>(d + 1) == crc32(rawName, nameLen)) {
        name = d + 5;
        nlen = size16 - 5;
        utf8 = true;
      }
    }
    x = d + size16;
  }
  if (status != 0) return status;
  if (<f64>size > MAX_SAFE || <f64>csize > MAX_SAFE || <f64>offset > MAX_SAFE) return W_TOO_LARGE;
  if (disk != 0) return W_DISK;
  // The entry's local header and data must lie before the central directory.
  if (<f64>offset + 30 + <f64>csize > cdAt) return W_OFFSET;
  const secs = mtime / 1000;
  let flags: u16 = (gp & 1) != 0 ? Z_ENCRYPTED : 0;
  if (
    method >= <u32>Z_METHOD_WIDE ||
    size >= 0xffffffff ||
    csize >= 0xffffffff ||
    offset >= 0xffffffff ||
    !(secs >= 0 && secs <= 4294967295.0 && Math.floor(secs) == secs)
  ) {
    flags |= Z_WIDE;
    addWide(index, method, <f64>size, <f64>csize, <f64>offset, mtime);
  } else {
    store<u32>(e + Z_MTIME, <u32>secs);
    store<u32>(e + Z_CSIZE, <u32>csize);
    store<u32>(e + Z_SIZE, <u32>size);
    store<u32>(e + Z_OFFSET, <u32>offset);
  }

  // Kind and mode: Unix hosts (3, and 19 = OS X) keep st_mode in the high 16 bits.
  const host = madeBy >> 8;
  const slash = nlen > 0 && load<u8>(name + nlen - 1) == 47;
  let kind = slash || (ext & 0x10) != 0 ? KIND_DIR : KIND_FILE;
  let mode: u32 = kind == KIND_DIR ? 0o755 : 0o644;
  if ((host == 3 || host == 19) && ext >> 16 != 0) {
    const st = ext >> 16;
    const type = st & 0xf000;
    mode = st & 0o7777;
    if (type == 0x4000) kind = KIND_DIR;
    else if (type == 0xa000) kind = KIND_SYMLINK;
    else if (type == 0x8000) kind = slash ? KIND_DIR : KIND_FILE;
    else if (type != 0) return W_TYPE;
  } else if ((ext & 1) != 0) {
    mode &= ~0o222;
  }
  store<u16>(e + Z_MODE, <u16>(mode & 0xfff) | ((<u16>kind) << Z_KIND_SHIFT) | flags);

  // The name: UTF-8 (flag bit 11 or a matching Unicode path field) or CP437. Unix writers
  // (Info-ZIP zip in a non-UTF-8 locale, many libraries) store UTF-8 without flagging it; a
  // Unix-made name that is valid UTF-8 is read as UTF-8 (valid multi-byte UTF-8 is very
  // unlikely to be meant as CP437).
  let src = name;
  let srcLen = nlen;
  if (!utf8 && (host == 3 || host == 19) && validUtf8(name, nlen)) utf8 = true;
  if (utf8) {
    if (!validUtf8(name, nlen)) return W_UTF8;
  } else {
    ensureTmp(<usize>nlen * 3 + 1);
    srcLen = cp437ToUtf8(name, nlen, tmp);
    src = tmp;
  }
  if (srcLen == 0) return W_EMPTY;
  const r = putName(e, src, srcLen);
  if (r == S_ROOT && kind != KIND_DIR) return W_EMPTY;
  return r;
}

function addWide(index: u32, method: u32, size: f64, csize: f64, offset: f64, mtime: f64): void {
  const need = (<usize>wideCount + 1) * WIDE_STRIDE;
  if (need > wideCap) {
    wideCap = grownCapacity(wideCap, need);
    wide = wide == 0 ? heap.alloc(wideCap) : heap.realloc(wide, wideCap);
  }
  const w = wide + <usize>wideCount * WIDE_STRIDE;
  store<u32>(w + WIDE_INDEX, index);
  store<u32>(w + WIDE_METHOD, method);
  store<f64>(w + WIDE_SIZE, size);
  store<f64>(w + WIDE_CSIZE, csize);
  store<f64>(w + WIDE_OFFSET, offset);
  store<f64>(w + WIDE_MTIME, mtime);
  wideCount++;
}

/**
 * A zip directory closes: its prefixes table and wide list go, and so do its records and names
 * if none of its records is a node (never built, or every node built from them removed since);
 * else they go when the last one is removed (`reclaimRegions`).
 */
export function zipClose(r: u32): void {
  const g = regionAt(r);
  if (load<u32>(g + R_OPEN) == 0) return;
  store<u32>(g + R_OPEN, 0);
  for (let f: usize = R_REVMAP; f <= R_WIDE; f += 4) {
    if (f == R_REVCAP || f == R_DIRCOUNT) continue;
    const p = <usize>load<u32>(g + f);
    if (p != 0) heap.free(p);
    store<u32>(g + f, 0);
  }
  store<u32>(g + R_WIDECOUNT, 0);
  store<u32>(g + R_DIRCOUNT, 0);
  if (load<u32>(g + R_BUILT) == 0 || load<u32>(g + R_LIVE) == 0) freeRecords(g);
}

/**
 * Frees a closed region's records and names; their ids are cleared of tags, ordinals and
 * overrides for reuse. Nothing else points at its names (zipnames.ts).
 */
function freeRecords(g: usize): void {
  const first = load<u32>(g + R_FIRST);
  const count = load<u32>(g + R_COUNT);
  clearTags(first, count);
  dropTargetRange(first, count);
  clearOrdinals(first, count);
  ovrDropRange(first, count);
  dropZipChunks(first, count);
  heap.free(<usize>load<u32>(g + R_BLOCK));
  store<u32>(g + R_BLOCK, 0);
  zipNamesFree(g);
}

/**
 * Frees the records of every closed region none of whose records is a node any more. Called after
 * removals: a region's last node may go long after its directory closed (an overlay closing).
 */
export function reclaimRegions(): void {
  if (!takeReclaimable()) return;
  for (let r: u32 = 0; r < regionCount(); r++) {
    const g = regionAt(r);
    if (load<u32>(g + R_OPEN) == 0 && load<u32>(g + R_BLOCK) != 0 && load<u32>(g + R_LIVE) == 0)
      freeRecords(g);
  }
}

/** A parse failed: its region goes (its scratch too). */
export function zipAbort(): void {
  finish();
  zipClose(region);
}

/** Frees the parser's scratch (tables and names belong to the caller). */
export function zipRelease(): void {
  if (tmp != 0) heap.free(tmp);
  tmp = 0;
  tmpCap = 0;
  if (norm != 0) heap.free(norm);
  norm = 0;
  normCap = 0;
}
