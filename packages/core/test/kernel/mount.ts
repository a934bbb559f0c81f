/**
 * Real Linux overlayfs mounts built from tree descriptions: the reference the differential
 * test compares Vellum against.
 *
 * Every mount gets its own temp dir (lower dirs, a fresh upper and workdir, a mount point):
 * with `index=on` the kernel ties an upper to the exact lowers it was first mounted over, so
 * nothing may be reused between cases.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeNode, type Tree } from '../../src/tree.js';

/** The options Vellum promises to behave like (see shared/design/overlay-semantics.md). */
export const OVERLAY_OPTIONS = 'redirect_dir=on,index=on,metacopy=on';

/** Modes and times a tree entry gets when it does not say: what MemoryLayer is meant to use too. */
export const DEFAULT_FILE_MODE = 0o644;
export const DEFAULT_DIR_MODE = 0o755;

export type MountCheck = { ok: true } | { ok: false; reason: string };

let cachedCheck: MountCheck | undefined;

/**
 * Whether this process can mount overlayfs: Linux, root, overlay in /proc/filesystems, and a
 * trial mount with our exact options succeeds. The result is cached; the reason says which
 * condition failed so a skipped test explains itself.
 */
export function canMountOverlay(): MountCheck {
  cachedCheck ??= checkMount();
  return cachedCheck;
}

