/**
 * Worker side: every operation the client can ask for, as a table from name to
 * handler. A handler turns wire arguments into an engine call and the engine's
 * answer into wire data, naming what it transfers and which paths it changed.
 */
import {
  type FileHandle,
  type FreezeOptions,
  FsError,
  type Overlay,
  type RebaseOptions,
  type RemountOptions,
} from '@vellum/core';
import { changesTar, changesZip, freeze } from '@vellum/core/zip';
import { bulkOps } from './bulk.js';
import { ownedView } from './bytes.js';
import type { WireDirent, WireHandle } from './protocol.js';
import { packOne } from './stats-wire.js';

/** What a handler answers. */
export interface Out {
  value: unknown;
  transfer?: Transferable[];
  /** Paths a mutating call changed: the worker announces them in a `change` event. */
  changed?: readonly string[];
}
export type Handler = (args: readonly unknown[]) => Promise<Out>;
export type Ops = Record<string, Handler>;

type Method = (...args: unknown[]) => Promise<unknown>;

/** Calls an `Overlay` method by name (the tables below only name existing ones). */
function method(target: object, name: string): Method {
  const fn = (target as Record<string, Method>)[name];
  if (typeof fn !== 'function') throw new TypeError(`@vellum/worker: no such operation ${name}`);
  return fn.bind(target);
}

/** Bytes out: transferred; text out: cloned (strings cannot be transferred). */
export function dataOut(result: unknown, changed?: readonly string[]): Out {
  if (result instanceof Uint8Array) {
    const view = ownedView(result);
    return { value: view, transfer: [view.buffer], changed };
  }
  return { value: result, changed };
}

const str = (v: unknown): string => v as string;

// Mutations whose changed paths are their path arguments (by position).
const CHANGES_ARG: Record<string, readonly number[]> = {
  mkdir: [0],
  writeFile: [0],
  appendFile: [0],
  unlink: [0],
  rmdir: [0],
  rm: [0],
  chmod: [0],
  lchmod: [0],
  chown: [0],
  lchown: [0],
  utimes: [0],
  lutimes: [0],
  truncate: [0],
  revert: [0],
  rename: [0, 1],
  link: [1],
  copyFile: [1],
  symlink: [1],
};
// Calls that answer plain data, cloned as is.
const PLAIN = [
  'access',
  'readlink',
  'realpath',
  'changes',
  'usage',
  'sync',
  'fsck',
  'snapshot',
  'snapshots',
  'dropSnapshot',
] as const;

