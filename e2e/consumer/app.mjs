// A user's plain Node program (no loader, no tsx) over the installed @vellum tarballs. Run by
// e2e/consumer.test.ts in a fresh folder outside the workspace; every step asserts what it got and
// prints `ok <step>`, which the test checks for. Argument: the directory `vellum pack --manifest` made.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import 'fake-indexeddb/auto';
import { MemoryLayer, MemoryUpper, Overlay } from '@vellum/core';
import { HttpLayer } from '@vellum/core/http';
import { IndexedDBUpper } from '@vellum/core/idb';
import { writeZip, ZipLayer } from '@vellum/core/zip';
import { mountOverlay } from '@vellum/emscripten';
import { createOverlayWorker } from '@vellum/worker';
import { Vellum } from '@vellum/zenfs';
import { configure, fs as zenfs } from '@zenfs/core';
import { loadPyodide } from 'pyodide';

const manifestDir = process.argv[2];
assert.ok(manifestDir, 'usage: node app.mjs <manifest-dir>');
const text = new TextEncoder();

// 1. Core: a memory lower under a memory upper; copy-up on write.
{
  const base = MemoryLayer.fromTree({ 'a.txt': 'lower a', src: { 'main.js': 'one' } });
  const ov = await Overlay.create({ lowers: [base], upper: new MemoryUpper() });
  assert.equal(await ov.readFile('/a.txt', 'utf8'), 'lower a');
  await ov.writeFile('/src/main.js', 'two');
  assert.equal(await ov.readFile('/src/main.js', 'utf8'), 'two');
  assert.equal(ov.origin('/src/main.js').layer, 'upper');
  assert.equal(ov.origin('/a.txt').layer, 0);
  assert.deepEqual(
    (await ov.changes()).map((c) => c.path),
    ['/src/main.js'],
  );
  await ov.close();
  console.log('ok core-memory');
}

// 2. A zip lower from bytes (written by @vellum/core/zip's writeZip), over a memory lower.
const zipBytes = writeZip([
  { path: 'z.txt', kind: 'file', data: text.encode('from zip') },
  { path: 'a.txt', kind: 'file', data: text.encode('zip a') },
]);
{
  const zip = await ZipLayer.open(zipBytes);
  const ov = await Overlay.create({
    lowers: [zip, MemoryLayer.fromTree({ 'a.txt': 'memory a', 'm.txt': 'm' })],
    upper: new MemoryUpper(),
  });
  assert.equal(await ov.readFile('/z.txt', 'utf8'), 'from zip');
  assert.equal(await ov.readFile('/a.txt', 'utf8'), 'zip a'); // the top lower wins
  assert.deepEqual((await ov.readdir('/')).sort(), ['a.txt', 'm.txt', 'z.txt']);
  await ov.close();
  console.log('ok core-zip-bytes');
}

