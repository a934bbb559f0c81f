/**
 * `WorkspaceFs` over `@vellum/worker`: the engine in a module Web Worker, so the page never blocks
 * on the filesystem. The worker builds its own layers from serializable descriptions, so each lower
 * is sent over as a tree (bytes read once from the page's copy). The worker also takes zip/http
 * lowers and an `idb` upper now; moving persistent workspaces into it is still to do.
 */
import { dir, file, type LowerEntry, type LowerLayer, symlink, type Tree, whiteout } from '@vellum/core';
import { createOverlayWorker, type OverlayClient } from '@vellum/worker';
import type { EntryInfo, EntryKind, WorkspaceFs } from './workspace-fs.js';

/** A lower's entries as a tree literal; sorted by path, so a folder is met before what it holds. */
async function toTree(layer: LowerLayer): Promise<Tree> {
  const entries: LowerEntry[] = [];
  for await (const e of layer.entries()) entries.push(e);
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const root: Tree = {};
  const folder = (parts: readonly string[]): Tree => {
    let at = root;
    for (const name of parts) {
      let node = at[name];
      if (node === undefined) {
        node = dir({});
        at[name] = node;
      }
      at = (node as ReturnType<typeof dir>).children;
    }
    return at;
  };
  for (const e of entries) {
    const parts = e.path.split('/').filter(Boolean);
    const name = parts.pop();
    if (name === undefined) continue;
    const parent = folder(parts);
    const meta =
      'mode' in e ? { mode: e.mode, uid: e.uid, gid: e.gid, mtimeMs: e.mtimeMs, atimeMs: e.atimeMs } : {};
    switch (e.kind) {
      case 'file':
        parent[name] = file(await layer.read(e.ref, 0, e.size), meta);
        break;
      case 'dir':
        if (parent[name] === undefined) parent[name] = dir({}, { ...meta, opaque: e.opaque === true });
        break;
      case 'symlink':
        parent[name] = symlink(e.target, meta);
        break;
      case 'whiteout':
        parent[name] = whiteout();
        break;
      case 'hardlink':
        // The sample layers have none; a hard link arrives as its own copy of the file's bytes.
        break;
    }
  }
  return root;
}

const kindOf = (s: { isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind =>
  s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'file';

export class WorkerFs implements WorkspaceFs {
  constructor(readonly client: OverlayClient) {}

  static async open(lowers: readonly LowerLayer[]): Promise<WorkerFs> {
    const trees = await Promise.all(lowers.map(toTree));
    const client = await createOverlayWorker({
      lowers: trees.map((tree, i) => ({ type: 'memory', tree, id: lowers[i]?.id })),
      upper: { type: 'memory' },
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

  reset(): Promise<void> {
    return this.client.reset();
  }
}
