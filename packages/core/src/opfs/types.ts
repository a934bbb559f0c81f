/**
 * The part of the Origin Private File System that Vellum uses, as structural
 * types. TypeScript's DOM library lacks `createSyncAccessHandle` (it is only in
 * the worker library) and `move`, and an in-memory stand-in for Node tests has
 * to implement exactly this much; `opfsRoot()` is the one place the browser's
 * handle is taken as this shape.
 */

/**
 * `FileSystemSyncAccessHandle`: synchronous reads and writes at an offset, in a
 * dedicated worker only. `flush()` makes every write before it durable.
 *
 * @example
 * ```ts
 * const journalFile = await (await opfs()).getFileHandle('journal', { create: true });
 * const handle = await journalFile.createSyncAccessHandle?.(); // undefined outside a dedicated worker
 * handle?.write(new TextEncoder().encode('x'), { at: 0 });
 * handle?.flush();
 * handle?.close();
 * ```
 */
export interface OpfsSyncAccessHandle {
  /** Reads into `buffer` from `at` (default 0); returns the bytes read. */
  read(buffer: Uint8Array, options?: { at?: number }): number;
  /** Writes `buffer` at `at` (default 0); returns the bytes written. */
  write(buffer: Uint8Array, options?: { at?: number }): number;
  /** Cuts or extends (with zeros) the file to `size` bytes. */
  truncate(size: number): void;
  /** The file's length. */
  getSize(): number;
  /** Makes the writes so far durable. */
  flush(): void;
  /** Releases the file's exclusive lock. */
  close(): void;
}

/**
 * `FileSystemWritableFileStream`, as far as used: a whole new content, swapped in on `close()`.
 *
 * @example
 * ```ts
 * const markFile = await (await opfs()).getFileHandle('mark', { create: true });
 * const out = await markFile.createWritable?.();
 * await out?.write(new Uint8Array([1, 2, 3]));
 * await out?.close(); // the new content replaces the old one at once
 * ```
 */
export interface OpfsWritable {
  /** Writes bytes at the stream's position. */
  write(data: Uint8Array): Promise<void>;
  /** Swaps the written content in. */
  close(): Promise<void>;
  /** Drops what was written; the file keeps its old content. */
  abort(): Promise<void>;
}

/**
 * `FileSystemFileHandle`.
 *
 * @example
 * ```ts
 * const journalFile = await (await opfs()).getFileHandle('journal', { create: true });
 * const bytes = new Uint8Array(await (await journalFile.getFile()).arrayBuffer());
 * ```
 */
export interface OpfsFileHandle {
  /** Always `'file'`. */
  readonly kind: 'file';
  /** The file's name in its directory. */
  readonly name: string;
  /** The file's current content. */
  getFile(): Promise<Blob>;
  /** Synchronous access with an exclusive lock: dedicated workers only (absent elsewhere). */
  createSyncAccessHandle?(): Promise<OpfsSyncAccessHandle>;
  /** A writable stream, swapped in on close (absent in some browsers' workers and pages). */
  createWritable?(options?: { keepExistingData?: boolean }): Promise<OpfsWritable>;
  /** Renames the file in its directory, replacing a file of that name at once (Chromium). */
  move?(newName: string): Promise<void>;
}

/**
 * `FileSystemDirectoryHandle`.
 *
 * @example
 * ```ts
 * const vellumDir = await (await opfs()).getDirectoryHandle('vellum', { create: true });
 * await vellumDir.removeEntry('old', { recursive: true });
 * ```
 */
export interface OpfsDirectoryHandle {
  /** Always `'directory'`. */
  readonly kind: 'directory';
  /** The directory's name in its parent (`''` for the root). */
  readonly name: string;
  /** A child directory; NotFoundError unless it exists or `create` is set. */
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<OpfsDirectoryHandle>;
  /** A child file; NotFoundError unless it exists or `create` is set. */
  getFileHandle(name: string, options?: { create?: boolean }): Promise<OpfsFileHandle>;
  /** Removes a child (a directory with its contents when `recursive`). */
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>;
  /** The children's names. */
  keys(): AsyncIterableIterator<string>;
}

/**
 * Where the origin's private file system comes from: `navigator.storage.getDirectory`
 * by default; tests pass an in-memory stand-in.
 *
 * @example
 * ```ts
 * const root: OpfsRoot = () => navigator.storage.getDirectory() as unknown as Promise<OpfsDirectoryHandle>;
 * ```
 */
export type OpfsRoot = () => Promise<OpfsDirectoryHandle>;

/** The browser's OPFS root, or `undefined` where there is none (Node, old browsers). */
export function defaultOpfsRoot(): OpfsRoot | undefined {
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?: unknown } } }).navigator?.storage;
  if (typeof storage?.getDirectory !== 'function') return undefined;
  // The DOM types lack the worker-only members; the shape above is what the browser gives.
  return () =>
    (storage as { getDirectory(): Promise<unknown> }).getDirectory() as Promise<OpfsDirectoryHandle>;
}

/** True for a DOMException (or look-alike) of the given name: `NotFoundError`, `QuotaExceededError`, … */
export function isDomError(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
