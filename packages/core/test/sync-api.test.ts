/**
 * The synchronous face: Node's `*Sync` calls answer where every layer can
 * without waiting, and say which layer would have to wait (EAGAIN) otherwise —
 * never a wrong answer.
 */
import { describe, expect, it } from 'vitest';
import {
  type LowerEntry,
  type LowerLayer,
  MemoryLayer,
  MemoryUpper,
  Overlay,
  symlink,
  type UpperLayer,
} from '../src/index.js';
import { overlay } from './helpers.js';

/** A lower that, like one over HTTP, can only answer reads asynchronously. */
class AsyncOnlyLower implements LowerLayer {
  readonly id = 'async-only';
  readonly #inner = MemoryLayer.fromTree({ remote: { 'data.txt': 'from far away' } });
  entries(): Iterable<LowerEntry> {
    return this.#inner.entries();
  }
  read(ref: unknown, offset: number, length: number): Promise<Uint8Array> {
    return this.#inner.read(ref, offset, length);
  }
}

const syncError = (fn: () => unknown): { code?: string; message: string; cause?: unknown } => {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string; cause?: unknown };
  }
  throw new Error('expected the call to throw');
};

describe('synchronous API', () => {
  it('does what the promise API does, on memory layers', async () => {
    const { ov } = await overlay([{ src: { 'a.ts': 'A', link: symlink('a.ts') } }, { src: { 'b.ts': 'B' } }]);
    expect(ov.readdirSync('/src')).toEqual(['a.ts', 'b.ts', 'link']);
    expect(ov.readFileSync('/src/link', 'utf8')).toBe('A');
    ov.writeFileSync('/src/a.ts', 'changed');
    ov.appendFileSync('/src/a.ts', '!');
    ov.mkdirSync('/out/deep', { recursive: true });
    ov.renameSync('/src/b.ts', '/out/b.ts');
    ov.copyFileSync('/out/b.ts', '/out/c.ts');
    ov.symlinkSync('c.ts', '/out/l');
    ov.linkSync('/out/c.ts', '/out/hard');
    ov.chmodSync('/out/c.ts', 0o600);
    ov.utimesSync('/out/c.ts', 1, 2);
    ov.truncateSync('/out/b.ts', 0);
    ov.unlinkSync('/src/link');
    ov.rmdirSync('/out/deep');
    expect(ov.existsSync('/src/link')).toBe(false);
    expect(ov.realpathSync('/out/l')).toBe('/out/c.ts');
    expect(ov.readlinkSync('/out/l')).toBe('c.ts');
    const c = ov.statSync('/out/c.ts');
    expect([c.mode & 0o777, c.mtimeMs, c.nlink]).toEqual([0o600, 2000, 2]);
    // The promise API sees the same tree.
    expect(await ov.readFile('/src/a.ts', 'utf8')).toBe('changed!');
    expect(await ov.readdir('/out')).toEqual(['b.ts', 'c.ts', 'hard', 'l']);
    expect(await ov.changes()).toContainEqual({ path: '/src/b.ts', type: 'file', change: 'deleted' });
    ov.rmSync('/out', { recursive: true });
    expect(ov.existsSync('/out')).toBe(false);
  });

  it('fails with Node-shaped errors', async () => {
    const { ov } = await overlay([{ f: 'x' }]);
    expect(syncError(() => ov.readFileSync('/missing'))).toMatchObject({
      code: 'ENOENT',
      message: "ENOENT: no such file or directory, open '/missing'",
    });
    expect(syncError(() => ov.mkdirSync('/f'))).toMatchObject({ code: 'EEXIST' });
    expect(syncError(() => ov.renameSync('/nope', '/x'))).toMatchObject({
      code: 'ENOENT',
      syscall: 'rename',
    });
  });

  it('says which lower would have to wait, instead of answering wrongly', async () => {
    const ov = await Overlay.create({ lowers: [new AsyncOnlyLower()], upper: new MemoryUpper() });
    expect(ov.statSync('/remote/data.txt').size).toBe(13); // metadata is always at hand
    const e = syncError(() => ov.readFileSync('/remote/data.txt'));
    expect(e.code).toBe('EAGAIN');
    expect(String((e.cause as Error).message)).toContain("lower 0 ('async-only')");
    // An append into the file's only chunk needs its old bytes: refused, and nothing changed.
    const w = syncError(() => ov.appendFileSync('/remote/data.txt', '!'));
    expect(w.code).toBe('EAGAIN');
    expect(ov.origin('/remote/data.txt')).toEqual({ layer: 0, copiedUp: false, metacopy: false });
    expect(ov.statSync('/remote/data.txt').size).toBe(13);
    // What needs no old bytes works: a truncate to zero, then a write.
    ov.writeFileSync('/remote/data.txt', 'replaced');
    expect(ov.readFileSync('/remote/data.txt', 'utf8')).toBe('replaced');
  });

  it('refuses writes while an asynchronous write is in flight, and on an upper that cannot commit synchronously', async () => {
    const { ov } = await overlay([{}]);
    const pending = ov.mkdir('/a'); // a writer is queued from this call on
    expect(syncError(() => ov.writeFileSync('/b', 'sync')).code).toBe('EAGAIN');
    await pending;
    ov.writeFileSync('/b', 'sync');
    expect(await ov.readdir('/')).toEqual(['a', 'b']);

    /** An upper that, like IndexedDB, commits asynchronously only. */
    const memory = new MemoryUpper();
    const asyncUpper: UpperLayer = {
      load: () => memory.load(),
      commit: (changes) => memory.commit(changes),
      readChunk: (ino, index) => memory.readChunk(ino, index),
      clear: () => memory.clear(),
      usage: () => memory.usage(),
    };
    const slow = await Overlay.create({ lowers: [], upper: asyncUpper });
    const e = syncError(() => slow.mkdirSync('/d'));
    expect(e.code).toBe('EAGAIN');
    expect(slow.existsSync('/d')).toBe(false);
    await slow.mkdir('/d');
    expect(slow.statSync('/d').isDirectory()).toBe(true);
  });
});
