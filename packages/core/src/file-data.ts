/**
 * Chunked copy-on-write file data. A file in the upper is a set of chunks over
 * an optional lower source: a stored chunk wins; a missing chunk below
 * `lowerLimit` reads from the lower; anything else reads as zeros. A write
 * stores only the chunks it touches, so one byte into a 100 MB lower file costs
 * one chunk.
 *
 * Every operation is planned as pieces to fetch, fetched (awaiting layers, or
 * synchronously where every layer holds its bytes), then applied: one logic,
 * two ways of waiting.
 */
import { FsError } from './errors.js';
import type { FileNode } from './inode.js';
import type { Namespace } from './namespace.js';
import type { Txn } from './txn.js';

/** One piece of bytes to fetch: a stored chunk, or a range of the lower source. */
type Piece = { from: 'upper'; index: number } | { from: 'lower'; offset: number; length: number };

/** How a piece is fetched: `fetchAsync` awaits the layers, `fetchSync` refuses to wait. */
type Fetch<R> = (ns: Namespace, node: FileNode, pieces: readonly Piece[]) => R;

const fetchAsync: Fetch<Promise<Uint8Array[]>> = (ns, node, pieces) =>
  Promise.all(
    pieces.map((p) => (p.from === 'upper' ? upperChunk(ns, node, p.index) : readLower(ns, node, p))),
  );

const fetchSync: Fetch<Uint8Array[]> = (ns, node, pieces) =>
  pieces.map((p) => (p.from === 'upper' ? upperChunkSync(ns, node, p.index) : readLowerSync(ns, node, p)));

// ── read ──────────────────────────────────────────────────────────────────

interface ReadPlan {
  start: number;
  end: number;
  /** Where each fetched piece goes in the result, and which part of it. */
  places: { at: number; skip: number; take: number }[];
  pieces: Piece[];
}

function planRead(ns: Namespace, node: FileNode, offset: number, length: number): ReadPlan {
  const end = Math.min(node.size, offset + length);
  const plan: ReadPlan = { start: offset, end, places: [], pieces: [] };
  const size = ns.chunkSize;
  let pos = offset;
  while (pos < end) {
    const index = Math.floor(pos / size);
    const chunkStart = index * size;
    const chunkEnd = Math.min(chunkStart + size, end);
    if (node.chunks.has(index)) {
      plan.pieces.push({ from: 'upper', index });
      plan.places.push({ at: pos - offset, skip: pos - chunkStart, take: chunkEnd - pos });
      pos = chunkEnd;
      continue;
    }
    // A run of chunks the upper does not hold is one lower read (zeros past lowerLimit).
    let runEnd = chunkEnd;
    while (runEnd < end && !node.chunks.has(Math.floor(runEnd / size))) runEnd = Math.min(runEnd + size, end);
    const lowerEnd = node.lower ? Math.min(runEnd, node.lowerLimit) : pos;
    if (lowerEnd > pos) {
      plan.pieces.push({ from: 'lower', offset: pos, length: lowerEnd - pos });
      plan.places.push({ at: pos - offset, skip: 0, take: lowerEnd - pos });
    }
    pos = runEnd;
  }
  return plan;
}

function assemble(plan: ReadPlan, fetched: readonly Uint8Array[]): Uint8Array {
  // The common case, one lower range covering the whole read: its bytes are the result.
  // Only a lower's bytes may be handed out as they are: layers return fresh buffers,
  // while an upper's chunk may be its stored copy.
  const only = fetched[0];
  if (
    fetched.length === 1 &&
    only &&
    plan.pieces[0]?.from === 'lower' &&
    only.length === plan.end - plan.start
  ) {
    return only;
  }
  const out = new Uint8Array(Math.max(0, plan.end - plan.start));
  plan.places.forEach((place, i) => {
    const bytes = fetched[i] as Uint8Array;
    const part = bytes.subarray(place.skip, Math.min(bytes.length, place.skip + place.take));
    out.set(part, place.at);
  });
  return out;
}

/** Reads `[offset, offset + length)` of a file (clamped to its size), as a fresh buffer. */
export async function readData(
  ns: Namespace,
  node: FileNode,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const plan = planRead(ns, node, offset, length);
  return assemble(plan, await fetchAsync(ns, node, plan.pieces));
}

