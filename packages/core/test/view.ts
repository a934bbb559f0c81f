/** What must survive a reopen besides the tree snapshot: every path's inode number. */
import type { Overlay } from '../src/index.js';

/** Every path's inode number, so identity (not just content) is compared. */
export async function inodes(ov: Overlay): Promise<Record<string, number>> {
  const out: Record<string, number> = { '/': (await ov.lstat('/')).ino };
  const walk = async (dir: string): Promise<void> => {
    for (const d of await ov.readdir(dir, { withFileTypes: true })) {
      const path = dir === '/' ? `/${d.name}` : `${dir}/${d.name}`;
      out[path] = d.ino;
      if (d.isDirectory()) await walk(path);
    }
  };
  await walk('/');
  return out;
}

/** One path as a reload must show it again: everything lstat says that a reopen keeps, and the bytes. */
export interface PathView {
  kind: 'file' | 'dir' | 'symlink';
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtimeMs: number;
  size?: number;
  /** Files: a digest of the bytes. Symlinks: the target. */
  content?: string;
}

/** Length and FNV-1a of the bytes: cheap enough to run after every operation, and never equal by chance in a test. */
function digest(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return `${bytes.length}:${(h >>> 0).toString(16)}`;
}

/**
 * The whole merged tree, path by path (no Node APIs: runs in a page too).
 *
 * The root's times are left out: until an operation stores the root's record,
 * they are the time the overlay was opened (the engine's default for a root
 * no lower lists), so they differ between two opens of the same stack.
 */
export async function fullView(ov: Overlay): Promise<Record<string, PathView>> {
  const out: Record<string, PathView> = {};
  const visit = async (path: string): Promise<void> => {
    const st = await ov.lstat(path);
    const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
    const v: PathView = {
      kind,
      ino: st.ino,
      mode: st.mode,
      uid: st.uid,
      gid: st.gid,
      nlink: st.nlink,
      mtimeMs: st.mtimeMs,
    };
    if (kind === 'file') {
      v.size = st.size;
      v.content = digest(await ov.readFile(path));
    } else if (kind === 'symlink') v.content = await ov.readlink(path);
    if (path === '/') v.mtimeMs = 0;
    out[path] = v;
    if (kind === 'dir') {
      for (const name of await ov.readdir(path)) await visit(path === '/' ? `/${name}` : `${path}/${name}`);
    }
  };
  await visit('/');
  return out;
}