// 3. An HTTP lower (a `vellum pack --manifest` directory) and a zip over HTTP Range, from a local server.
const ranges = [];
const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  let body;
  if (path === '/layer.zip') body = zipBytes;
  else {
    try {
      body = await readFile(join(manifestDir, path.replace(/^\/m\//, '')));
    } catch {
      res.writeHead(404).end();
      return;
    }
  }
  // `bytes=a-b`, `bytes=a-` or a suffix `bytes=-n` (a zip is read from its end).
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] !== '' || range[2] !== '')) {
    ranges.push(path);
    const suffix = range[1] === '';
    const start = suffix ? Math.max(0, body.length - Number(range[2])) : Number(range[1]);
    const end = suffix || range[2] === '' ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
    res.writeHead(206, {
      'Content-Range': `bytes ${start}-${end}/${body.length}`,
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
    });
    res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' });
  res.end(req.method === 'HEAD' ? undefined : body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
const address = server.address();
assert.ok(address && typeof address === 'object');
const origin = `http://127.0.0.1:${address.port}`;
try {
  const http = await HttpLayer.open(`${origin}/m/`);
  const remoteZip = await ZipLayer.open(`${origin}/layer.zip`);
  const ov = await Overlay.create({ lowers: [remoteZip, http], upper: new MemoryUpper() });
  assert.equal(await ov.readFile('/hello.txt', 'utf8'), 'hello from disk\n');
  assert.equal(await ov.readFile('/sub/deep.txt', 'utf8'), 'deep\n');
  assert.equal(await ov.readFile('/z.txt', 'utf8'), 'from zip');
  assert.ok(ranges.includes('/layer.zip'), 'the zip was read with Range requests');
  await ov.close();
  console.log('ok core-http');
} finally {
  server.close();
}

// 4. The IndexedDB upper (fake-indexeddb under Node): a write survives closing and reopening.
{
  const lowers = [MemoryLayer.fromTree({ 'a.txt': 'lower a' })];
  const first = await Overlay.create({ lowers, upper: new IndexedDBUpper({ name: 'consumer' }) });
  await first.writeFile('/kept.txt', 'kept');
  await first.rm('/a.txt');
  await first.close();
  const again = await Overlay.create({ lowers, upper: new IndexedDBUpper({ name: 'consumer' }) });
  assert.equal(await again.readFile('/kept.txt', 'utf8'), 'kept');
  await assert.rejects(again.readFile('/a.txt', 'utf8'), { code: 'ENOENT' });
  await again.close();
  console.log('ok core-idb');
}

// 5. The engine in a worker_threads worker behind the async client.
{
  const fs = await createOverlayWorker({
    lowers: [{ type: 'memory', tree: { 'a.txt': 'in worker' } }],
    upper: { type: 'memory' },
  });
  assert.equal(await fs.readFile('/a.txt', 'utf8'), 'in worker');
  await fs.writeFile('/b.txt', 'written');
  assert.deepEqual((await fs.readdir('/')).sort(), ['a.txt', 'b.txt']);
  assert.equal((await fs.stat('/b.txt')).size, 7);
  await assert.rejects(fs.readFile('/missing'), { code: 'ENOENT' });
  await fs.close();
  assert.ok(fs.closed !== undefined);
  console.log('ok worker-threads');
}

// 6. ZenFS through `configure`, with Vellum's backend object.
await configure({
  mounts: {
    '/': {
      backend: Vellum,
      lowers: [{ type: 'memory', tree: { 'a.txt': 'zen lower' } }],
      upper: { type: 'memory' },
    },
  },
});
assert.equal(zenfs.readFileSync('/a.txt', 'utf8'), 'zen lower');
await zenfs.promises.writeFile('/a.txt', 'zen upper');
assert.equal(await zenfs.promises.readFile('/a.txt', 'utf8'), 'zen upper');
assert.deepEqual(zenfs.readdirSync('/'), ['a.txt']);
console.log('ok zenfs');

// 7. Pyodide (from its npm package, offline) running Python on an overlay through @vellum/emscripten.
{
  const ov = await Overlay.create({
    lowers: [MemoryLayer.fromTree({ 'data.txt': '3\n4\n', 'old.txt': 'x' })],
    upper: new MemoryUpper(),
  });
  const pyodide = await loadPyodide();
  mountOverlay(pyodide.FS, ov, '/home/pyodide/work');
  pyodide.runPython(`
import os
os.chdir('/home/pyodide/work')
with open('data.txt') as f: total = sum(int(line) for line in f)
with open('sum.txt', 'w') as f: f.write(str(total))
os.remove('old.txt')
`);
  assert.equal(await ov.readFile('/sum.txt', 'utf8'), '7');
  assert.deepEqual(
    (await ov.changes()).map((c) => `${c.change} ${c.path}`),
    ['deleted /old.txt', 'added /sum.txt'],
  );
  await ov.close();
  console.log('ok emscripten');
}
// 8. @vellum/node: a real directory (made here) as a lower, opened by its descriptor; the
// directory itself is never written.
{
  const { mkdtemp, writeFile: writeDisk, readFile: readDisk, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { openLower } = await import('@vellum/core');
  const { DirLayer, registerNodeLayerTypes } = await import('@vellum/node');
  const dir = await mkdtemp(join(tmpdir(), 'vellum-app-dir-'));
  await writeDisk(join(dir, 'on-disk.txt'), 'from disk');
  registerNodeLayerTypes();
  const lower = await openLower({ type: 'dir', path: dir });
  assert.ok(lower instanceof DirLayer);
  const ov = await Overlay.create({ lowers: [lower], upper: new MemoryUpper() });
  assert.equal(await ov.readFile('/on-disk.txt', 'utf8'), 'from disk');
  await ov.writeFile('/on-disk.txt', 'in the overlay');
  assert.equal(await readDisk(join(dir, 'on-disk.txt'), 'utf8'), 'from disk');
  lower.close();
  await rm(dir, { recursive: true, force: true });
}
console.log('ok node-dir');
