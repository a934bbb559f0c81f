/** `WorkspaceFs` over an `Overlay` in this thread. */
import { FsError, type LowerLayer, MemoryUpper, Overlay, type UpperLayer } from '@vellum/core';
import type { EntryInfo, EntryKind, WorkspaceFs } from './workspace-fs.js';

const kindOf = (d: { isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind =>
  d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : 'file';

export class InProcessFs implements WorkspaceFs {
  constructor(readonly ov: Overlay) {}

  static async open(
    lowers: readonly LowerLayer[],
    upper: UpperLayer = new MemoryUpper(),
  ): Promise<InProcessFs> {
    return new InProcessFs(await Overlay.create({ lowers, upper }));
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.ov.readFile(path);
  }

  writeFile(path: string, data: Uint8Array | string): Promise<void> {
    return this.ov.writeFile(path, data);
  }

  async mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    await this.ov.mkdir(path, options);
  }

  rename(from: string, to: string): Promise<void> {
    return this.ov.rename(from, to);
  }

  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    return this.ov.rm(path, options);
  }

  async lstat(path: string): Promise<{ kind: EntryKind; size: number } | undefined> {
    try {
      const s = await this.ov.lstat(path);
      return { kind: kindOf(s), size: s.size };
    } catch (error) {
      if (error instanceof FsError && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return undefined;
      throw error;
    }
  }

  /** The engine's walk is one synchronous pass over the merged tree; origins are map lookups. */
  async walk(): Promise<EntryInfo[]> {
    return (await this.ov.walk('/')).map(({ path, stats }) => {
      const kind = kindOf(stats);
      return { path, kind, size: kind === 'file' ? stats.size : 0, origin: this.ov.origin(path) };
    });
  }

  async origin(path: string) {
    return this.ov.origin(path);
  }

  changes() {
    return this.ov.changes();
  }

  reset(): Promise<void> {
    return this.ov.reset();
  }

  revert(path: string): Promise<void> {
    return this.ov.revert(path);
  }
}
