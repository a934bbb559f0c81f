// The zip central-directory parser. Two steps, so a caller that reads over HTTP fetches only what
// it needs: `zipLocate` finds the end record in the file's tail (and says where the Zip64 record
// is, if any, for `zipReadZip64`); `zipParse` turns the central directory into a compact entry
// table (32-byte records; normalized UTF-8 paths in the names arena, where the index's nodes
// share them; values over 32 bits in a wide list) that the index consumes.
// Every read is bounds-checked against the bytes given: bad input returns an error code or
// rejects one entry with a warning; it never traps.
import { grownCapacity } from './heap-util';
import {
  KIND_DIR,
  KIND_FILE,
  KIND_SYMLINK,
  WIDE_CSIZE,
  WIDE_INDEX,
  WIDE_MTIME,
  WIDE_OFFSET,
  WIDE_SIZE,
  WIDE_STRIDE,
  Z_CRC,
  Z_CSIZE,
  Z_ENCRYPTED,
  Z_KIND,
  Z_METHOD,
  Z_MODE,
  Z_MTIME,
  Z_NAME,
  Z_NAMELEN,
  Z_OFFSET,
  Z_SHIFT,
  Z_SIZE,
  Z_STATUS,
  Z_WIDE,
} from './layout';
import {
  commitNames,
  namesBase,
  namesInit,
  namesLength,
  pinNames,
  reserveNames,
  trimNames,
  unpinNames,
} from './names';
import { cp437ToUtf8, crc32, validUtf8 } from './text';
import { warn, warningsReset } from './warnings';

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

// The entry table being built.
let table: usize = 0;
let wide: usize = 0;
let wideCap: usize = 0;
let wideCount: u32 = 0;
let tmp: usize = 0;
let tmpCap: usize = 0;
let errEntry: u32 = 0;

export function zipTable(): usize {
  return table;
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
  reserveNames(n, false);
  memory.copy(namesBase() + namesLength(), src, n);
  store<u32>(e + Z_NAME, <u32>namesLength());
  store<u16>(e + Z_NAMELEN, <u16>n);
  commitNames(n);
}

/**
 * Normalizes UTF-8 `src[0..n)` into the names arena: '' and '.' components dropped, no
 * leading or trailing '/'. Returns 0, S_ROOT, or a warning code. Sets *isDir via the result
 * of the trailing-slash check done by the caller.
 */
function putName(e: usize, src: usize, n: u32): u8 {
  reserveNames(n, false);
  const names = namesBase();
  const start = namesLength();
  let o = start;
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
    if (o != start) store<u8>(names + o++, 47);
    memory.copy(names + o, src + i, len);
    o += len;
    i = j;
  }
  if (o == start) return S_ROOT;
  // A normalized path is never longer than the raw name (at most 65,535 bytes) it came from,
  // except CP437 names, which can triple: those are cut down to the field's width as rejected.
  if (o - start > 0xffff) return W_LONG;
  store<u32>(e + Z_NAME, <u32>start);
  store<u16>(e + Z_NAMELEN, <u16>(o - start));
  commitNames(o - start);
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
 * (an entry's data must lie before it). Allocates the table; the caller owns it afterwards
 * (several zip layers can live in one instance) and frees it and the wide list with `free`,
 * then calls `zipUnpin` (its names stay in the arena, which cannot compact while it is open).
 */
export function zipParseBegin(n: u32, size: f64, cdAt: f64): i32 {
  warningsReset();
  errEntry = 0;
  if (<f64>n * 46 > size) return -Z_ERR_COUNT;
  table = heap.alloc(((<usize>n) << Z_SHIFT) + 1);
  memory.fill(table, 0, (<usize>n) << Z_SHIFT);
  wide = 0;
  wideCap = 0;
  wideCount = 0;
  if (namesBase() == 0) namesInit(64);
  // Names are at most what the records leave after their fixed 46 bytes (names, extra fields,
  // comments): reserve that bound once (after the table, so what the trim gives back is at the
  // top of the heap, where the index's next tables go), and trim when the parse ends. Reserved
  // before pinning, so the paths of zip tables closed since can be compacted away first.
  reserveNames(<usize>Math.min(size - <f64>n * 46, 268435456.0), true);
  pinNames();
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
    const e = table + ((<usize>i) << Z_SHIFT);
    const status = entry(e, at, nameLen, extraLen, dirAt, i);
    if (status != 0) {
      store<u8>(e + Z_STATUS, status);
      if (load<u16>(e + Z_NAMELEN) == 0) keepRaw(e, at + 46, nameLen);
      if (status != S_ROOT) warn(i, status);
    }
    done++;
    at = next;
  }
  if (done < total && last) return -Z_ERR_TRUNCATED;
  if (done == total) trimNames();
  return <i32>(at - p);
}

/** Records parsed so far. */
export function zipParsed(): u32 {
  return done;
}

function entry(e: usize, at: usize, nameLen: u32, extraLen: u32, cdAt: f64, index: u32): u8 {
  const madeBy = load<u16>(at + 4);
  const gp = load<u16>(at + 8);
  store<u16>(e + Z_METHOD, load<u16>(at + 10));
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
  let flags: u8 = (gp & 1) != 0 ? Z_ENCRYPTED : 0;
  if (
    size >= 0xffffffff ||
    csize >= 0xffffffff ||
    offset >= 0xffffffff ||
    !(secs >= 0 && secs <= 4294967295.0 && Math.floor(secs) == secs)
  ) {
    flags |= Z_WIDE;
    addWide(index, <f64>size, <f64>csize, <f64>offset, mtime);
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
  store<u8>(e + Z_KIND, kind | flags);
  store<u16>(e + Z_MODE, <u16>mode);

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

function addWide(index: u32, size: f64, csize: f64, offset: f64, mtime: f64): void {
  const need = (<usize>wideCount + 1) * WIDE_STRIDE;
  if (need > wideCap) {
    wideCap = grownCapacity(wideCap, need);
    wide = wide == 0 ? heap.alloc(wideCap) : heap.realloc(wide, wideCap);
  }
  const w = wide + <usize>wideCount * WIDE_STRIDE;
  store<u32>(w + WIDE_INDEX, index);
  store<f64>(w + WIDE_SIZE, size);
  store<f64>(w + WIDE_CSIZE, csize);
  store<f64>(w + WIDE_OFFSET, offset);
  store<f64>(w + WIDE_MTIME, mtime);
  wideCount++;
}

/** An open table stopped using the arena (see zipParseBegin). */
export function zipUnpin(): void {
  unpinNames();
}

/** Frees the parser's scratch (tables and names belong to the caller). */
export function zipRelease(): void {
  if (tmp != 0) heap.free(tmp);
  tmp = 0;
  tmpCap = 0;
}
