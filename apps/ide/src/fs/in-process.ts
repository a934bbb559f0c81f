/** `WorkspaceFs` over an `Overlay` in this thread. */
import { type Dirent, FsError, type LowerLayer, MemoryUpper, Overlay, type UpperLayer } from '@vellum/core';
import type { EntryInfo, EntryKind, WorkspaceFs } from './workspace-fs.js';

const kindOf = (d: { isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind =>
  d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : 'file';

const join = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);

/** `revert` is being added to the engine; use it as soon as the Overlay in this build has it. */
type MaybeRevert = { revert?: (path: string) => Promise<void> };

export class InProcessFs implements WorkspaceFs {
  readonly revert?: (path: string) => Promise<void>;

  constructor(readonly ov: Overlay) {
    const revert = (ov as Overlay & MaybeRevert).revert;
    if (typeof revert === 'function') this.revert = (path) => revert.call(ov, path);
  }

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

  async walk(): Promise<EntryInfo[]> {
    const out: EntryInfo[] = [];
    const visit = async (dir: string): Promise<void> => {
      const dirents: Dirent[] = await this.ov.readdir(dir, { withFileTypes: true });
      for (const d of dirents) {
        const path = join(dir, d.name);
        const kind = kindOf(d);
        const size = kind === 'file' ? (await this.ov.lstat(path)).size : 0;
        out.push({ path, kind, size, origin: this.ov.origin(path) });
        if (kind === 'dir') await visit(path);
      }
    };
    await visit('/');
    return out;
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
}
