/**
 * `WorkspaceFs` over `@vellum/worker`: the engine in a module Web Worker, so the page never blocks
 * on the filesystem. The worker builds the layers itself from descriptors: zip lowers read lazily
 * (by URL with HTTP Range, or from a `File`), a memory or IndexedDB upper.
 */
import {
  createOverlayWorker,
  type LowerDescriptor,
  type OverlayClient,
  type ProgressDetail,
  type UpperDescriptor,
} from '@vellum/worker';
import type { EntryInfo, EntryKind, WorkspaceFs } from './workspace-fs.js';

const kindOf = (s: { isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind =>
  s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'file';

export interface WorkerFsOptions {
  /** A persistent upper opens over lowers other than the ones it was written on (a new release). */
  onLowerChange?: 'refuse' | 'open';
  onProgress?: (event: ProgressDetail) => void;
}

export class WorkerFs implements WorkspaceFs {
  constructor(readonly client: OverlayClient) {}

  static async open(
    lowers: readonly LowerDescriptor[],
    upper: UpperDescriptor,
    options: WorkerFsOptions = {},
  ): Promise<WorkerFs> {
    const client = await createOverlayWorker({
      lowers,
      upper,
      onLowerChange: options.onLowerChange,
      onProgress: options.onProgress,
      onWarning: (w) => console.warn(`lower ${w.layer}: ${w.message}`),
    });
    return new WorkerFs(client);
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.client.readFile(path);
  }

  writeFile(path: string, data: Uint8Array | string): Promise<void> {
    return this.client.writeFile(path, data);
  }

  async mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    await this.client.mkdir(path, options);
  }

  rename(from: string, to: string): Promise<void> {
    return this.client.rename(from, to);
  }

  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    return this.client.rm(path, options);
  }

  async lstat(path: string): Promise<{ kind: EntryKind; size: number } | undefined> {
    try {
      const s = await this.client.lstat(path);
      return { kind: kindOf(s), size: s.size };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  /** One crossing for the whole tree, origins included. */
  async walk(): Promise<EntryInfo[]> {
    const entries = await this.client.walk('/', { origins: true });
    return entries.map((e) => ({
      path: e.path,
      kind: e.type,
      size: e.type === 'file' ? e.stats.size : 0,
      mtimeMs: e.stats.mtimeMs,
      origin: e.origin ?? { layer: 'upper', copiedUp: false, metacopy: false },
    }));
  }

  revert(path: string): Promise<void> {
    return this.client.revert(path);
  }

  origin(path: string) {
    return this.client.origin(path);
  }

  changes() {
    return this.client.changes();
  }

  changesZip() {
    return this.client.changesZip();
  }

  changesTar() {
    return this.client.changesTar();
  }

  reset(): Promise<void> {
    return this.client.reset();
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * A `WorkspaceFs` whose engine starts on its first call: the base view (the lowers under a memory
 * upper that is never written) is only read for diffs, reverts and base checks, so a session that
 * never asks for one never pays for a second worker and a second read of each zip's listing.
 */
export class LazyFs implements WorkspaceFs {
  #opened: Promise<WorkspaceFs> | undefined;

  constructor(readonly open: () => Promise<WorkspaceFs>) {}

  #fs(): Promise<WorkspaceFs> {
    this.#opened ??= this.open();
    return this.#opened;
  }

  async readFile(path: string): Promise<Uint8Array> {
    return (await this.#fs()).readFile(path);
  }

  async writeFile(path: string, data: Uint8Array | string): Promise<void> {
    return (await this.#fs()).writeFile(path, data);
  }

  async mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    return (await this.#fs()).mkdir(path, options);
  }

  async rename(from: string, to: string): Promise<void> {
    return (await this.#fs()).rename(from, to);
  }

  async rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    return (await this.#fs()).rm(path, options);
  }

  async lstat(path: string): Promise<{ kind: EntryKind; size: number } | undefined> {
    return (await this.#fs()).lstat(path);
  }

  async walk(): Promise<EntryInfo[]> {
    return (await this.#fs()).walk();
  }

  async origin(path: string) {
    return (await this.#fs()).origin(path);
  }

  async changes() {
    return (await this.#fs()).changes();
  }

  async changesZip() {
    return (await this.#fs()).changesZip();
  }

  async changesTar() {
    return (await this.#fs()).changesTar();
  }

  async reset(): Promise<void> {
    return (await this.#fs()).reset();
  }

  /** Ends the engine if it was started (and does not start one to end it). */
  async close(): Promise<void> {
    const opened = this.#opened;
    this.#opened = undefined;
    // An engine that failed to start has nothing to end.
    if (opened)
      await opened.then(
        (fs) => fs.close(),
        () => undefined,
      );
  }
}
