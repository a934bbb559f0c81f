/**
 * The payloads of the OPFS upper's frames: a journal record (one commit) and a
 * snapshot (the whole state, written by compaction). Both are a JSON head and
 * a blob of the small chunks' bytes after it, so that a chunk stays where it
 * was written and is read from there by offset (never held in memory):
 *
 * ```
 * head length u32 | head (JSON, UTF-8) | inline chunk bytes
 * ```
 *
 * A chunk is either inline (its bytes in the blob: `{ o, n }`, offset in the blob
 * and length) or in a file of its own (`{ f, n }`, a name in the `chunks` directory).
 */
import type { UpperChange, UpperInode, UpperMeta } from '../layer.js';

/** Where a chunk's bytes are, in a frame's blob or in a file of its own. */
export type StoredChunk = { o: number; n: number } | { f: string; n: number };

/** A change as a journal record stores it: a chunk's bytes replaced by where they are. */
export type RecordChange =
  | Exclude<UpperChange, { op: 'put-chunk' }>
  | { op: 'put-chunk'; ino: number; index: number; at: StoredChunk };

/** One commit. */
export interface RecordHead {
  /** The frame's number, one more than the last: replay skips those a snapshot already holds. */
  n: number;
  /** The commit's sequence number as the upper reports it (`committedSeq`; `restore` sets it). */
  seq: number;
  /** The state before this record is dropped: the record is a whole state (`restore`). */
  replace?: boolean;
  changes: RecordChange[];
}

/** The whole state at one commit. */
export interface SnapshotHead {
  /** The last frame the snapshot holds. */
  n: number;
  /** The last commit's sequence number. */
  seq: number;
  meta: UpperMeta | undefined;
  inodes: UpperInode[];
  /** `[parent, name, ino]`, `ino` null for a whiteout. */
  dirents: [number, string, number | null][];
  /** `[ino, index, where]`. */
  chunks: [number, number, StoredChunk][];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A payload: the head, then the blobs in order. */
export function encodePayload(head: RecordHead | SnapshotHead, blobs: readonly Uint8Array[]): Uint8Array {
  const json = encoder.encode(JSON.stringify(head));
  let size = 4 + json.byteLength;
  for (const b of blobs) size += b.byteLength;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, json.byteLength);
  out.set(json, 4);
  let at = 4 + json.byteLength;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

/** A payload's head, and where its blob starts within the payload. */
export function decodePayload<H>(payload: Uint8Array): { head: H; blobAt: number } {
  const length = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
  const head = JSON.parse(decoder.decode(payload.subarray(4, 4 + length))) as H;
  return { head, blobAt: 4 + length };
}