/** The same, without waiting: EAGAIN if a layer would have to (see `readSync` on the layers). */
export function readDataSync(ns: Namespace, node: FileNode, offset: number, length: number): Uint8Array {
  const plan = planRead(ns, node, offset, length);
  return assemble(plan, fetchSync(ns, node, plan.pieces));
}

// ── write and truncate ────────────────────────────────────────────────────

interface WritePlan {
  newSize: number;
  /** Touched chunks: index, length, and whether the old bytes are needed (partly covered). */
  chunks: { index: number; length: number; base: Piece | 'zeros' | 'none' }[];
}

function planWrite(ns: Namespace, node: FileNode, length: number, position: number): WritePlan {
  const size = ns.chunkSize;
  const end = position + length;
  const newSize = Math.max(node.size, end);
  const plan: WritePlan = { newSize, chunks: [] };
  if (length === 0) return plan;
  for (let index = Math.floor(position / size); index <= Math.floor((end - 1) / size); index++) {
    const chunkStart = index * size;
    const chunkLen = Math.min(size, newSize - chunkStart);
    const covered = position <= chunkStart && end >= chunkStart + chunkLen;
    let base: Piece | 'zeros' | 'none' = 'none';
    if (!covered) {
      if (node.chunks.has(index)) base = { from: 'upper', index };
      else {
        const lowerEnd = Math.min(chunkStart + chunkLen, node.lowerLimit, node.size);
        base =
          node.lower && lowerEnd > chunkStart
            ? { from: 'lower', offset: chunkStart, length: lowerEnd - chunkStart }
            : 'zeros';
      }
    }
    plan.chunks.push({ index, length: chunkLen, base });
  }
  return plan;
}

const basePieces = (plan: WritePlan): Piece[] =>
  plan.chunks.flatMap((c) => (typeof c.base === 'object' ? [c.base] : []));

function applyWrite(
  ns: Namespace,
  node: FileNode,
  data: Uint8Array,
  position: number,
  plan: WritePlan,
  bases: readonly Uint8Array[],
  tx: Txn,
): void {
  if (plan.chunks.length === 0) return;
  const size = ns.chunkSize;
  const end = position + data.length;
  let next = 0;
  tx.write(node);
  for (const { index, length, base } of plan.chunks) {
    const chunkStart = index * size;
    const bytes = new Uint8Array(length);
    if (typeof base === 'object') {
      const old = bases[next++] as Uint8Array;
      bytes.set(old.length > length ? old.subarray(0, length) : old);
    }
    const from = Math.max(position, chunkStart);
    const to = Math.min(end, chunkStart + length);
    bytes.set(data.subarray(from - position, to - position), from - chunkStart);
    node.chunks.add(index);
    tx.put({ op: 'put-chunk', ino: node.ino, index, data: bytes });
  }
  node.size = plan.newSize;
  node.dataUpper = true;
  stamp(node);
}

/**
 * Writes `data` at `position`: reads what partly covered chunks need first,
 * then changes the node and lists the chunks in the transaction.
 */
export async function writeData(
  ns: Namespace,
  node: FileNode,
  data: Uint8Array,
  position: number,
  tx: Txn,
): Promise<void> {
  const plan = planWrite(ns, node, data.length, position);
  applyWrite(ns, node, data, position, plan, await fetchAsync(ns, node, basePieces(plan)), tx);
}

export function writeDataSync(
  ns: Namespace,
  node: FileNode,
  data: Uint8Array,
  position: number,
  tx: Txn,
): void {
  const plan = planWrite(ns, node, data.length, position);
  applyWrite(ns, node, data, position, plan, fetchSync(ns, node, basePieces(plan)), tx);
}

/** The stored chunk a shrinking truncate cuts through, if any: it is stored again, shorter. */
function truncatePiece(ns: Namespace, node: FileNode, length: number): Piece[] {
  const cut = Math.floor(length / ns.chunkSize);
  return length < node.size && length % ns.chunkSize !== 0 && node.chunks.has(cut)
    ? [{ from: 'upper', index: cut }]
    : [];
}

