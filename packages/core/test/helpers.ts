import {
  MemoryLayer,
  MemoryUpper,
  Overlay,
  type Tree,
  type UpperChange,
  type UpperLayer,
} from '../src/index.js';

/** Which upper a suite runs on: how to make an empty one, and how a reload finds a stored one again. */
export interface UpperEnv {
  name: string;
  /** A fresh, empty upper. */
  make(): UpperLayer;
  /** The same stored upper as a reload sees it: a new instance over the same storage, where there is one. */
  again(upper: UpperLayer): UpperLayer | Promise<UpperLayer>;
}

/** Uppers in memory: a reload is the same object (there is nothing else to reload from). */
export const memoryEnv: UpperEnv = {
  name: 'MemoryUpper',
  make: () => new MemoryUpper(),
  again: (upper) => upper,
};

/** Memory lowers from trees, with fixed times and ids so that reopening finds the same stack. */
export function layersOf(lowers: Tree[]): MemoryLayer[] {
  return lowers.map((t, i) => MemoryLayer.fromTree(t, { mtimeMs: 1_000_000 + i, id: `l${i}` }));
}

/** A second overlay over the same trees and the same stored upper, as after a reload. */
export async function reopen(lowers: Tree[], upper: UpperLayer, env: UpperEnv = memoryEnv): Promise<Overlay> {
  return Overlay.create({ lowers: layersOf(lowers), upper: await env.again(upper) });
}

/** An overlay over memory lowers (top first) and a fresh upper of `env`'s kind. */
export async function overlay(
  lowers: Tree[],
  options: { chunkSize?: number; upper?: UpperLayer } = {},
  env: UpperEnv = memoryEnv,
): Promise<{ ov: Overlay; upper: UpperLayer; layers: MemoryLayer[] }> {
  const layers = layersOf(lowers);
  const upper = options.upper ?? env.make();
  const ov = await Overlay.create({ lowers: layers, upper, chunkSize: options.chunkSize });
  return { ov, upper, layers };
}

/** Wraps an upper to count its commits and to refuse the next one with a chosen error. */
export class ProbeUpper implements UpperLayer {
  readonly inner: UpperLayer;
  failWith: Error | undefined;
  /** Commits made so far; lets tests assert how many transactions an operation took. */
  commits = 0;

  constructor(inner: UpperLayer) {
    this.inner = inner;
  }

  load: UpperLayer['load'] = () => this.inner.load();
  readChunk: UpperLayer['readChunk'] = (ino, index) => this.inner.readChunk(ino, index);
  clear: UpperLayer['clear'] = () => this.inner.clear();
  usage: UpperLayer['usage'] = () => this.inner.usage();

  async commit(changes: readonly UpperChange[]): Promise<void> {
    const error = this.failWith;
    if (error) {
      this.failWith = undefined;
      throw error;
    }
    this.commits++;
    return this.inner.commit(changes);
  }
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

/** Same bytes (works on Buffers and plain Uint8Arrays alike, in Node and in a page). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A byte string's bytes as plain numbers, for `toEqual` with a readable diff. */
export const byteList = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
