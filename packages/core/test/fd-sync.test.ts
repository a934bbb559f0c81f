/**
 * Node's fd-based synchronous calls (`openSync`, `readSync`, `writeSync`, `fstatSync`,
 * `ftruncateSync`, `f*Sync`, `closeSync`) and the `l*Sync` metadata calls: the same
 * values and error shapes as `node:fs` in a temporary directory, and ranged I/O that
 * touches only the chunks it covers (what ZenFS's backend and WASI-style callers need).
 */
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type LowerEntry,
  type LowerLayer,
  MemoryLayer,
  MemoryUpper,
  Overlay,
  symlink,
  type UpperChange,
} from '../src/index.js';

type SyncFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'readSync'
  | 'writeSync'
  | 'fstatSync'
  | 'ftruncateSync'
  | 'fchmodSync'
  | 'futimesSync'
  | 'closeSync'
  | 'mkdirSync'
  | 'writeFileSync'
  | 'readFileSync'
  | 'unlinkSync'
  | 'existsSync'
>;
type Scenario = (fs: SyncFs, p: (path: string) => string) => unknown;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) nodeFs.rmSync(root, { recursive: true, force: true });
});

function outcome(run: () => unknown, root: string): unknown {
  const strip = (s: string): string => s.split(root).join('');
  try {
    return { ok: normalize(run(), strip) };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return {
      code: e.code,
      errno: e.errno,
      syscall: e.syscall,
      path: e.path === undefined ? undefined : strip(e.path),
      message: strip(e.message),
    };
  }
}

function normalize(value: unknown, strip: (s: string) => string): unknown {
  if (typeof value === 'string') return strip(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map((v) => normalize(v, strip));
  return value;
}

async function both(scenario: Scenario): Promise<{ node: unknown; vellum: unknown }> {
  const root = nodeFs.mkdtempSync(join(tmpdir(), 'vellum-fd-'));
  roots.push(root);
  const node = outcome(() => scenario(nodeFs, (p) => root + p), root);
  const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree({})], upper: new MemoryUpper() });
  const vellum = outcome(() => scenario(ov as unknown as SyncFs, (p) => p), '');
  return { node, vellum };
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

