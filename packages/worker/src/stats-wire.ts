/**
 * `Stats` as numbers in a `Float64Array`: one typed array clones (or transfers) far
 * faster than thousands of objects, which is what makes `walk` and `statMany` cheap.
 */

/** The numeric fields of `fs.Stats`, in wire order. */
export const STAT_FIELDS = [
  'dev',
  'ino',
  'mode',
  'nlink',
  'uid',
  'gid',
  'rdev',
  'size',
  'blksize',
  'blocks',
  'atimeMs',
  'mtimeMs',
  'ctimeMs',
  'birthtimeMs',
] as const;

export type StatField = (typeof STAT_FIELDS)[number];
export type StatNumbers = Record<StatField, number>;
export const STAT_WIDTH = STAT_FIELDS.length;

/** Writes one stats record at slot `index` of `out`. */
export function packStats(stats: StatNumbers, out: Float64Array, index: number): void {
  const base = index * STAT_WIDTH;
  for (let i = 0; i < STAT_WIDTH; i++) out[base + i] = stats[STAT_FIELDS[i] as StatField];
}

/** One stats record in its own array. */
export function packOne(stats: StatNumbers): Float64Array {
  const out = new Float64Array(STAT_WIDTH);
  packStats(stats, out, 0);
  return out;
}
