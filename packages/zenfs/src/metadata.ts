/**
 * ZenFS's `touch(path, inode)`: the VFS hands back its whole cached inode after
 * writes or a chmod/chown/utimes. The engine has one call per kind of change,
 * each its own transaction, so only what differs from the overlay is applied
 * (an untouched field must not copy a lower object up).
 */
import type { Overlay, Stats } from '@vellum/core';
import type { InodeLike } from '@zenfs/core';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;

/** One engine call that brings the overlay's object in line with the VFS's inode. */
export type MetadataStep =
  /** ZenFS makes a symlink as a regular file holding the target, then sets S_IFLNK on it. */
  | { kind: 'symlink' }
  | { kind: 'truncate'; size: number }
  /** `link`: the object is a symlink, so the `l*` variant (the plain call would follow it). */
  | { kind: 'chmod'; mode: number; link: boolean }
  | { kind: 'chown'; uid: number; gid: number; link: boolean }
  | { kind: 'utimes'; atime: number; mtime: number; link: boolean };

/** What to change, in an order where each step still finds the object it changes. */
export function planMetadata(current: Stats, wanted: Partial<InodeLike>): MetadataStep[] {
  const steps: MetadataStep[] = [];
  const isFile = (current.mode & S_IFMT) === S_IFREG;
  const link = (current.mode & S_IFMT) === S_IFLNK;
  if (isFile && wanted.mode !== undefined && (wanted.mode & S_IFMT) === S_IFLNK) {
    // The conversion makes a new object: whatever else the inode says was about the placeholder file.
    return [{ kind: 'symlink' }];
  }
  if (isFile && wanted.size !== undefined && wanted.size !== current.size) {
    steps.push({ kind: 'truncate', size: wanted.size });
  }
  if (wanted.mode !== undefined && (wanted.mode & 0o7777) !== (current.mode & 0o7777)) {
    steps.push({ kind: 'chmod', mode: wanted.mode & 0o7777, link });
  }
  const uid = wanted.uid ?? current.uid;
  const gid = wanted.gid ?? current.gid;
  if (uid !== current.uid || gid !== current.gid) steps.push({ kind: 'chown', uid, gid, link });
  const atime = wanted.atimeMs ?? current.atimeMs;
  const mtime = wanted.mtimeMs ?? current.mtimeMs;
  if (atime !== current.atimeMs || mtime !== current.mtimeMs) {
    steps.push({ kind: 'utimes', atime: atime / 1000, mtime: mtime / 1000, link });
  }
  return steps;
}

const decoder = new TextDecoder();

/** Applies the steps with the promise API. */
export async function applyMetadata(
  ov: Overlay,
  path: string,
  steps: readonly MetadataStep[],
): Promise<void> {
  for (const step of steps) {
    switch (step.kind) {
      case 'symlink': {
        const target = decoder.decode(await ov.readFile(path));
        await ov.unlink(path);
        await ov.symlink(target, path);
        break;
      }
      case 'truncate':
        await ov.truncate(path, step.size);
        break;
      case 'chmod':
        await (step.link ? ov.lchmod(path, step.mode) : ov.chmod(path, step.mode));
        break;
      case 'chown':
        await (step.link ? ov.lchown(path, step.uid, step.gid) : ov.chown(path, step.uid, step.gid));
        break;
      case 'utimes':
        await (step.link
          ? ov.lutimes(path, step.atime, step.mtime)
          : ov.utimes(path, step.atime, step.mtime));
        break;
    }
  }
}

/** Applies the steps with Node's sync calls (EAGAIN where a layer cannot answer at once). */
export function applyMetadataSync(ov: Overlay, path: string, steps: readonly MetadataStep[]): void {
  for (const step of steps) {
    switch (step.kind) {
      case 'symlink': {
        const target = decoder.decode(ov.readFileSync(path));
        ov.unlinkSync(path);
        ov.symlinkSync(target, path);
        break;
      }
      case 'truncate':
        ov.truncateSync(path, step.size);
        break;
      case 'chmod':
        if (step.link) ov.lchmodSync(path, step.mode);
        else ov.chmodSync(path, step.mode);
        break;
      case 'chown':
        if (step.link) ov.lchownSync(path, step.uid, step.gid);
        else ov.chownSync(path, step.uid, step.gid);
        break;
      case 'utimes':
        if (step.link) ov.lutimesSync(path, step.atime, step.mtime);
        else ov.utimesSync(path, step.atime, step.mtime);
        break;
    }
  }
}
