/**
 * The fs/promises surface against Node's own: each scenario runs on `node:fs/promises`
 * in a temporary directory and on an Overlay, and must return the same values and
 * fail with the same error shape (code, errno, syscall, message with the path).
 */
import * as nodeFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLayer, MemoryUpper, Overlay } from '../src/index.js';

type Fs = typeof nodeFs;
type Scenario = (fs: Fs, p: (path: string) => string) => Promise<unknown>;

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await nodeFs.rm(root, { recursive: true, force: true });
});

/** What a call produced, with the root prefix taken out so both sides compare. */
async function outcome(run: () => Promise<unknown>, root: string): Promise<unknown> {
  const strip = (s: string): string => s.split(root).join('');
  try {
    const value = await run();
    return { ok: normalize(value, strip) };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { dest?: string };
    return {
      code: e.code,
      errno: e.errno,
      syscall: e.syscall,
      path: e.path === undefined ? undefined : strip(e.path),
      dest: e.dest === undefined ? undefined : strip(e.dest),
      message: strip(e.message),
    };
  }
}

function normalize(value: unknown, strip: (s: string) => string): unknown {
  if (typeof value === 'string') return strip(value);
  if (value instanceof Uint8Array)
    return { bytes: Buffer.from(value).toString('hex'), buffer: Buffer.isBuffer(value) };
  if (Array.isArray(value)) return value.map((v) => normalize(v, strip));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v, strip);
    return out;
  }
  return value;
}

async function both(scenario: Scenario): Promise<{ node: unknown; vellum: unknown }> {
  const root = await nodeFs.mkdtemp(join(tmpdir(), 'vellum-conf-'));
  roots.push(root);
  const node = await outcome(() => scenario(nodeFs, (p) => root + p), root);
  const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree({})], upper: new MemoryUpper() });
  const vellum = await outcome(() => scenario(ov as unknown as Fs, (p) => p), '');
  return { node, vellum };
}

