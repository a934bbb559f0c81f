/**
 * Carries an ephemeral workspace's changes over to a new engine opened on another lower stack (a zip
 * was imported): what its memory upper holds is laid over the new lowers, as remounting an overlay
 * with a new `lowerdir=` and the same upper would. The worker builds a fresh memory upper for each
 * engine and cannot hand one to another, so the changes are replayed through the fs API instead:
 * moves first (their sources are lower entries, which the deletions would hide), then deletions,
 * then the entries' contents and metadata, parents before children. The one undo of a reset or
 * revert (`undo-point.ts`) copies a workspace away and back the same way.
 */
import type { Change } from '@vellum/core';
import type { OverlayClient } from '@vellum/worker';

const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';

async function exists(fs: OverlayClient, path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (error) {
    // Only "not there" means not there: any other failure stops the carry-over rather than be
    // taken for a missing entry (which would copy or skip what it should not).
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Mode and times of `path` in `from`, set on `path` in `to` (a symlink's own times; links have no mode). */
async function copyMeta(from: OverlayClient, to: OverlayClient, path: string): Promise<void> {
  const st = await from.lstat(path);
  if (st.isSymbolicLink()) {
    await to.lutimes(path, new Date(st.atimeMs), new Date(st.mtimeMs));
    return;
  }
  await to.chmod(path, st.mode & 0o7777);
  await to.utimes(path, new Date(st.atimeMs), new Date(st.mtimeMs));
}

/** Makes `path` in `to` what it is in `from` (a folder: with everything below it). */
async function copyEntry(from: OverlayClient, to: OverlayClient, path: string): Promise<void> {
  const st = await from.lstat(path);
  if (await exists(to, path)) {
    const there = await to.lstat(path);
    // A folder stays (and merges) where a folder is wanted; anything else is replaced.
    if (!(st.isDirectory() && there.isDirectory())) await to.rm(path, { recursive: true, force: true });
  }
  await to.mkdir(parentOf(path), { recursive: true });
  if (st.isDirectory()) {
    await to.mkdir(path, { recursive: true });
  } else if (st.isSymbolicLink()) {
    await to.symlink(await from.readlink(path), path);
  } else {
    await to.writeFile(path, await from.readFile(path));
  }
}

/** What `carryOver` did, for the status bar. */
export interface CarryReport {
  changes: number;
  /** Moves whose source the new stack no longer has: their entries were copied instead. */
  copiedMoves: string[];
}

/**
 * Replays `from`'s changes (relative to its lowers) onto `to` (an engine with an empty upper over
 * the new lowers). Afterwards `to` shows every changed path as `from` does, and the new lowers
 * everywhere else.
 */
export async function carryOver(from: OverlayClient, to: OverlayClient): Promise<CarryReport> {
  const changes: Change[] = await from.changes();
  const changed = new Set(changes.map((c) => c.path));
  const copiedMoves: string[] = [];
  // Folders already moved in `to`: a later move's source below one of them has moved with it.
  const moved: [string, string][] = [];
  const translate = (path: string): string => {
    for (const [a, b] of moved) if (path === a || path.startsWith(`${a}/`)) return b + path.slice(a.length);
    return path;
  };
  for (const c of changes) {
    if (c.change !== 'renamed' || c.from === undefined) continue;
    const source = translate(c.from);
    if (await exists(to, source)) {
      await to.mkdir(parentOf(c.path), { recursive: true });
      // The new stack may have something at the destination: the moved entry wins, as in the upper.
      if (await exists(to, c.path)) await to.rm(c.path, { recursive: true, force: true });
      await to.rename(source, c.path);
      if (c.type === 'dir') moved.push([source, c.path]);
      // The old name shows the base again without being a change itself: it was reverted on its own
      // after the move (which gives it the base's entry back and leaves the moved copy as it is).
      if (!changed.has(c.from) && (await exists(from, c.from))) await to.revert(source);
    } else {
      copiedMoves.push(c.path);
      await copyTree(from, to, c.path);
    }
  }
  for (const c of changes) {
    if (c.change === 'deleted') await to.rm(c.path, { recursive: true, force: true });
    if (c.change === 'opaque') {
      // A folder made where a lower one was deleted: nothing of the lowers shows through it.
      await to.rm(c.path, { recursive: true, force: true });
      await to.mkdir(c.path, { recursive: true });
    }
  }
  const metaOf: string[] = [];
  for (const c of changes) {
    if (c.change === 'deleted') continue;
    if (c.change === 'added' || c.change === 'modified') await copyEntry(from, to, c.path);
    if (c.change === 'renamed' && c.type === 'file') {
      // A moved file may have been edited too.
      const [was, now] = await Promise.all([from.readFile(c.path), to.readFile(c.path)]);
      if (!sameBytes(was, now)) await to.writeFile(c.path, was);
    }
    metaOf.push(c.path);
  }
  // Last, and children before parents: writing an entry changes its folder's times.
  for (const path of metaOf.reverse()) await copyMeta(from, to, path);
  return { changes: changes.length, copiedMoves };
}

/** `path` and everything below it in `from`, copied into `to`. */
async function copyTree(from: OverlayClient, to: OverlayClient, path: string): Promise<void> {
  await copyEntry(from, to, path);
  if (!(await from.lstat(path)).isDirectory()) return;
  for (const e of await from.walk(path)) await copyEntry(from, to, e.path);
}