const scenarios: Record<string, Scenario> = {
  'openSync of a missing file': (fs, p) => fs.openSync(p('/nope'), 'r'),
  'openSync wx on an existing file': (fs, p) => {
    fs.writeFileSync(p('/f'), 'x');
    return fs.openSync(p('/f'), 'wx');
  },
  'positioned and sequential writes, then reads': (fs, p) => {
    const fd = fs.openSync(p('/f'), 'w+');
    const out: unknown[] = [];
    out.push(fs.writeSync(fd, bytes('hello world')));
    out.push(fs.writeSync(fd, 'HELLO', 0));
    out.push(fs.writeSync(fd, bytes('..!..'), 2, 1, 11)); // one byte '!' at 11
    out.push(fs.writeSync(fd, ' tail')); // sequential: after the last unpositioned write
    const buf = new Uint8Array(32);
    out.push(fs.readSync(fd, buf, 0, 32, 0), buf.slice(0, 20));
    out.push(fs.readSync(fd, buf, 4, 3, 6), buf.slice(0, 8));
    out.push(fs.readSync(fd, buf, { offset: 1, length: 2, position: 1 }), buf.slice(0, 4));
    out.push(fs.readSync(fd, buf, 0, 8, 100)); // past the end: 0 bytes
    out.push(fs.fstatSync(fd).size);
    fs.closeSync(fd);
    return [out, fs.readFileSync(p('/f'))];
  },
  'sequential reads move the position': (fs, p) => {
    fs.writeFileSync(p('/f'), 'abcdefgh');
    const fd = fs.openSync(p('/f'), 'r');
    const buf = new Uint8Array(3);
    const out = [fs.readSync(fd, buf), Buffer.from(buf).toString()];
    out.push(fs.readSync(fd, buf, 0, 3, null), Buffer.from(buf).toString());
    out.push(fs.readSync(fd, buf, 0, 3, 0), fs.readSync(fd, buf, 0, 3, null), Buffer.from(buf).toString());
    fs.closeSync(fd);
    return out;
  },
  'append mode writes at the end whatever the position': (fs, p) => {
    fs.writeFileSync(p('/f'), 'abc');
    const fd = fs.openSync(p('/f'), 'a');
    fs.writeSync(fd, 'XY', 0);
    fs.writeSync(fd, bytes('Z'));
    fs.closeSync(fd);
    return fs.readFileSync(p('/f'));
  },
  'ftruncateSync shrinks and grows with zeros': (fs, p) => {
    fs.writeFileSync(p('/f'), 'abcdefgh');
    const fd = fs.openSync(p('/f'), 'r+');
    fs.ftruncateSync(fd, 3);
    const small = fs.fstatSync(fd).size;
    fs.ftruncateSync(fd, 6);
    fs.closeSync(fd);
    return [small, fs.readFileSync(p('/f'))];
  },
  'fchmodSync and futimesSync': (fs, p) => {
    fs.writeFileSync(p('/f'), 'x');
    const fd = fs.openSync(p('/f'), 'r');
    fs.fchmodSync(fd, 0o640);
    fs.futimesSync(fd, 1000, 2000);
    const st = fs.fstatSync(fd);
    fs.closeSync(fd);
    return [st.mode & 0o7777, st.mtimeMs, st.atimeMs];
  },
  'readSync on a write-only descriptor': (fs, p) => {
    const fd = fs.openSync(p('/f'), 'w');
    try {
      return fs.readSync(fd, new Uint8Array(4), 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
  },
  'writeSync on a read-only descriptor': (fs, p) => {
    fs.writeFileSync(p('/f'), 'x');
    const fd = fs.openSync(p('/f'), 'r');
    try {
      return fs.writeSync(fd, 'y');
    } finally {
      fs.closeSync(fd);
    }
  },
  'readSync on a directory': (fs, p) => {
    fs.mkdirSync(p('/d'));
    const fd = fs.openSync(p('/d'), 'r');
    try {
      return fs.readSync(fd, new Uint8Array(4), 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
  },
  'closeSync twice': (fs, p) => {
    const fd = fs.openSync(p('/f'), 'w');
    fs.closeSync(fd);
    return fs.closeSync(fd);
  },
  'an unlinked file stays readable through its descriptor': (fs, p) => {
    fs.writeFileSync(p('/f'), 'still here');
    const fd = fs.openSync(p('/f'), 'r');
    fs.unlinkSync(p('/f'));
    const buf = new Uint8Array(10);
    const n = fs.readSync(fd, buf, 0, 10, 0);
    fs.closeSync(fd);
    return [fs.existsSync(p('/f')), n, buf];
  },
};

describe('fd-based sync calls behave like node:fs', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const { node, vellum } = await both(scenario);
      expect(vellum).toEqual(node);
    });
  }
});

/** A lower that counts the bytes its reads return, sync and async. */
class CountingLower implements LowerLayer {
  readonly id: string;
  readonly #inner: MemoryLayer;
  bytesRead = 0;
  constructor(inner: MemoryLayer) {
    this.#inner = inner;
    this.id = inner.id;
  }
  entries(): Iterable<LowerEntry> {
    return this.#inner.entries() as Iterable<LowerEntry>;
  }
  async read(ref: unknown, offset: number, length: number): Promise<Uint8Array> {
    const out = await this.#inner.read(ref, offset, length);
    this.bytesRead += out.byteLength;
    return out;
  }
  readSync(ref: unknown, offset: number, length: number): Uint8Array | undefined {
    const out = this.#inner.readSync(ref, offset, length);
    this.bytesRead += out?.byteLength ?? 0;
    return out;
  }
}

/** A memory upper that adds up the chunk bytes each commit stores. */
class CountingUpper extends MemoryUpper {
  chunkBytes = 0;
  override commitSync(changes: readonly UpperChange[]): void {
    for (const c of changes) if (c.op === 'put-chunk') this.chunkBytes += c.data.byteLength;
    super.commitSync(changes);
  }
}

