/**
 * ETags that change when a file's bytes change. Small files (what a playground edits and
 * reloads) are read whole anyway, so their tag is a digest of the bytes: it changes
 * exactly when they do. A large file is streamed and never read whole, so its tag is
 * its inode, size and mtime: it changes on every write (a write that keeps the size in
 * the same millisecond is the one case it can miss).
 */

/** Files up to this size get a digest ETag (and are read whole); larger ones stream. */
export const DIGEST_MAX = 1024 * 1024;

/** A strong ETag from a SHA-256 of the bytes (base64url, first 128 bits). */
export async function digestTag(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let binary = '';
  for (const b of hash.subarray(0, 16)) binary += String.fromCharCode(b);
  return `"${btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')}"`;
}

/** A strong ETag from a large file's identity and metadata. */
export function metaTag(stats: { ino: number; size: number; mtimeMs: number }): string {
  return `"${stats.ino.toString(36)}-${stats.size.toString(36)}-${Math.round(stats.mtimeMs).toString(36)}"`;
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, as RFC 9110 asks for it). */
export function matchesNoneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}