function applyTruncate(
  ns: Namespace,
  node: FileNode,
  length: number,
  cutChunk: Uint8Array | undefined,
  tx: Txn,
): void {
  const size = ns.chunkSize;
  tx.write(node);
  if (length < node.size) {
    for (const index of [...node.chunks]) {
      if (index * size >= length) {
        node.chunks.delete(index);
        tx.put({ op: 'drop-chunk', ino: node.ino, index });
      }
    }
    if (cutChunk) {
      const cut = Math.floor(length / size);
      tx.put({ op: 'put-chunk', ino: node.ino, index: cut, data: cutChunk.slice(0, length - cut * size) });
    }
    node.lowerLimit = Math.min(node.lowerLimit, length);
  }
  node.size = length;
  node.dataUpper = true;
  stamp(node);
}

/** Truncates (or extends with zeros) to `length`. */
export async function truncateData(ns: Namespace, node: FileNode, length: number, tx: Txn): Promise<void> {
  const [cut] = await fetchAsync(ns, node, truncatePiece(ns, node, length));
  applyTruncate(ns, node, length, cut, tx);
}

export function truncateDataSync(ns: Namespace, node: FileNode, length: number, tx: Txn): void {
  const [cut] = fetchSync(ns, node, truncatePiece(ns, node, length));
  applyTruncate(ns, node, length, cut, tx);
}

function stamp(node: FileNode): void {
  const now = Date.now();
  node.mtimeMs = now;
  node.ctimeMs = now;
}

// ── fetching ──────────────────────────────────────────────────────────────

function lostChunk(node: FileNode, index: number): FsError {
  return new FsError('EIO', 'read', undefined, undefined, {
    cause: new Error(`upper lost chunk ${index} of inode ${node.ino}`),
  });
}

async function upperChunk(ns: Namespace, node: FileNode, index: number): Promise<Uint8Array> {
  const chunk = await ns.upper.readChunk(node.ino, index);
  if (!chunk) throw lostChunk(node, index);
  return chunk;
}

function upperChunkSync(ns: Namespace, node: FileNode, index: number): Uint8Array {
  const chunk = ns.upper.readChunkSync?.(node.ino, index);
  if (chunk === null || chunk === undefined) {
    if (chunk === undefined && ns.upper.readChunkSync) throw lostChunk(node, index);
    throw wouldBlock('the upper layer', 'its chunks');
  }
  return chunk;
}

async function readLower(
  ns: Namespace,
  node: FileNode,
  piece: { offset: number; length: number },
): Promise<Uint8Array> {
  const src = node.lower;
  if (!src) return new Uint8Array(piece.length);
  const layer = src.from ?? ns.lowers[src.layer];
  if (!layer) throw new FsError('EIO', 'read', src.path);
  let bytes: Uint8Array;
  try {
    bytes = await layer.read(src.ref, piece.offset, piece.length);
  } catch (error) {
    // A caller's own abort stays an AbortError, as Node's fs reports it.
    if (error instanceof FsError || (error as { name?: unknown })?.name === 'AbortError') throw error;
    throw new FsError('EIO', 'read', src.path, undefined, { cause: error });
  }
  return checkLength(bytes, piece, src.path, layer.id);
}

function readLowerSync(ns: Namespace, node: FileNode, piece: { offset: number; length: number }): Uint8Array {
  const src = node.lower;
  if (!src) return new Uint8Array(piece.length);
  const layer = src.from ?? ns.lowers[src.layer];
  if (!layer) throw new FsError('EIO', 'read', src.path);
  const bytes = layer.readSync?.(src.ref, piece.offset, piece.length);
  if (bytes === undefined) throw wouldBlock(`lower ${src.layer} ('${layer.id}')`, `'${src.path}'`, src.path);
  return checkLength(bytes, piece, src.path, layer.id);
}

function checkLength(
  bytes: Uint8Array,
  piece: { offset: number; length: number },
  path: string,
  id: string,
): Uint8Array {
  if (bytes.length !== piece.length) {
    throw new FsError('EIO', 'read', path, undefined, {
      cause: new Error(`lower '${id}' returned ${bytes.length} bytes for ${piece.length} at ${piece.offset}`),
    });
  }
  return bytes;
}

/** A synchronous call reached bytes that only an asynchronous read can bring. */
function wouldBlock(who: string, what: string, path?: string): FsError {
  return new FsError('EAGAIN', 'read', path, undefined, {
    cause: new Error(
      `${who} cannot give ${what} synchronously: preload it (read it once with the async API) or use the async API`,
    ),
  });
}