describe('ranged sync I/O touches only what it covers', () => {
  const MiB = 2 ** 20;
  const big = new Uint8Array(64 * MiB);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;

  it('readSync of 4 KiB from a 64 MiB lower file reads at most one chunk from the lower', async () => {
    const lower = new CountingLower(MemoryLayer.fromTree({ 'big.bin': big }));
    const ov = await Overlay.create({ lowers: [lower], upper: new MemoryUpper() });
    const fd = ov.openSync('/big.bin', 'r');
    const buf = new Uint8Array(4096);
    expect(ov.readSync(fd, buf, 0, 4096, 10 * MiB)).toBe(4096);
    expect(buf[0]).toBe(big[10 * MiB]);
    ov.closeSync(fd);
    expect(lower.bytesRead).toBeGreaterThanOrEqual(4096);
    expect(lower.bytesRead).toBeLessThanOrEqual(64 * 1024);
  });

  it('writeSync of 1 byte at 10 MiB into a 64 MiB lower file stores one chunk', async () => {
    const lower = new CountingLower(MemoryLayer.fromTree({ 'big.bin': big }));
    const upper = new CountingUpper();
    const ov = await Overlay.create({ lowers: [lower], upper });
    const fd = ov.openSync('/big.bin', 'r+');
    expect(ov.writeSync(fd, new Uint8Array([0xee]), 0, 1, 10 * MiB + 7)).toBe(1);
    ov.closeSync(fd);
    expect(upper.chunkBytes).toBe(64 * 1024);
    expect(lower.bytesRead).toBeLessThanOrEqual(64 * 1024);
    const check = ov.openSync('/big.bin', 'r');
    const buf = new Uint8Array(3);
    ov.readSync(check, buf, 0, 3, 10 * MiB + 6);
    ov.closeSync(check);
    expect([...buf]).toEqual([big[10 * MiB + 6], 0xee, big[10 * MiB + 8]]);
    expect(ov.statSync('/big.bin').size).toBe(64 * MiB);
  });
});

describe('descriptors and the rest of the API', () => {
  it('a descriptor from the promise API works with the sync calls, and not after close', async () => {
    const ov = await Overlay.create({
      lowers: [MemoryLayer.fromTree({ 'a.txt': 'abc' })],
      upper: new MemoryUpper(),
    });
    const fh = await ov.open('/a.txt', 'r+');
    ov.writeSync(fh.fd, 'X', 1);
    const buf = new Uint8Array(3);
    expect(ov.readSync(fh.fd, buf, 0, 3, 0)).toBe(3);
    expect(new TextDecoder().decode(buf)).toBe('aXc');
    await fh.close();
    expect(() => ov.readSync(fh.fd, buf)).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'read' }),
    );
  });

  it('says EAGAIN, naming the reason, where a layer would have to wait', async () => {
    class AsyncOnly extends CountingLower {
      override readSync(): undefined {
        return undefined;
      }
    }
    const ov = await Overlay.create({
      lowers: [new AsyncOnly(MemoryLayer.fromTree({ 'far.txt': 'from far away' }))],
      upper: new MemoryUpper(),
    });
    const fd = ov.openSync('/far.txt', 'r');
    expect(() => ov.readSync(fd, new Uint8Array(4), 0, 4, 0)).toThrow(
      expect.objectContaining({ code: 'EAGAIN' }),
    );
    ov.closeSync(fd);
  });

  it('an upper that commits asynchronously only refuses sync writes through a descriptor', async () => {
    const inner = new MemoryUpper();
    const asyncOnly = {
      load: () => inner.load(),
      commit: (c: readonly UpperChange[]) => inner.commit(c),
      readChunk: (ino: number, index: number) => inner.readChunk(ino, index),
      clear: () => inner.clear(),
      usage: () => inner.usage(),
    };
    const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree({ 'a.txt': 'abc' })], upper: asyncOnly });
    const fh = await ov.open('/a.txt', 'r+');
    expect(() => ov.writeSync(fh.fd, 'X', 0)).toThrow(
      expect.objectContaining({ code: 'EAGAIN', syscall: 'write' }),
    );
    ov.closeSync(fh.fd);
    expect(await ov.readFile('/a.txt', 'utf8')).toBe('abc');
  });

  it('lchmodSync, lchownSync and lutimesSync change the link, not its target', async () => {
    const ov = await Overlay.create({
      lowers: [MemoryLayer.fromTree({ 't.txt': 'x', l: symlink('t.txt') })],
      upper: new MemoryUpper(),
    });
    const target = ov.statSync('/t.txt');
    ov.lchmodSync('/l', 0o600);
    ov.lchownSync('/l', 7, 8);
    ov.lutimesSync('/l', 3, 4);
    const link = ov.lstatSync('/l');
    expect([link.mode & 0o7777, link.uid, link.gid, link.atimeMs, link.mtimeMs]).toEqual([
      0o600, 7, 8, 3000, 4000,
    ]);
    const after = ov.statSync('/t.txt');
    expect([after.mode, after.uid, after.gid, after.mtimeMs]).toEqual([
      target.mode,
      target.uid,
      target.gid,
      target.mtimeMs,
    ]);
  });
});
