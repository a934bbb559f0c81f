import { MemoryLayer, MemoryUpper, Overlay, type Tree } from '../src/index.js';

/** An overlay over memory lowers (top first) and a fresh memory upper. */
/** Memory lowers from trees, with fixed times and ids so that reopening finds the same stack. */
export function layersOf(lowers: Tree[]): MemoryLayer[] {
  return lowers.map((t, i) => MemoryLayer.fromTree(t, { mtimeMs: 1_000_000 + i, id: `l${i}` }));
}

/** A second overlay over the same trees and the same upper, as after a reload. */
export function reopen(lowers: Tree[], upper: MemoryUpper): Promise<Overlay> {
  return Overlay.create({ lowers: layersOf(lowers), upper });
}

export async function overlay(
  lowers: Tree[],
  options: { chunkSize?: number; upper?: MemoryUpper } = {},
): Promise<{ ov: Overlay; upper: MemoryUpper; layers: MemoryLayer[] }> {
  const layers = layersOf(lowers);
  const upper = options.upper ?? new MemoryUpper();
  const ov = await Overlay.create({ lowers: layers, upper, chunkSize: options.chunkSize });
  return { ov, upper, layers };
}

/** The error an async call rejects with (fails the test if it resolves). */
export type FsErrorLike = NodeJS.ErrnoException & { dest?: string };

export async function rejection(p: Promise<unknown>): Promise<FsErrorLike> {
  try {
    await p;
  } catch (error) {
    return error as FsErrorLike;
  }
  throw new Error('expected the call to fail');
}

export const text = (ov: Overlay, path: string): Promise<string> => ov.readFile(path, 'utf8');
