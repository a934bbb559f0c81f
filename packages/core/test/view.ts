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
