/**
 * Frames: how the OPFS upper's journal and snapshot files hold records.
 *
 * ```
 * magic u32 'VOF1' | payload length u32 | CRC-32 of the payload u32 | payload
 * ```
 *
 * A crash while a record is appended leaves a frame whose header or payload is
 * cut short or whose bytes are not the ones written; the checksum tells, and
 * the scan stops there: everything before it was flushed before its operation
 * was acknowledged, everything from it on was never acknowledged. The writer
 * cuts the file back to that point before appending again — never appending
 * after a torn record, which is what turns a torn tail into a lost store in
 * LevelDB (google/leveldb#1287).
 */
import { crc32 } from '../zip/crc32.js';

const MAGIC = 0x564f4631; // 'VOF1'
/** Bytes before a frame's payload. */
export const FRAME_HEADER = 12;

/** One frame's bytes for `payload`. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC);
  view.setUint32(4, payload.byteLength);
  view.setUint32(8, crc32(payload));
  out.set(payload, FRAME_HEADER);
  return out;
}

/** A whole frame found in a file: where its payload starts, and the payload. */
export interface Frame {
  /** Offset of the payload in the file. */
  at: number;
  /** The payload (a view of the bytes scanned). */
  payload: Uint8Array;
}

/** The frames of a file's bytes, up to the first torn or foreign one. */
export interface Scan {
  frames: Frame[];
  /** Where the good frames end: the file is cut back to this before anything is appended. */
  end: number;
  /** Bytes after `end` (a torn tail): dropped. */
  torn: number;
}

/** Reads the frames of `bytes` in order; stops at the first that is short or fails its checksum. */
export function scanFrames(bytes: Uint8Array): Scan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Frame[] = [];
  let at = 0;
  while (at + FRAME_HEADER <= bytes.byteLength) {
    if (view.getUint32(at) !== MAGIC) break;
    const length = view.getUint32(at + 4);
    const start = at + FRAME_HEADER;
    if (start + length > bytes.byteLength) break;
    const payload = bytes.subarray(start, start + length);
    if (crc32(payload) !== view.getUint32(at + 8)) break;
    frames.push({ at: start, payload });
    at = start + length;
  }
  return { frames, end: at, torn: bytes.byteLength - at };
}
