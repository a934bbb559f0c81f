/**
 * The undo log that makes one commit of DirUpper all-or-nothing across a crash.
 *
 * Every change a commit makes on disk is written to `workdir/vellum/undo/journal.jsonl` before it
 * is made, with what it takes to reverse it: where a renamed object came from, the bytes a write
 * overwrites, the metadata a chmod replaces. Nothing is deleted during a commit (what goes away is
 * moved into the undo directory). The commit's line in the records log is its commit point; the
 * undo directory is removed after it. Opening an upper whose undo directory is still there (a
 * SIGKILL, a power cut before the page cache was written) either finds the commit's line (done:
 * the directory goes) or reverses every step, newest first, to the state before the commit.
 *
 * Each reversal checks that its step happened (the inode number at the path), so a step logged
 * but not made is skipped. The journal is written with plain `write`s: they survive the process
 * (SIGKILL); surviving a power cut would also need an fsync per step.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { setXattr } from './xattr.js';

/** One reversible change on disk. */
type Step =
  /** `from` was renamed to `to`; the object has inode number `ino`. */
  | { op: 'moved'; from: string; to: string; ino: number }
  /** `path` was made a new name of inode `ino` (a hard link). */
  | { op: 'linked'; path: string; ino: number }
  /** `path`, free before, was created (a file, directory, symlink or whiteout). */
  | { op: 'created'; path: string }
  /** Bytes from `offset` were overwritten (old ones in `file`, none past the old `size`), or the file was resized. */
  | { op: 'bytes'; path: string; offset: number; file: string | null; size: number }
  /** A file whose bytes were all holes (a metacopy) of `size` bytes got data. */
  | { op: 'zeroed'; path: string; size: number }
  /** Mode, owner and times before a change. */
  | {
      op: 'meta';
      path: string;
      mode: number;
      uid: number;
      gid: number;
      atimeMs: number;
      mtimeMs: number;
      link: boolean;
    }
  /** An xattr's value before a change (`null`: absent), hex. */
  | { op: 'xattr'; path: string; name: string; value: string | null };

/** The journal of one commit. */
export class UndoLog {
  readonly #dir: string;
  readonly #fd: number;
  #files = 0;
  /** Directories whose metadata is already logged in this commit. */
  readonly #metaLogged = new Set<string>();

  private constructor(dir: string, fd: number) {
    this.#dir = dir;
    this.#fd = fd;
  }

  /** Starts the journal of commit `txn` in `dir` (which must not exist). */
  static async begin(dir: string, txn: string): Promise<UndoLog> {
    await fsp.mkdir(dir, { recursive: true });
    const fd = fs.openSync(nodePath.join(dir, 'journal.jsonl'), 'w');
    fs.writeSync(fd, `${JSON.stringify({ txn })}\n`);
    return new UndoLog(dir, fd);
  }

  #log(step: Step): void {
    fs.writeSync(this.#fd, `${JSON.stringify(step)}\n`);
  }

