import 'fake-indexeddb/auto';
import { MemoryLayer, MemoryUpper, Overlay } from '@vellum/core';
import { IndexedDBUpper } from '@vellum/core/idb';
import { writeZip, ZipLayer } from '@vellum/core/zip';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMSCRIPTEN_ERRNO } from '../src/errno.js';
import { type EmscriptenFS, mountOverlay, VellumFS } from '../src/index.js';
import { pyodideMemory } from './differential/pyodide-memory.js';

let pyodide: PyodideAPI;
let FS: EmscriptenFS;
let n = 0;

beforeAll(async () => {
  pyodide = await loadPyodide();
  FS = pyodide.FS as EmscriptenFS;
});

async function mounted(tree: Parameters<typeof MemoryLayer.fromTree>[0]) {
  const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree(tree)], upper: new MemoryUpper() });
  const at = `/mnt/t${n++}`;
  const mount = mountOverlay(FS, ov, at, { memory: pyodideMemory(pyodide) });
  const py = (code: string): unknown =>
    pyodide.runPython(`import os\nos.chdir(${JSON.stringify(at)})\n${code}`);
  return { ov, at, mount, py };
}

describe('@vellum/emscripten', () => {
  it("uses Emscripten's errno numbers", () => {
    const codes = (pyodideMemory(pyodide) as unknown as { ERRNO_CODES: Record<string, number> }).ERRNO_CODES;
    for (const [name, errno] of Object.entries(EMSCRIPTEN_ERRNO)) expect(codes[name], name).toBe(errno);
  });

  it('reads the lowers and writes to the upper, without a copy in MEMFS', async () => {
    const { ov, py } = await mounted({ 'data.txt': '3\n4\n', pkg: { 'mod.py': 'X = 42\n' } });
    py(`
with open('data.txt') as f: total = sum(int(l) for l in f)
with open('sum.txt', 'w') as f: f.write(str(total))
os.remove('pkg/mod.py')
`);
    expect(await ov.readFile('/sum.txt', 'utf8')).toBe('7');
    expect(await ov.changes()).toEqual([
      { path: '/pkg/mod.py', type: 'file', change: 'deleted' },
      { path: '/sum.txt', type: 'file', change: 'added' },
    ]);
    // The lower is untouched, the program sees what the overlay holds.
    expect(py(`sorted(os.listdir('.')) + sorted(os.listdir('pkg'))`)?.toString()).toBe(
      "['data.txt', 'pkg', 'sum.txt']",
    );
  });

  it('imports a package that lives in a lower', async () => {
    const { at, py } = await mounted({ pkg: { '__init__.py': '', 'mod.py': 'X = 40 + 2\n' } });
    pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(at)})`);
    expect(py('import pkg.mod; pkg.mod.X')).toBe(42);
  });

  it('answers failures with the errno Python expects', async () => {
    const { py } = await mounted({ d: { f: 'x' } });
    const kind = (code: string) =>
      py(`
try:
    ${code}
    r = 'ok'
except OSError as e:
    r = type(e).__name__
r`);
    expect(kind("open('missing')")).toBe('FileNotFoundError');
    expect(kind("os.rmdir('d')")).toBe('OSError'); // ENOTEMPTY has no subclass
    expect(
      py(
        "import errno\ntry:\n    os.rmdir('d')\nexcept OSError as e:\n    r = e.errno == errno.ENOTEMPTY\nr",
      ),
    ).toBe(true);
    expect(kind("open('d', 'w')")).toBe('IsADirectoryError');
    expect(kind("os.mkdir('d')")).toBe('FileExistsError');
    expect(kind("open('d/f/x')")).toBe('NotADirectoryError');
  });

  it('seeks, truncates, appends and mmaps through the overlay descriptor', async () => {
    const { ov, py } = await mounted({ 'f.bin': '0123456789' });
    py(`
with open('f.bin', 'r+b') as f:
    f.seek(2); f.write(b'ab'); f.seek(0, 2); f.write(b'Z'); f.truncate(8)
with open('f.bin', 'ab') as f: f.write(b'!')
import mmap
with open('f.bin', 'r+b') as f:
    m = mmap.mmap(f.fileno(), 0); m[0:1] = b'M'; m.flush(); m.close()
`);
    expect(await ov.readFile('/f.bin', 'utf8')).toBe('M1ab4567!');
  });

  it('shows program changes in changes() and forgets them with reset() and refresh()', async () => {
    const { ov, mount, py } = await mounted({ a: { 'b.txt': 'b' } });
    py(`os.rename('a', 'c'); open('c/new.txt', 'w').close()`);
    expect((await ov.changes()).map((c) => `${c.change} ${c.path}`)).toContain('added /c/new.txt');
    await ov.reset();
    mount.refresh();
    expect(py(`sorted(os.listdir('.'))`)?.toString()).toBe("['a']");
    expect(await ov.changes()).toEqual([]);
  });

  it('way (a) with an upper that commits asynchronously: reads work, a write fails with EIO', async () => {
    const upper = new IndexedDBUpper({ name: `way-a-${process.pid}` });
    const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree({ 'a.txt': 'lower' })], upper });
    mountOverlay(FS, ov, '/mnt/idb');
    const out = pyodide.runPython(`
import errno
r = [open('/mnt/idb/a.txt').read()]
try:
    open('/mnt/idb/b.txt', 'w')
except OSError as e:
    r += [type(e).__name__, errno.errorcode[e.errno]]
r`);
    expect(out.toJs()).toEqual(['lower', 'OSError', 'EIO']);
    await ov.close();
  });

  it('way (a) with a zip lower: an entry not read yet fails with EIO (not a silent empty read); once read, it reads', async () => {
    const zip = writeZip([
      { path: 'mod.py', kind: 'file', data: new TextEncoder().encode('X = 1\n'.repeat(100)) },
    ]);
    const ov = await Overlay.create({ lowers: [await ZipLayer.open(zip)], upper: new MemoryUpper() });
    mountOverlay(FS, ov, '/mnt/zip');
    const read = () =>
      pyodide.runPython(`
try:
    r = len(open('/mnt/zip/mod.py', 'rb').read())
except OSError as e:
    r = type(e).__name__ + ' ' + __import__('errno').errorcode[e.errno]
r`);
    expect(read()).toBe('OSError EIO');
    await ov.readFile('/mod.py'); // the layer keeps what it inflated: a preload
    expect(read()).toBe(600);
    await ov.close();
  });

  it('mounts a subdirectory of the overlay (root), and refuses a root that is not a directory', async () => {
    const ov = await Overlay.create({
      lowers: [MemoryLayer.fromTree({ lesson: { 'a.txt': 'a' }, 'top.txt': 't' })],
      upper: new MemoryUpper(),
    });
    mountOverlay(FS, ov, '/mnt/sub', { root: '/lesson' });
    expect(pyodide.runPython("import os; os.listdir('/mnt/sub')").toJs()).toEqual(['a.txt']);
    pyodide.runPython("open('/mnt/sub/b.txt', 'w').write('b')");
    expect(await ov.readFile('/lesson/b.txt', 'utf8')).toBe('b');
    expect(() => mountOverlay(FS, ov, '/mnt/not-a-dir', { root: '/top.txt' })).toThrow(
      expect.objectContaining({ errno: EMSCRIPTEN_ERRNO.ENOTDIR }),
    );
    await ov.close();
  });

  it('keeps one overlay descriptor per open file description, across dup', async () => {
    const { ov, py } = await mounted({ 'f.txt': 'hello' });
    expect(
      py(`
fd = os.open('f.txt', os.O_RDWR)
fd2 = os.dup(fd)
os.close(fd)
os.lseek(fd2, 0, os.SEEK_SET)
r = os.read(fd2, 5).decode()
os.write(fd2, b'!')
os.close(fd2)
r`),
    ).toBe('hello');
    expect(await ov.readFile('/f.txt', 'utf8')).toBe('hello!');
  });

  it('creates files with FS.create (made open, closed by the next call) and with open(), modes as asked', async () => {
    const { ov, at, py } = await mounted({});
    (FS as EmscriptenFS & { create(path: string, mode: number): unknown }).create(`${at}/n.txt`, 0o600);
    expect(
      py(`
fd = os.open('o.txt', os.O_CREAT | os.O_RDONLY, 0o640)
os.close(fd)
[sorted(os.listdir('.')), oct(os.stat('n.txt').st_mode), oct(os.stat('o.txt').st_mode)]`)?.toString(),
    ).toBe("[['n.txt', 'o.txt'], '0o100600', '0o100640']");
    expect((await ov.stat('/n.txt')).size).toBe(0);
    expect((await ov.changes()).map((c) => `${c.change} ${c.path}`)).toEqual([
      'added /n.txt',
      'added /o.txt',
    ]);
  });

  it('refuses a mount without an overlay, with a code', () => {
    expect(() => FS.mount(VellumFS(FS), {}, '/tmp')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => mountOverlay(FS, {} as never, 'rel')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });
});