const scenarios: Record<string, Scenario> = {
  'readFile of a missing file': (fs, p) => fs.readFile(p('/nope')),
  'readFile of a directory': async (fs, p) => {
    await fs.mkdir(p('/d'));
    return fs.readFile(p('/d'));
  },
  'readFile with an encoding, as a string': async (fs, p) => {
    await fs.writeFile(p('/f'), 'héllo');
    return [await fs.readFile(p('/f'), 'utf8'), await fs.readFile(p('/f'), { encoding: 'hex' })];
  },
  'readFile returns a Buffer': async (fs, p) => {
    await fs.writeFile(p('/f'), new Uint8Array([1, 2, 3]));
    return fs.readFile(p('/f'));
  },
  'writeFile with flag wx on an existing file': async (fs, p) => {
    await fs.writeFile(p('/f'), 'a');
    return fs.writeFile(p('/f'), 'b', { flag: 'wx' });
  },
  'writeFile into a missing directory': (fs, p) => fs.writeFile(p('/no/f'), 'x'),
  'writeFile through a file': async (fs, p) => {
    await fs.writeFile(p('/f'), 'x');
    return fs.writeFile(p('/f/g'), 'x');
  },
  'writeFile on a directory': async (fs, p) => {
    await fs.mkdir(p('/d'));
    return fs.writeFile(p('/d'), 'x');
  },
  'appendFile creates, then appends': async (fs, p) => {
    await fs.appendFile(p('/f'), 'a');
    await fs.appendFile(p('/f'), 'b');
    return fs.readFile(p('/f'), 'utf8');
  },
  'mkdir of an existing name': async (fs, p) => {
    await fs.mkdir(p('/d'));
    return fs.mkdir(p('/d'));
  },
  'mkdir -p returns the first directory made': async (fs, p) => {
    const first = await fs.mkdir(p('/a/b/c'), { recursive: true });
    const again = await fs.mkdir(p('/a/b'), { recursive: true });
    return [first, again];
  },
  'mkdir -p through a file': async (fs, p) => {
    await fs.writeFile(p('/f'), '');
    return fs.mkdir(p('/f/x'), { recursive: true });
  },
  'mkdir in a missing parent': (fs, p) => fs.mkdir(p('/no/d')),
  'readdir of a file': async (fs, p) => {
    await fs.writeFile(p('/f'), '');
    return fs.readdir(p('/f'));
  },
  'readdir with file types': async (fs, p) => {
    await fs.mkdir(p('/d'));
    await fs.writeFile(p('/d/f'), '');
    await fs.mkdir(p('/d/sub'));
    await fs.symlink('f', p('/d/l'));
    const entries = await fs.readdir(p('/d'), { withFileTypes: true });
    return entries.map((e) => [e.name, e.isFile(), e.isDirectory(), e.isSymbolicLink(), e.parentPath]).sort();
  },
  'readdir recursive, names and parent paths': async (fs, p) => {
    await fs.mkdir(p('/d/sub/deeper'), { recursive: true });
    await fs.writeFile(p('/d/sub/f'), '');
    const names = (await fs.readdir(p('/d'), { recursive: true })).sort();
    const typed = await fs.readdir(p('/d'), { withFileTypes: true, recursive: true });
    return [names, typed.map((e) => `${e.parentPath}|${e.name}|${e.isDirectory()}`).sort()];
  },
  'unlink of a directory': async (fs, p) => {
    await fs.mkdir(p('/d'));
    return fs.unlink(p('/d'));
  },
  'unlink of a missing file': (fs, p) => fs.unlink(p('/nope')),
  'rmdir of a non-empty directory': async (fs, p) => {
    await fs.mkdir(p('/d'));
    await fs.writeFile(p('/d/f'), '');
    return fs.rmdir(p('/d'));
  },
  'rmdir of a file': async (fs, p) => {
    await fs.writeFile(p('/f'), '');
    return fs.rmdir(p('/f'));
  },
  'rm of a directory without recursive': async (fs, p) => {
    await fs.mkdir(p('/d'));
    return fs.rm(p('/d')).catch((e: NodeJS.ErrnoException) => ({ code: e.code }));
  },
  'rm of a missing path, with and without force': async (fs, p) => {
    await fs.rm(p('/nope'), { force: true });
    return fs.rm(p('/nope'));
  },
  'rename onto a non-empty directory': async (fs, p) => {
    await fs.mkdir(p('/a'));
    await fs.mkdir(p('/b'));
    await fs.writeFile(p('/b/f'), '');
    return fs.rename(p('/a'), p('/b'));
  },
  'rename a file onto a directory': async (fs, p) => {
    await fs.writeFile(p('/f'), '');
    await fs.mkdir(p('/d'));
    return fs.rename(p('/f'), p('/d'));
  },
  'rename a missing file': (fs, p) => fs.rename(p('/nope'), p('/x')),
  'link to a directory': async (fs, p) => {
    await fs.mkdir(p('/d'));
    return fs.link(p('/d'), p('/e'));
  },
  'link keeps one object': async (fs, p) => {
    await fs.writeFile(p('/f'), 'one');
    await fs.link(p('/f'), p('/g'));
    await fs.writeFile(p('/g'), 'two');
    const [f, g] = [await fs.stat(p('/f')), await fs.stat(p('/g'))];
    return [await fs.readFile(p('/f'), 'utf8'), f.nlink, g.nlink, f.ino === g.ino];
  },
  'symlink onto an existing name': async (fs, p) => {
    await fs.writeFile(p('/f'), '');
    return fs.symlink('x', p('/f'));
  },
  'readlink of a file': async (fs, p) => {
    await fs.writeFile(p('/f'), '');
    return fs.readlink(p('/f'));
  },
  'readlink, realpath and a dangling link': async (fs, p) => {
    await fs.mkdir(p('/d'));
    await fs.symlink('d', p('/l'));
    await fs.symlink('missing', p('/dangling'));
    return [
      await fs.readlink(p('/l')),
      await fs.realpath(p('/l')),
      await fs.realpath(p('/dangling')).catch((e) => e.code),
    ];
  },
  'symlink loop': async (fs, p) => {
    await fs.symlink('b', p('/a'));
    await fs.symlink('a', p('/b'));
    return fs.stat(p('/a'));
  },
  'stat and lstat of a symlink': async (fs, p) => {
    await fs.writeFile(p('/f'), 'abc');
    await fs.symlink('f', p('/l'));
    const [s, l] = [await fs.stat(p('/l')), await fs.lstat(p('/l'))];
    return [
      s.isFile(),
      s.size,
      l.isSymbolicLink(),
      l.size,
      (l.mode & 0o777).toString(8),
      (s.mode & 0o777).toString(8),
    ];
  },
  'trailing slash on a file': async (fs, p) => {
    await fs.writeFile(p('/f'), '');
    return fs.stat(`${p('/f')}/`);
  },
  'truncate: shorten, extend, directory': async (fs, p) => {
    await fs.writeFile(p('/f'), 'abcdef');
    await fs.truncate(p('/f'), 2);
    const short = await fs.readFile(p('/f'), 'utf8');
    await fs.truncate(p('/f'), 4);
    const long = await fs.readFile(p('/f'));
    await fs.mkdir(p('/d'));
    return [short, long, await fs.truncate(p('/d')).catch((e) => e.code)];
  },
  'copyFile with COPYFILE_EXCL': async (fs, p) => {
    await fs.writeFile(p('/a'), 'A');
    await fs.copyFile(p('/a'), p('/b'));
    const b = await fs.readFile(p('/b'), 'utf8');
    return [b, await fs.copyFile(p('/a'), p('/b'), 1).catch((e) => [e.code, e.syscall])];
  },
  'access of a missing path': (fs, p) => fs.access(p('/nope')),
  'chmod, utimes and stat': async (fs, p) => {
    await fs.writeFile(p('/f'), '');
    await fs.chmod(p('/f'), 0o640);
    await fs.utimes(p('/f'), 1_000_000, 2_000_000);
    const s = await fs.stat(p('/f'));
    return [(s.mode & 0o7777).toString(8), s.atimeMs, s.mtimeMs, s.mtime.toISOString()];
  },
  'FileHandle: positions, append, truncate, stat': async (fs, p) => {
    const fh = await fs.open(p('/f'), 'w+');
    await fh.write('hello world');
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(5), 0, 5, 6);
    await fh.write('HELLO', 0);
    await fh.truncate(8);
    const size = (await fh.stat()).size;
    await fh.close();
    const a = await fs.open(p('/f'), 'a');
    const w = await a.write('!', 0);
    await a.close();
    return [bytesRead, buffer.toString(), size, w.bytesWritten, await fs.readFile(p('/f'), 'utf8')];
  },
  'FileHandle: reading without a position advances': async (fs, p) => {
    await fs.writeFile(p('/f'), 'abcdef');
    const fh = await fs.open(p('/f'), 'r');
    const one = await fh.read(Buffer.alloc(2), 0, 2, null);
    const two = await fh.read(Buffer.alloc(2), 0, 2, null);
    const rest = await fh.readFile('utf8');
    const writeError = await fh.write('x').catch((e) => e.code);
    await fh.close();
    return [one.buffer.toString(), two.buffer.toString(), rest, writeError];
  },
  'open with r on a missing file, wx on an existing one': async (fs, p) => {
    await fs.writeFile(p('/f'), '');
    return [
      await fs.open(p('/nope'), 'r').catch((e) => [e.code, e.syscall]),
      await fs.open(p('/f'), 'wx').catch((e) => [e.code, e.syscall]),
    ];
  },
};

describe('the fs/promises surface behaves like node:fs/promises', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const { node, vellum } = await both(scenario);
      expect(vellum).toEqual(node);
    });
  }
});
