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
 * Cutting the torn tail off before the relaunch changes nothing the next
 * session reads (recovery drops those bytes anyway); it only keeps Chromium
 * from writing after them. The same format serves the MANIFEST, which LevelDB
 * reuses the same way.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

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

/**
 * Cuts torn tails off the LevelDB logs and MANIFESTs of every IndexedDB
 * backing store under `dir` (a profile's `Default/IndexedDB`). Only for
 * files no process writes any more. Resolves to the number of files cut.
 */
export async function trimTornTails(dir: string): Promise<number> {
  let cut = 0;
  const stores = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const store of stores) {
    if (!store.isDirectory() || !store.name.endsWith('.leveldb')) continue;
    const storeDir = join(dir, store.name);
    for (const name of await readdir(storeDir)) {
      if (!/^(\d+\.log|MANIFEST-\d+)$/.test(name)) continue;
      const file = await open(join(storeDir, name), 'r+');
      try {
        const at = tornTailAt(await file.readFile());
        if (at !== undefined) {
          await file.truncate(at);
          cut++;
        }
      } finally {
        await file.close();
      }
    }
  }
  return cut;
}