export function createOps(ov: Overlay): Ops {
  const handles = new Map<number, { fh: FileHandle; path: string }>();
  let nextHandle = 1;
  const handle = (id: unknown): { fh: FileHandle; path: string } => {
    const h = handles.get(id as number);
    // A closed or unknown handle: what the engine says for a closed one.
    if (h === undefined) throw new FsError('EBADF', 'fstat');
    return h;
  };

  const ops: Ops = {};
  for (const [name, positions] of Object.entries(CHANGES_ARG)) {
    const call = method(ov, name);
    ops[name] = async (args) => ({
      value: await call(...args),
      changed: positions.map((i) => str(args[i])),
    });
  }
  for (const name of PLAIN) {
    const call = method(ov, name);
    ops[name] = async (args) => ({ value: await call(...args) });
  }
  ops.origin = async (args) => ({ value: ov.origin(str(args[0])) });
  ops.changesZip = async () => {
    const zip = await changesZip(ov);
    return { value: zip, transfer: [zip.buffer] };
  };
  ops.changesTar = async () => {
    const tar = await changesTar(ov);
    return { value: tar, transfer: [tar.buffer] };
  };
  ops.freeze = async (args) => {
    // The zip's bytes cross (transferred); the opened ZipLayer stays here, the client rebuilds the descriptor.
    // `freeze` imported, not `ov.freeze()`: the method loads its module by dynamic import, which would
    // split the worker into two chunks, and a worker in a classic format (Vite's default) cannot load them.
    const { data, changes } = await freeze(ov, args[0] as FreezeOptions | undefined);
    return { value: { data, changes }, transfer: [data.buffer] };
  };
  ops.reset = async () => ({ value: await ov.reset(), changed: ['/'] });
  // A new stack under the kept upper: any path may read otherwise.
  ops.remount = async (args) => ({ value: await ov.remount(args[0] as RemountOptions), changed: ['/'] });
  ops.restore = async (args) => ({ value: await ov.restore(str(args[0])), changed: ['/'] });
  ops.rebase = async (args) => {
    const result = await ov.rebase(args[0] as RebaseOptions);
    return { value: result, changed: result.dryRun ? undefined : ['/'] };
  };
  ops.mkdtemp = async (args) => {
    const made = await ov.mkdtemp(str(args[0]));
    return { value: made, changed: [made] };
  };
  ops.stat = async (args) => {
    const view = packOne(await ov.stat(str(args[0])));
    return { value: view, transfer: [view.buffer] };
  };
  ops.lstat = async (args) => {
    const view = packOne(await ov.lstat(str(args[0])));
    return { value: view, transfer: [view.buffer] };
  };
  ops.readFile = async (args) =>
    dataOut(await ov.readFile(str(args[0]), args[1] as Parameters<Overlay['readFile']>[1]));
  ops.readdir = async (args) => {
    const options = args[1] as { withFileTypes?: boolean; recursive?: boolean } | undefined;
    if (!options?.withFileTypes) return { value: await ov.readdir(str(args[0]), options) };
    const dirents = await ov.readdir(str(args[0]), { ...options, withFileTypes: true });
    const value: WireDirent[] = dirents.map((d) => ({
      name: d.name,
      parentPath: d.parentPath,
      kind: d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : 'file',
      ino: d.ino,
    }));
    return { value };
  };
  ops.open = async (args) => {
    const path = str(args[0]);
    const fh = await ov.open(path, args[1] as string | number | undefined, args[2] as number | undefined);
    const id = nextHandle++;
    handles.set(id, { fh, path });
    const value: WireHandle = { id, fd: fh.fd };
    // Opening for writing may create or truncate: that is a change too.
    const flags = args[1];
    const writes = flags !== undefined && flags !== 'r' && flags !== 0 && flags !== 'rs';
    return { value, changed: writes ? [path] : undefined };
  };

  // ── file handles: the first argument is the handle id ──
  ops['fh.read'] = async (args) => {
    const { fh } = handle(args[0]);
    const length = args[1] as number;
    const buffer = new Uint8Array(length);
    const { bytesRead } = await fh.read(buffer, 0, length, args[2] as number | null);
    return { value: buffer.subarray(0, bytesRead), transfer: [buffer.buffer] };
  };
  ops['fh.write'] = async (args) => {
    const { fh, path } = handle(args[0]);
    const data = args[1] as string | Uint8Array;
    const position = args[2] as number | null | undefined;
    const { bytesWritten } =
      typeof data === 'string'
        ? await fh.write(data, position, args[3] as string | undefined)
        : await fh.write(data, 0, data.byteLength, position);
    return { value: bytesWritten, changed: [path] };
  };
  ops['fh.readFile'] = async (args) =>
    dataOut(await handle(args[0]).fh.readFile(args[1] as Parameters<FileHandle['readFile']>[0]));
  for (const name of ['writeFile', 'appendFile', 'truncate', 'chmod', 'chown', 'utimes'] as const) {
    ops[`fh.${name}`] = async (args) => {
      const { fh, path } = handle(args[0]);
      return { value: await method(fh, name)(...args.slice(1)), changed: [path] };
    };
  }
  ops['fh.stat'] = async (args) => {
    const view = packOne(await handle(args[0]).fh.stat());
    return { value: view, transfer: [view.buffer] };
  };
  ops['fh.sync'] = async (args) => ({ value: await handle(args[0]).fh.sync() });
  ops['fh.datasync'] = async (args) => ({ value: await handle(args[0]).fh.datasync() });
  ops['fh.close'] = async (args) => {
    const h = handles.get(args[0] as number);
    if (h === undefined) return { value: undefined };
    handles.delete(args[0] as number);
    return { value: await h.fh.close() };
  };

  Object.assign(ops, bulkOps(ov));
  return ops;
}
