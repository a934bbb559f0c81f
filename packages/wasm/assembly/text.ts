// Name decoding helpers for the zip parser: CP437 to UTF-8, UTF-8 validation, CRC-32.

// CP437 code points for bytes 0x80–0xFF (bytes below 0x80 are ASCII).
const CP437: StaticArray<u16> = [
  0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee,
  0x00ec, 0x00c4, 0x00c5, 0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9, 0x00ff, 0x00d6,
  0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192, 0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa,
  0x00ba, 0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb, 0x2591, 0x2592, 0x2593, 0x2502,
  0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510, 0x2514,
  0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f, 0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550,
  0x256c, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c,
  0x2588, 0x2584, 0x258c, 0x2590, 0x2580, 0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
  0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229, 0x2261, 0x00b1, 0x2265, 0x2264, 0x2320,
  0x2321, 0x00f7, 0x2248, 0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
];

/** Writes the UTF-8 form of CP437 bytes `src[0..len)` at `dst` (room for 3·len); returns its length. */
export function cp437ToUtf8(src: usize, len: u32, dst: usize): u32 {
  let o: usize = dst;
  for (let i: u32 = 0; i < len; i++) {
    const b = <u32>load<u8>(src + i);
    if (b < 0x80) {
      store<u8>(o++, <u8>b);
      continue;
    }
    const c = <u32>unchecked(CP437[b - 0x80]);
    if (c < 0x800) {
      store<u8>(o++, <u8>(0xc0 | (c >> 6)));
    } else {
      store<u8>(o++, <u8>(0xe0 | (c >> 12)));
      store<u8>(o++, <u8>(0x80 | ((c >> 6) & 0x3f)));
    }
    store<u8>(o++, <u8>(0x80 | (c & 0x3f)));
  }
  return <u32>(o - dst);
}

/** True if `p[0..len)` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
export function validUtf8(p: usize, len: u32): bool {
  let i: u32 = 0;
  while (i < len) {
    const b = <u32>load<u8>(p + i);
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: u32;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b == 0xe0) lo = 0xa0;
      if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b == 0xf0) lo = 0x90;
      if (b == 0xf4) hi = 0x8f;
    } else return false;
    if (i + need >= len) return false;
    const c1 = <u32>load<u8>(p + i + 1);
    if (c1 < lo || c1 > hi) return false;
    for (let k: u32 = 2; k <= need; k++) {
      const c = <u32>load<u8>(p + i + k);
      if (c < 0x80 || c > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

let crcTable: usize = 0;

/** CRC-32 (IEEE), as zip uses it; the table is built on first use. */
export function crc32(p: usize, len: u32): u32 {
  if (crcTable == 0) {
    crcTable = heap.alloc(1024);
    for (let n: u32 = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      store<u32>(crcTable + ((<usize>n) << 2), c);
    }
  }
  let crc: u32 = 0xffffffff;
  for (let i: u32 = 0; i < len; i++) {
    crc = load<u32>(crcTable + ((<usize>((crc ^ load<u8>(p + i)) & 0xff)) << 2)) ^ (crc >>> 8);
  }
  return crc ^ 0xffffffff;
}
