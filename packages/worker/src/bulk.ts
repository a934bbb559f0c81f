/**
 * Worker side: the bulk calls, which loop inside the worker so that a file tree or
 * an import crosses the boundary once instead of once per path.
 */
import type { Origin, Overlay } from '@vellum/core';
import { ownedView } from './bytes.js';
import { toWireError } from './errors.js';
import type { Ops, Out } from './ops.js';
import { packOrigins } from './origin-wire.js';
import { parentPath } from './path.js';
import type { WireError } from './protocol.js';
import { packStats, STAT_WIDTH } from './stats-wire.js';

/** What `walk` sends: paths in depth-first order, their `lstat`s packed in one array, and their origins if asked. */
export interface WireWalk {
  paths: string[];
  stats: Float64Array<ArrayBuffer>;
  origins?: Int32Array<ArrayBuffer>;
}

/** What `statMany` sends: packed stats, and the failures by index (their slots are zeros). */
export interface WireStatMany {
  stats: Float64Array<ArrayBuffer>;
  errors: Record<number, WireError>;
}

/** One file for `writeMany`, as it crosses. */
export interface WireWriteEntry {
  path: string;
  data: string | Uint8Array;
  mode?: number;
  encoding?: string;
  flag?: string;
}

/** The engine's own walk (straight from its nodes), packed; origins only when asked for. */
async function walk(ov: Overlay, root: string, origins: boolean): Promise<Out> {
  const found = await ov.walk(root, { origins });
  const paths = new Array<string>(found.length);
  const stats = new Float64Array(found.length * STAT_WIDTH);
  for (let i = 0; i < found.length; i++) {
    const e = found[i] as (typeof found)[number];
    paths[i] = e.path;
    packStats(e.stats, stats, i);
  }
  const value: WireWalk = { paths, stats };
  const transfer: ArrayBuffer[] = [stats.buffer];
  if (origins) {
    value.origins = packOrigins(found.map((e) => e.origin as Origin));
    transfer.push(value.origins.buffer);
  }
  return { value, transfer };
}

async function statMany(ov: Overlay, paths: readonly string[], follow: boolean): Promise<Out> {
  const stats = new Float64Array(paths.length * STAT_WIDTH);
  const errors: Record<number, WireError> = {};
  for (let i = 0; i < paths.length; i++) {
    try {
      const p = paths[i] as string;
      packStats(await (follow ? ov.stat(p) : ov.lstat(p)), stats, i);
    } catch (error) {
      errors[i] = toWireError(error);
    }
  }
  const value: WireStatMany = { stats, errors };
  return { value, transfer: [stats.buffer] };
}

async function readMany(ov: Overlay, paths: readonly string[], encoding: string | undefined): Promise<Out> {
  const values: (Uint8Array | string | WireError)[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const p of paths) {
    try {
      const data = await ov.readFile(p, encoding);
      if (typeof data === 'string') {
        values.push(data);
      } else {
        const view = ownedView(data);
        values.push(view);
        transfer.push(view.buffer);
      }
    } catch (error) {
      values.push(toWireError(error));
    }
  }
  return { value: values, transfer };
}

async function writeMany(ov: Overlay, entries: readonly WireWriteEntry[], parents: boolean): Promise<Out> {
  const errors: Record<number, WireError> = {};
  const changed: string[] = [];
  const made = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as WireWriteEntry;
    try {
      if (parents) {
        const dir = parentPath(e.path);
        if (!made.has(dir)) {
          await ov.mkdir(dir, { recursive: true });
          made.add(dir);
        }
      }
      // One engine transaction per file: a failure leaves the earlier files written.
      await ov.writeFile(e.path, e.data, { mode: e.mode, encoding: e.encoding, flag: e.flag });
      changed.push(e.path);
    } catch (error) {
      errors[i] = toWireError(error);
    }
  }
  return { value: errors, changed };
}

export function bulkOps(ov: Overlay): Ops {
  return {
    walk: (args) => walk(ov, args[0] as string, args[1] === true),
    statMany: (args) => statMany(ov, args[0] as string[], args[1] !== false),
    readMany: (args) => readMany(ov, args[0] as string[], args[1] as string | undefined),
    writeMany: (args) => writeMany(ov, args[0] as WireWriteEntry[], args[1] === true),
  };
}
