/**
 * The synthetic layer stack used by the lookup benchmarks, generated once and described
 * as plain data so Vellum and the peer are built from exactly the same tree.
 *
 * Shape (independent of the number of lowers, so every configuration holds the same
 * 20,000 paths and the same sample list applies to all of them):
 * - 10 top directories `/t0`..`/t9`;
 * - 200 leaf directories of 100 files each: for each top directory, 14 leaves directly
 *   under it (`/t3/d07`, files at depth 3) and 6 one level deeper (`/t3/deep/d17`, files
 *   at depth 4), so directories sit at depth 2–3;
 * - every file is `fileSize` bytes and starts with its own path, so a read can be checked.
 *
 * Spreading over N lowers: each leaf directory's 100 files are split into min(N, 4)
 * chunks placed on different lowers, so a leaf directory exists in up to 4 lowers and every
 * top directory in every lower; the engine has to merge those directories.
 * No file name is repeated across lowers (no shadowed files), so every sampled path has
 * exactly one lower holding it, and the sample spreads evenly over all lowers.
 */

export const FILE_SIZE = 4096;
const TOPS = 10;
const LEAVES_PER_TOP = 20;
const SHALLOW_LEAVES = 14;
const FILES_PER_LEAF = 100;
const MAX_CHUNKS = 4;
/** 10 × 20 × 100 = 20,000. */
export const FILE_COUNT = TOPS * LEAVES_PER_TOP * FILES_PER_LEAF;

export interface StackFile {
  readonly path: string;
  readonly data: Uint8Array;
}

export interface LayerContent {
  /** Every directory the layer needs, parents before children. */
  readonly dirs: readonly string[];
  readonly files: readonly StackFile[];
}

export interface Stack {
  readonly lowers: number;
  /** Index 0 is the top lower (closest to the upper), as in `Overlay.create({ lowers })`. */
  readonly layers: readonly LayerContent[];
  /** Which lower holds each file, by file index. */
  readonly layerOf: readonly number[];
}

/** Deterministic PRNG (mulberry32) so every run samples the same paths. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function leafDir(leaf: number): string {
  const top = leaf % TOPS;
  const j = Math.floor(leaf / TOPS);
  const name = `d${String(j).padStart(2, '0')}`;
  return j < SHALLOW_LEAVES ? `/t${top}/${name}` : `/t${top}/deep/${name}`;
}

export function filePath(index: number): string {
  const leaf = Math.floor(index / FILES_PER_LEAF);
  return `${leafDir(leaf)}/f${String(index % FILES_PER_LEAF).padStart(3, '0')}.bin`;
}

const encoder = new TextEncoder();
let contents: Uint8Array[] | undefined;

/**
 * File contents are built once and shared by every configuration (80 MB), so memory
 * does not grow with the number of stacks built.
 */
export function fileData(index: number): Uint8Array {
  if (!contents) {
    contents = [];
    for (let i = 0; i < FILE_COUNT; i++) {
      const data = new Uint8Array(FILE_SIZE);
      for (let k = 0; k < FILE_SIZE; k++) data[k] = (i * 31 + k) & 0xff;
      data.set(encoder.encode(`${filePath(i)}\n`));
      contents.push(data);
    }
  }
  return contents[index] as Uint8Array;
}

/** The parent directories of `path`, outermost first (excluding `/`). */
function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

export function buildStack(lowers: number): Stack {
  const chunks = Math.min(lowers, MAX_CHUNKS);
  // Chunks of one directory land `stride` lowers apart, so they are on distinct lowers.
  // The leaf offset (13·leaf + leaf/2) rotates leaves over every lower, gives each lower
  // about 1/N of the files, and (unlike 13·leaf alone, which keeps a top directory's
  // leaves on lowers of one parity) puts every top directory in every lower.
  const stride = Math.max(1, Math.floor(lowers / chunks));
  const dirSets = Array.from({ length: lowers }, () => new Set<string>());
  const files: StackFile[][] = Array.from({ length: lowers }, () => []);
  const layerOf: number[] = [];
  for (let i = 0; i < FILE_COUNT; i++) {
    const leaf = Math.floor(i / FILES_PER_LEAF);
    const chunk = Math.floor(((i % FILES_PER_LEAF) * chunks) / FILES_PER_LEAF);
    const layer = (leaf * 13 + (leaf >> 1) + chunk * stride) % lowers;
    const path = filePath(i);
    for (const d of ancestors(path)) (dirSets[layer] as Set<string>).add(d);
    (files[layer] as StackFile[]).push({ path, data: fileData(i) });
    layerOf.push(layer);
  }
  const layers = dirSets.map((set, k) => ({
    // Sorting by depth guarantees parents come before children.
    dirs: [...set].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b)),
    files: files[k] as StackFile[],
  }));
  return { lowers, layers, layerOf };
}

/** `count` file indexes drawn uniformly (seeded) from all files, hence from all lowers. */
export function samplePaths(count: number, seed = 0x5eed): { paths: string[]; indexes: number[] } {
  const random = prng(seed);
  const indexes = Array.from({ length: count }, () => Math.floor(random() * FILE_COUNT));
  return { paths: indexes.map(filePath), indexes };
}

/** Checks a read returned the right file (length and its path header). */
export function checkContent(path: string, data: Uint8Array): void {
  if (data.byteLength !== FILE_SIZE)
    throw new Error(`${path}: read ${data.byteLength} bytes, expected ${FILE_SIZE}`);
  const header = new TextDecoder().decode(data.subarray(0, path.length + 1));
  if (header !== `${path}\n`)
    throw new Error(`${path}: wrong content (starts with ${JSON.stringify(header)})`);
}