function checkMount(): MountCheck {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (platform ${process.platform})` };
  const uid = process.getuid?.();
  if (uid !== 0) return { ok: false, reason: `not root (uid ${String(uid)})` };
  let filesystems: string;
  try {
    filesystems = fs.readFileSync('/proc/filesystems', 'utf8');
  } catch (err) {
    return { ok: false, reason: `cannot read /proc/filesystems: ${errorText(err)}` };
  }
  if (!/\toverlay$/m.test(filesystems)) return { ok: false, reason: 'overlay is not in /proc/filesystems' };
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vellum-ovl-probe-'));
  try {
    for (const d of ['l0', 'u', 'w', 'm']) fs.mkdirSync(path.join(base, d));
    const mnt = path.join(base, 'm');
    try {
      mountOverlay([path.join(base, 'l0')], path.join(base, 'u'), path.join(base, 'w'), mnt);
    } catch (err) {
      return { ok: false, reason: `trial mount failed: ${errorText(err)}` };
    }
    unmount(mnt);
    return { ok: true };
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

/** Mount points still mounted, for the exit-time safety net. */
const live = new Map<string, string>(); // mount point -> temp base dir
let exitHookInstalled = false;
let signalsArmed = false;

/** Unmounts (lazily) and removes everything still live; synchronous, for exit paths. */
function cleanupLiveSync(): void {
  for (const [mnt, base] of live) {
    try {
      execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
      fs.rmSync(base, { recursive: true, force: true });
    } catch {
      // Nothing more can be done while exiting.
    }
  }
  live.clear();
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Cleans up, then lets the signal do what it would have done without us. */
function onSignal(signal: NodeJS.Signals): void {
  cleanupLiveSync();
  disarmSignals();
  process.kill(process.pid, signal);
}

/**
 * A crashed or interrupted test must not leave mounts behind: they pile up and keep temp
 * dirs busy. 'exit' covers normal ends and process.exit(); signals need their own handlers
 * (Vitest stops its fork workers with SIGTERM, which skips 'exit'). Signal handlers are only
 * installed while a mount is live, so they change nothing otherwise.
 */
function armSafetyNet(): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', cleanupLiveSync);
  }
  if (!signalsArmed) {
    signalsArmed = true;
    for (const sig of SIGNALS) process.on(sig, onSignal);
  }
}

function disarmSignals(): void {
  signalsArmed = false;
  for (const sig of SIGNALS) process.off(sig, onSignal);
}

export class KernelOverlay {
  private disposed = false;

  private constructor(
    /** The merged view: operate here. */
    readonly mountPoint: string,
    /** Holds l0…ln, upper, work and the mount point. */
    readonly baseDir: string,
  ) {}

  /** Writes the lowers (lowers[0] is the top one, as in `lowerdir=`) and mounts them under a fresh upper. */
  static async create(lowers: readonly Tree[]): Promise<KernelOverlay> {
    if (lowers.length === 0) throw new Error('KernelOverlay needs at least one lower');
    const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'vellum-ovl-'));
    const lowerDirs = lowers.map((_, i) => path.join(base, `l${i}`));
    const upper = path.join(base, 'u');
    const work = path.join(base, 'w');
    const mnt = path.join(base, 'm');
    try {
      for (const d of [...lowerDirs, upper, work, mnt]) await fsp.mkdir(d);
      // mkdtemp makes its dir 0700; the overlay root takes its mode from the upper root, so pin
      // all roots to the usual 0755 rather than leak mkdtemp's choice into the merged view.
      for (const d of [...lowerDirs, upper, base]) await fsp.chmod(d, DEFAULT_DIR_MODE);
      for (let i = 0; i < lowers.length; i++) await writeTree(lowerDirs[i], lowers[i]);
      mountOverlay(lowerDirs, upper, work, mnt);
    } catch (err) {
      await fsp.rm(base, { recursive: true, force: true });
      throw err;
    }
    live.set(mnt, base);
    armSafetyNet();
    return new KernelOverlay(mnt, base);
  }

  /** Unmounts (lazily if busy) and removes every directory the mount used. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      unmount(this.mountPoint);
    } finally {
      live.delete(this.mountPoint);
      if (live.size === 0) disarmSignals();
      await fsp.rm(this.baseDir, { recursive: true, force: true });
    }
  }
}

function mountOverlay(lowerDirs: readonly string[], upper: string, work: string, mnt: string): void {
  const opts = `lowerdir=${lowerDirs.join(':')},upperdir=${upper},workdir=${work},${OVERLAY_OPTIONS}`;
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', opts, mnt], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function unmount(mnt: string): void {
  try {
    execFileSync('umount', [mnt], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    // Busy (a handle left open somewhere): detach now, the kernel finishes when it is released.
    execFileSync('umount', ['-l', mnt], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

interface PendingMeta {
  path: string;
  mode: number;
  atimeMs?: number;
  mtimeMs?: number;
  uid?: number;
  gid?: number;
  isDir: boolean;
}

/**
 * Writes a tree into an empty directory in the on-disk formats overlayfs reads: whiteouts as
 * char devices 0/0, opaque dirs as `trusted.overlay.opaque=y`, hard links as real links.
 *
 * Order matters: creating entries changes the parent's mtime, so metadata is applied last,
 * children before parents; hard links come after all files so their targets exist.
 */
export async function writeTree(root: string, tree: Tree): Promise<void> {
  const metas: PendingMeta[] = [];
  const whiteouts: string[] = [];
  const opaques: string[] = [];
  const links: Array<{ path: string; target: string }> = [];
  const symlinkTimes: Array<{ path: string; atimeMs?: number; mtimeMs?: number }> = [];

  const walk = async (dirPath: string, children: Tree): Promise<void> => {
    for (const [name, node] of Object.entries(children)) {
      const p = path.join(dirPath, name);
      const d = describeNode(node);
      switch (d.kind) {
        case 'file':
          await fsp.writeFile(p, d.data);
          metas.push({ ...metaOf(d), path: p, mode: d.mode ?? DEFAULT_FILE_MODE, isDir: false });
          break;
        case 'dir':
          await fsp.mkdir(p);
          if (d.opaque) opaques.push(p);
          await walk(p, d.children);
          // Pushed after the children: metadata is applied in this order.
          metas.push({ ...metaOf(d), path: p, mode: d.mode ?? DEFAULT_DIR_MODE, isDir: true });
          break;
        case 'symlink':
          await fsp.symlink(d.target, p);
          symlinkTimes.push({ path: p, atimeMs: d.atimeMs, mtimeMs: d.mtimeMs });
          break;
        case 'hardlink':
          links.push({ path: p, target: path.join(root, d.target) });
          break;
        case 'whiteout':
          whiteouts.push(p);
          break;
      }
    }
  };
  await walk(root, tree);

  for (const l of links) await fsp.link(l.target, l.path);
  // One process for all whiteouts rather than one per node: spawning dominates the cost.
  if (whiteouts.length > 0) {
    execFileSync('sh', ['-c', 'for p; do mknod "$p" c 0 0 || exit 1; done', 'sh', ...whiteouts], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  if (opaques.length > 0) setOpaque(opaques);

  for (const m of metas) {
    await fsp.chmod(m.path, m.mode);
    if (m.uid !== undefined || m.gid !== undefined) await fsp.lchown(m.path, m.uid ?? 0, m.gid ?? 0);
    if (m.mtimeMs !== undefined || m.atimeMs !== undefined) {
      const st = await fsp.lstat(m.path);
      await fsp.utimes(m.path, (m.atimeMs ?? st.atimeMs) / 1000, (m.mtimeMs ?? st.mtimeMs) / 1000);
    }
  }
  for (const s of symlinkTimes) {
    if (s.mtimeMs === undefined && s.atimeMs === undefined) continue;
    const st = await fsp.lstat(s.path);
    await fsp.lutimes(s.path, (s.atimeMs ?? st.atimeMs) / 1000, (s.mtimeMs ?? st.mtimeMs) / 1000);
  }
}

function metaOf(m: { atimeMs?: number; mtimeMs?: number; uid?: number; gid?: number }) {
  return { atimeMs: m.atimeMs, mtimeMs: m.mtimeMs, uid: m.uid, gid: m.gid };
}

let haveSetfattr: boolean | undefined;

/** Marks directories opaque the way the kernel does; setfattr (package `attr`) or python3 as fallback. */
function setOpaque(dirs: readonly string[]): void {
  if (haveSetfattr === undefined) {
    try {
      execFileSync('setfattr', ['--version'], { stdio: 'ignore' });
      haveSetfattr = true;
    } catch {
      haveSetfattr = false;
    }
  }
  if (haveSetfattr) {
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', ...dirs], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } else {
    const script = "import os,sys\nfor p in sys.argv[1:]: os.setxattr(p, 'trusted.overlay.opaque', b'y')";
    execFileSync('python3', ['-c', script, ...dirs], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const stderr = (err as Error & { stderr?: unknown }).stderr;
    const extra =
      stderr instanceof Uint8Array && stderr.length > 0 ? `: ${Buffer.from(stderr).toString().trim()}` : '';
    return `${err.message}${extra}`;
  }
  return String(err);
}
