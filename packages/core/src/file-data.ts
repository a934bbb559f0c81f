/**
 * Chunked copy-on-write file data. A file in the upper is a set of chunks over
 * an optional lower source: a stored chunk wins; a missing chunk below
 * `lowerLimit` reads from the lower; anything else reads as zeros. A write
 * stores only the chunks it touches, so one byte into a 100 MB lower file costs
 * one chunk.
 */
import { FsError } from './errors.js';
import type { FileNode } from './inode.js';
import type { Namespace } from './namespace.js';
import type { Txn } from './txn.js';

/** Reads `[offset, offset + length)` of a file (clamped to its size). */
export async function readData(
  ns: Namespace,
  node: FileNode,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const end = Math.min(node.size, offset + length);
  if (offset >= end) return new Uint8Array(0);
  const lower = node.lower;
  // The common case, a file no write has touched: one range read from its layer.
  if (node.chunks.size === 0 && lower && end <= node.lowerLimit) {
    return readLower(ns, node, offset, end - offset);
  }
  const out = new Uint8Array(end - offset);
  const size = ns.chunkSize;
  let pos = offset;
  while (pos < end) {
    const index = Math.floor(pos / size);
    const chunkStart = index * size;
    const chunkEnd = Math.min(chunkStart + size, end);
    if (node.chunks.has(index)) {
      const chunk = await upperChunk(ns, node, index);
      const from = pos - chunkStart;
      const to = Math.min(chunk.length, chunkEnd - chunkStart);
      if (to > from) out.set(chunk.subarray(from, to), pos - offset);
      pos = chunkEnd;
      continue;
    }
    // Coalesce a run of lower-backed chunks into one lower read.
    let runEnd = chunkEnd;
    while (runEnd < end && !node.chunks.has(Math.floor(runEnd / size))) runEnd = Math.min(runEnd + size, end);
    const lowerEnd = lower ? Math.min(runEnd, node.lowerLimit) : pos;
    if (lowerEnd > pos) out.set(await readLower(ns, node, pos, lowerEnd - pos), pos - offset);
    pos = runEnd;
  }
  return out;
}

/**
 * Plans a write of `data` at `position`: reads what the touched chunks need
 * first, then changes the node and lists the chunks in the transaction.
 */
export async function writeData(
  ns: Namespace,
  node: FileNode,
  data: Uint8Array,
  position: number,
  tx: Txn,
): Promise<void> {
  if (data.length === 0) return;
  const size = ns.chunkSize;
  const end = position + data.length;
  const newSize = Math.max(node.size, end);
  const first = Math.floor(position / size);
  const last = Math.floor((end - 1) / size);
  const chunks: { index: number; bytes: Uint8Array }[] = [];
  for (let index = first; index <= last; index++) {
    const chunkStart = index * size;
    const chunkLen = Math.min(size, newSize - chunkStart);
    const bytes = new Uint8Array(chunkLen);
    const covered = position <= chunkStart && end >= chunkStart + chunkLen;
    if (!covered) bytes.set(await currentChunk(ns, node, index, chunkLen));
    const from = Math.max(position, chunkStart);
    const to = Math.min(end, chunkStart + chunkLen);
    bytes.set(data.subarray(from - position, to - position), from - chunkStart);
    chunks.push({ index, bytes });
  }
  tx.write(node);
  for (const { index, bytes } of chunks) {
    node.chunks.add(index);
    tx.put({ op: 'put-chunk', ino: node.ino, index, data: bytes });
  }
  node.size = newSize;
  node.dataUpper = true;
  const now = Date.now();
  node.mtimeMs = now;
  node.ctimeMs = now;
}

/** Plans a truncate (or extension with zeros) to `length`. */
export async function truncateData(ns: Namespace, node: FileNode, length: number, tx: Txn): Promise<void> {
  const size = ns.chunkSize;
  let trimmed: Uint8Array | undefined;
  const cut = Math.floor(length / size);
  if (length < node.size && length % size !== 0 && node.chunks.has(cut)) {
    trimmed = (await upperChunk(ns, node, cut)).slice(0, length - cut * size);
  }
  tx.write(node);
  if (length < node.size) {
    for (const index of [...node.chunks]) {
      if (index * size >= length) {
        node.chunks.delete(index);
        tx.put({ op: 'drop-chunk', ino: node.ino, index });
      }
    }
    if (trimmed) tx.put({ op: 'put-chunk', ino: node.ino, index: cut, data: trimmed });
    node.lowerLimit = Math.min(node.lowerLimit, length);
  }
  node.size = length;
  node.dataUpper = true;
  const now = Date.now();
  node.mtimeMs = now;
  node.ctimeMs = now;
}

/** A chunk's current bytes (stored, or from the lower, zero-padded) as `chunkLen` bytes at most. */
async function currentChunk(
  ns: Namespace,
  node: FileNode,
  index: number,
  chunkLen: number,
): Promise<Uint8Array> {
  const chunkStart = index * ns.chunkSize;
  if (node.chunks.has(index)) {
    const chunk = await upperChunk(ns, node, index);
    return chunk.length > chunkLen ? chunk.subarray(0, chunkLen) : chunk;
  }
  const lowerEnd = Math.min(chunkStart + chunkLen, node.lowerLimit, node.size);
  if (!node.lower || lowerEnd <= chunkStart) return new Uint8Array(0);
  return readLower(ns, node, chunkStart, lowerEnd - chunkStart);
}

async function upperChunk(ns: Namespace, node: FileNode, index: number): Promise<Uint8Array> {
  const chunk = await ns.upper.readChunk(node.ino, index);
  if (!chunk) {
    throw new FsError('EIO', 'read', undefined, undefined, {
      cause: new Error(`upper lost chunk ${index} of inode ${node.ino}`),
    });
  }
  return chunk;
}

async function readLower(ns: Namespace, node: FileNode, offset: number, length: number): Promise<Uint8Array> {
  const src = node.lower;
  if (!src) return new Uint8Array(length);
  const layer = ns.lowers[src.layer];
  if (!layer) throw new FsError('EIO', 'read', src.path);
  let bytes: Uint8Array;
  try {
    bytes = await layer.read(src.ref, offset, length);
  } catch (error) {
    if (error instanceof FsError) throw error;
    throw new FsError('EIO', 'read', src.path, undefined, { cause: error });
  }
  if (bytes.length !== length) {
    throw new FsError('EIO', 'read', src.path, undefined, {
      cause: new Error(`lower '${layer.id}' returned ${bytes.length} bytes for ${length} at ${offset}`),
    });
  }
  return bytes;
}
