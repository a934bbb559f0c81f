/**
 * For the whole-browser crash test (browser-crash.test.ts), in Node: what a
 * LevelDB that recovers correctly would do to a log a SIGKILL tore.
 *
 * Why this exists: Chromium keeps IndexedDB in LevelDB, whose log is a
 * sequence of records (7-byte header: checksum, length, type; then the
 * payload; 32 KiB blocks). Chromium writes a record's header and its payload
 * with separate write calls, so a SIGKILL between them leaves a header
 * without its payload at the end of the log (seen: a 7-byte header announcing
 * 440 bytes, none written). Recovery rightly drops that torn record — but it
 * then reuses the log (`reuse_logs`) and appends the next session's records
 * right after it. The open after that reads the stale header's length over the
 * new records, finds a checksum mismatch, and Chromium deletes the origin's
 * whole IndexedDB as corrupt ("IndexedDB recovering from a corrupted (and
 * deleted) database"): every workspace is gone, whatever Vellum stored.
 *
 * The crash tests used to cut such tails off between a kill and the relaunch;
 * they no longer touch the browser's files. `tornTailAt` now tells the canary
 * (browser-canary.test.ts) that the tail it injects is one a torn write leaves.
 * The same format serves the MANIFEST, which LevelDB reuses the same way.
 */
const BLOCK = 32 * 1024;
const HEADER = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

/**
 * Where `log` (a whole LevelDB log or MANIFEST file) should end: the end of
 * its last complete record when a record at its end is torn (a partial
 * header, a payload shorter than its header says, or a fragmented record
 * without its last fragment); `undefined` when nothing is torn, or when the
 * file is not a well-formed log up to its end (then it is left as it is).
 */
export function tornTailAt(log: Uint8Array): number | undefined {
  const view = new DataView(log.buffer, log.byteOffset, log.byteLength);
  let pos = 0;
  let complete = 0; // end of the last complete logical record
  let fragmented = false;
  while (pos < log.length) {
    const left = BLOCK - (pos % BLOCK);
    if (left < HEADER) {
      // A block's trailer: zeros the writer pads with when no header fits.
      pos += left;
      continue;
    }
    if (pos + HEADER > log.length) return complete; // a partial header
    const length = view.getUint16(pos + 4, true);
    const type = view.getUint8(pos + 6);
    const end = pos + HEADER + length;
    if (HEADER + length > left) return undefined; // no writer lays a record across blocks
    if (end > log.length) return complete; // a header whose payload was not (all) written
    if (type === 0 && length === 0) {
      // Preallocated space some writers leave; readers skip it.
      pos = end;
      continue;
    }
    if (type === FULL || type === FIRST) {
      if (fragmented) return undefined;
      fragmented = type === FIRST;
    } else if (type === MIDDLE || type === LAST) {
      if (!fragmented) return undefined;
      fragmented = type === MIDDLE;
    } else {
      return undefined;
    }
    pos = end;
    if (!fragmented) complete = end;
  }
  return fragmented ? complete : undefined;
}
