/**
 * What the preview needs of a filesystem: a few read calls that `@vellum/worker`'s
 * `OverlayClient` (and a client from `connectOverlay`) and `@vellum/core`'s `Overlay`
 * both have. Declared structurally so the responder runs on either, and in tests on the
 * engine itself.
 */

/**
 * The file metadata the preview reads.
 *
 * @example
 * ```ts
 * const stats: PreviewStats = await fs.stat('/index.html');
 * ```
 */
export interface PreviewStats {
  /** Inode number. */
  ino: number;
  /** Size in bytes. */
  size: number;
  /** Last modification, in milliseconds since the epoch. */
  mtimeMs: number;
  /** Whether it is a regular file. */
  isFile(): boolean;
  /** Whether it is a directory. */
  isDirectory(): boolean;
}

/**
 * A directory entry as `readdir(path, { withFileTypes: true })` gives it.
 *
 * @example
 * ```ts
 * const entries: PreviewDirent[] = await fs.readdir('/src', { withFileTypes: true });
 * ```
 */
export interface PreviewDirent {
  /** The entry's name. */
  name: string;
  /** Whether it is a directory. */
  isDirectory(): boolean;
}

/**
 * An open file, read by position.
 *
 * @example
 * ```ts
 * const handle: PreviewFileHandle = await fs.open('/big.bin', 'r');
 * const { bytesRead } = await handle.read(new Uint8Array(4096), 0, 4096, 0);
 * await handle.close();
 * ```
 */
export interface PreviewFileHandle {
  /** Reads `length` bytes at `position` into `buffer` at `offset`. */
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{
    /** How many bytes were read (0 at the end). */
    bytesRead: number;
  }>;
  /** Closes the handle. */
  close(): Promise<void>;
}

/**
 * The read calls the preview makes: an `OverlayClient`, a `connectOverlay` client or an `Overlay` is one.
 *
 * @example
 * ```ts
 * const fs: PreviewFs = connectOverlay(port); // or await createOverlayWorker(…), or await Overlay.create(…)
 * ```
 */
export interface PreviewFs {
  /** Stats following symlinks. */
  stat(path: string): Promise<PreviewStats>;
  /** The path with every symlink resolved. */
  realpath(path: string): Promise<string>;
  /** A directory's entries. */
  readdir(path: string, options: { withFileTypes: true }): Promise<PreviewDirent[]>;
  /** Opens a file for reading. */
  open(path: string, flags: 'r'): Promise<PreviewFileHandle>;
}