  /** A fresh name inside the undo directory, for what the commit removes or saves. */
  spare(): string {
    return nodePath.join(this.#dir, `s${this.#files++}`);
  }

  /** Logs the mode, owner and times of `path` once per commit (a directory whose names change). */
  async keepMeta(path: string): Promise<void> {
    if (this.#metaLogged.has(path)) return;
    this.#metaLogged.add(path);
    await this.#logMeta(path);
  }

  async #logMeta(path: string): Promise<void> {
    const st = await fsp.lstat(path);
    this.#log({
      op: 'meta',
      path,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      atimeMs: st.atimeMs,
      mtimeMs: st.mtimeMs,
      link: st.isSymbolicLink(),
    });
  }

  async rename(from: string, to: string): Promise<void> {
    const ino = (await fsp.lstat(from)).ino;
    await this.keepMeta(nodePath.dirname(from));
    await this.keepMeta(nodePath.dirname(to));
    try {
      // A rename over a name: the object there is kept by a link in the undo directory.
      const saved = this.spare();
      await fsp.link(to, saved);
      this.#log({ op: 'linked', path: saved, ino: (await fsp.lstat(saved)).ino });
      this.#log({ op: 'moved', from: to, to: saved, ino: (await fsp.lstat(saved)).ino });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // EPERM: a directory cannot be linked; an empty one being replaced is moved aside instead.
      if (code === 'EPERM') await this.remove(to);
      else if (code !== 'ENOENT') throw err;
    }
    this.#log({ op: 'moved', from, to, ino });
    await fsp.rename(from, to);
  }

  /** Moves `path` out of the way (what the commit removes), into the undo directory. */
  async remove(path: string): Promise<void> {
    await this.rename(path, this.spare());
  }

  async link(existing: string, path: string): Promise<void> {
    await this.keepMeta(nodePath.dirname(path));
    this.#log({ op: 'linked', path, ino: (await fsp.lstat(existing)).ino });
    await fsp.link(existing, path);
  }

  /** Runs `make`, which creates `path` (free until then). */
  async create(path: string, make: () => Promise<void> | void): Promise<void> {
    await this.keepMeta(nodePath.dirname(path));
    this.#log({ op: 'created', path });
    await make();
  }

  /** Writes `data` at `offset` in the file `path`, keeping the bytes it replaces. */
  async write(path: string, data: Uint8Array, offset: number): Promise<void> {
    const fh = await fsp.open(path, 'r+');
    try {
      const size = (await fh.stat()).size;
      const old = new Uint8Array(Math.max(0, Math.min(data.length, size - offset)));
      if (old.length > 0) await fh.read(old, 0, old.length, offset);
      const file = this.spare();
      await fsp.writeFile(file, old);
      this.#log({ op: 'bytes', path, offset, file, size });
      await fh.write(data, 0, data.length, offset);
    } finally {
      await fh.close();
    }
  }

  /** Resizes the file `path`, keeping the bytes a shrink drops. */
  async truncate(path: string, length: number): Promise<void> {
    const size = (await fsp.stat(path)).size;
    if (size === length) return;
    let file: string | null = null;
    if (length < size) {
      file = this.spare();
      const fh = await fsp.open(path, 'r');
      try {
        const tail = new Uint8Array(size - length);
        await fh.read(tail, 0, tail.length, length);
        await fsp.writeFile(file, tail);
      } finally {
        await fh.close();
      }
    }
    this.#log({ op: 'bytes', path, offset: length, file, size });
    await fsp.truncate(path, length);
  }

  /** Declares that the file `path`, all holes of `size` bytes (a metacopy), is about to get data. */
  zeroed(path: string, size: number): void {
    this.#log({ op: 'zeroed', path, size });
  }

  /** Sets mode (not on a symlink), owner and times of `path`, keeping the old ones. */
  async setMeta(
    path: string,
    meta: { mode: number; uid: number; gid: number; atimeMs: number; mtimeMs: number },
  ): Promise<void> {
    await this.#logMeta(path);
    if (!(await fsp.lstat(path)).isSymbolicLink()) await fsp.chmod(path, meta.mode & 0o7777);
    await fsp.lchown(path, meta.uid, meta.gid);
    await fsp.lutimes(path, meta.atimeMs / 1000, meta.mtimeMs / 1000);
  }

  /** Sets (or removes) an xattr whose value before is `old` (known to the caller). */
  async setXattr(
    path: string,
    name: string,
    value: Uint8Array | undefined,
    old: Uint8Array | undefined,
  ): Promise<void> {
    this.#log({
      op: 'xattr',
      path,
      name,
      value: old === undefined ? null : Buffer.from(old).toString('hex'),
    });
    await setXattr(path, name, value);
  }

  /** Closes the journal; the caller writes its commit point, then calls {@link UndoLog.discard}. */
  close(): void {
    fs.closeSync(this.#fd);
  }

  /** Removes an undo directory: the commit it journals is done. */
  static async discard(dir: string): Promise<void> {
    await fsp.rm(dir, { recursive: true, force: true });
  }

  /** The commit an undo directory journals, or `undefined` when there is none. */
  static async pending(dir: string): Promise<string | undefined> {
    let text: string;
    try {
      text = await fsp.readFile(nodePath.join(dir, 'journal.jsonl'), 'utf8');
    } catch {
      return undefined;
    }
    const first = text.split('\n')[0] ?? '';
    try {
      return (JSON.parse(first) as { txn?: string }).txn;
    } catch {
      return undefined;
    }
  }

  /** Reverses every step of the journal in `dir`, newest first, then removes `dir`. */
  static async rollBack(dir: string): Promise<void> {
    let text = '';
    try {
      text = await fsp.readFile(nodePath.join(dir, 'journal.jsonl'), 'utf8');
    } catch {
      // no journal: nothing was changed
    }
    const steps: Step[] = [];
    for (const line of text.split('\n').slice(1)) {
      if (line === '') continue;
      try {
        steps.push(JSON.parse(line) as Step);
      } catch {
        break; // the step being logged when the process died: it was not made either
      }
    }
    for (const step of steps.reverse()) await undo(step);
    await UndoLog.discard(dir);
  }
}

async function inoAt(path: string): Promise<number | undefined> {
  try {
    return (await fsp.lstat(path)).ino;
  } catch {
    return undefined;
  }
}

async function undo(step: Step): Promise<void> {
  switch (step.op) {
    case 'moved':
      if ((await inoAt(step.to)) === step.ino && (await inoAt(step.from)) === undefined)
        await fsp.rename(step.to, step.from);
      break;
    case 'linked':
      if ((await inoAt(step.path)) === step.ino) await fsp.rm(step.path, { force: true });
      break;
    case 'created':
      await fsp.rm(step.path, { recursive: true, force: true });
      break;
    case 'bytes': {
      if ((await inoAt(step.path)) === undefined) break;
      if (step.file !== null) {
        const old = await fsp.readFile(step.file).catch(() => undefined);
        if (old !== undefined) {
          const fh = await fsp.open(step.path, 'r+');
          try {
            await fh.write(old, 0, old.length, step.offset);
          } finally {
            await fh.close();
          }
        }
      }
      await fsp.truncate(step.path, step.size);
      break;
    }
    case 'zeroed':
      if ((await inoAt(step.path)) === undefined) break;
      await fsp.truncate(step.path, 0);
      await fsp.truncate(step.path, step.size);
      break;
    case 'meta':
      if ((await inoAt(step.path)) === undefined) break;
      if (!step.link) await fsp.chmod(step.path, step.mode);
      await fsp.lchown(step.path, step.uid, step.gid);
      await fsp.lutimes(step.path, step.atimeMs / 1000, step.mtimeMs / 1000);
      break;
    case 'xattr':
      if ((await inoAt(step.path)) === undefined) break;
      await setXattr(step.path, step.name, step.value === null ? undefined : Buffer.from(step.value, 'hex'));
      break;
  }
}
