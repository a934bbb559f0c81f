/**
 * The lower inode number inside an overlayfs file handle (`trusted.overlay.origin`), so an
 * upperdir the kernel wrote can be tied back to the lower objects its copies came from.
 *
 * The xattr holds `struct ovl_fb`: version, magic 0xfb, length, flags, the lower filesystem's
 * handle type, its uuid (16 bytes), then the handle itself, whose layout each filesystem
 * chooses. The layouts read here are the common local ones; anything else gives `undefined`
 * and the caller falls back to the object's path.
 */

const HEADER = 21;
const MAGIC = 0xfb;

/** The inode number the handle names, or `undefined` where its layout is not known here. */
export function inodeOfOrigin(value: Uint8Array): number | undefined {
  if (value.length < HEADER || value[1] !== MAGIC) return undefined;
  const length = Math.min(value[2] ?? 0, value.length);
  const type = value[4];
  const fid = new DataView(value.buffer, value.byteOffset + HEADER, Math.max(0, length - HEADER));
  const u32 = (at: number) => fid.getUint32(at, true);
  // FILEID_INO32_GEN(_PARENT), ext2/3/4 and xfs with 32-bit inodes: inode, generation (…parent).
  if ((type === 1 || type === 2) && (fid.byteLength === 8 || fid.byteLength === 16)) return u32(0);
  // tmpfs (shmem) uses type 1 with three words: generation, inode low, inode high.
  if (type === 1 && fid.byteLength === 12) return u32(4) + u32(8) * 2 ** 32;
  // xfs with 64-bit inodes (FILEID_INO32_GEN | XFS_FILEID_TYPE_64FLAG), btrfs (0x4d…0x4f): a 64-bit inode first.
  if (
    (type === 0x81 || type === 0x82 || (type !== undefined && type >= 0x4d && type <= 0x4f)) &&
    fid.byteLength >= 12
  ) {
    return u32(0) + u32(4) * 2 ** 32;
  }
  return undefined;
}
