import { file, MemoryLayer, MemoryUpper, Overlay, symlink, type Tree } from '@vellum/core';
import { describe, expect, test } from 'vitest';
import { CHUNK } from '../src/body.js';
import {
  createPreviewResponder,
  type PreviewFileHandle,
  type PreviewFs,
  type PreviewResponderOptions,
} from '../src/index.js';

const MiB = 1024 * 1024;
const big = new Uint8Array(3 * MiB).map((_, i) => (i * 31) & 0xff);

const preact = {
  'package.json': JSON.stringify({
    name: 'preact',
    type: 'module',
    exports: {
      '.': { types: './src/index.d.ts', import: './dist/preact.mjs', require: './dist/preact.js' },
      './hooks': { import: './hooks/dist/hooks.mjs', require: './hooks/dist/hooks.js' },
      './jsx-runtime': { import: './jsx-runtime/dist/jsxRuntime.mjs' },
    },
  }),
  dist: { 'preact.mjs': 'export const h = 1;', 'preact.js': 'module.exports = {}' },
  hooks: { dist: { 'hooks.mjs': "import { h } from 'preact';\nexport const useState = h;" } },
  'jsx-runtime': { dist: { 'jsxRuntime.mjs': 'export function jsx() {}' } },
};

const base: Tree = {
  'secret.txt': 'outside the root',
  app: {
    'index.html': '<!doctype html><script type="module" src="./src/main.tsx"></script>',
    'style.css': 'body { color: red }',
    'data.json': '{"a":1}',
    'big.bin': file(big),
    'empty.txt': '',
    docs: { 'a.txt': 'a', 'b <c>.txt': 'b', sub: {} },
    escape: symlink('../secret.txt'),
    inside: symlink('style.css'),
    src: {
      'main.tsx':
        "import { useState } from 'preact/hooks';\nimport { Board } from './Board';\nconst n: number = 1;\nexport const App = () => <Board n={n + useState(0)[0]} />;\n",
      'Board.tsx': 'export function Board(props: { n: number }) { return <b>{props.n}</b>; }\n',
      'broken.ts': 'const x: number = ;\nexport const y = x;\nexport default 1;\n',
      'cjs.ts': "import left from 'left-pad';\nexport default left;\n",
      'missing.ts': "import x from 'nowhere';\nexport default x;\n",
      'plain.js': "import { h } from 'preact';\nexport default h;\n",
    },
    node_modules: {
      preact,
      'left-pad': {
        'package.json': JSON.stringify({ name: 'left-pad', main: 'index.js' }),
        'index.js': 'module.exports = 1',
      },
    },
  },
};

/** The overlay behind a PreviewFs that counts what the responder reads. */
async function served(options: Partial<PreviewResponderOptions> = {}) {
  const ov = await Overlay.create({
    lowers: [MemoryLayer.fromTree(base, { mtimeMs: 1_700_000_000_000 })],
    upper: new MemoryUpper(),
  });
  const counts = { opens: 0, reads: 0, bytes: 0 };
  const fs: PreviewFs = {
    stat: (p) => ov.stat(p),
    realpath: (p) => ov.realpath(p),
    readdir: (p, o) => ov.readdir(p, o),
    async open(p, flags) {
      counts.opens++;
      const handle = await ov.open(p, flags);
      const counted: PreviewFileHandle = {
        async read(buffer, offset, length, position) {
          counts.reads++;
          const r = await handle.read(buffer, offset, length, position);
          counts.bytes += r.bytesRead;
          return r;
        },
        close: () => handle.close(),
      };
      return counted;
    },
  };
  const respond = createPreviewResponder({ fs, scope: '/preview/', root: '/app', ...options });
  const get = (path: string, init?: RequestInit) => respond(new Request(`http://app.test${path}`, init));
  return { ov, get, counts };
}

describe('a static server over the overlay', () => {
  test('headers of a file: type with charset, length, ETag, Last-Modified, ranges accepted', async () => {
    const { get } = await served();
    const r = await get('/preview/style.css');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
    expect(r.headers.get('Content-Length')).toBe('19');
    expect(r.headers.get('ETag')).toMatch(/^"[\w-]+"$/);
    expect(r.headers.get('Last-Modified')).toBe(new Date(1_700_000_000_000).toUTCString());
    expect(r.headers.get('Accept-Ranges')).toBe('bytes');
    expect(await r.text()).toBe('body { color: red }');
    expect((await get('/preview/data.json')).headers.get('Content-Type')).toBe(
      'application/json; charset=utf-8',
    );
    expect((await get('/preview/big.bin')).headers.get('Content-Type')).toBe('application/octet-stream');
    const empty = await get('/preview/empty.txt');
    expect([empty.status, empty.headers.get('Content-Length'), await empty.text()]).toEqual([200, '0', '']);
  });

  test('the ETag changes exactly when the bytes change; If-None-Match answers 304', async () => {
    const { ov, get } = await served();
    const first = (await get('/preview/style.css')).headers.get('ETag') as string;
    const notModified = await get('/preview/style.css', { headers: { 'If-None-Match': first } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('ETag')).toBe(first);
    expect(await notModified.text()).toBe('');
    expect(
      (await get('/preview/style.css', { headers: { 'If-None-Match': `"x", W/${first}` } })).status,
    ).toBe(304);
    // Same bytes written again (a new mtime): same tag. One byte changed, same size, same millisecond: a new tag.
    await ov.writeFile('/app/style.css', 'body { color: red }');
    expect((await get('/preview/style.css')).headers.get('ETag')).toBe(first);
    await ov.writeFile('/app/style.css', 'body { color: blu }');
    const second = (await get('/preview/style.css')).headers.get('ETag');
    expect(second).not.toBe(first);
    expect((await get('/preview/style.css', { headers: { 'If-None-Match': first } })).status).toBe(200);
    // A large file's tag is its identity and metadata: it changes with a write.
    const bigTag = (await get('/preview/big.bin', { method: 'HEAD' })).headers.get('ETag');
    await ov.writeFile('/app/big.bin', big.subarray(1));
    expect((await get('/preview/big.bin', { method: 'HEAD' })).headers.get('ETag')).not.toBe(bigTag);
  });

  test('Range: 206 with Content-Range, suffix and open ranges, 416 past the end, several ranges ignored', async () => {
    const { get } = await served();
    const r = await get('/preview/style.css', { headers: { Range: 'bytes=5-9' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('Content-Range')).toBe('bytes 5-9/19');
    expect(r.headers.get('Content-Length')).toBe('5');
    expect(await r.text()).toBe('{ col');
    const suffix = await get('/preview/style.css', { headers: { Range: 'bytes=-4' } });
    expect([suffix.status, await suffix.text()]).toEqual([206, 'ed }']);
    const open = await get('/preview/style.css', { headers: { Range: 'bytes=15-' } });
    expect([open.headers.get('Content-Range'), await open.text()]).toEqual(['bytes 15-18/19', 'ed }']);
    const clipped = await get('/preview/style.css', { headers: { Range: 'bytes=15-100' } });
    expect(clipped.headers.get('Content-Range')).toBe('bytes 15-18/19');
    const past = await get('/preview/style.css', { headers: { Range: 'bytes=19-' } });
    expect([past.status, past.headers.get('Content-Range')]).toEqual([416, 'bytes */19']);
    const several = await get('/preview/style.css', { headers: { Range: 'bytes=0-1,3-4' } });
    expect([several.status, (await several.text()).length]).toEqual([200, 19]);
  });

  test('HEAD: the headers of GET, no body', async () => {
    const { get, counts } = await served();
    const r = await get('/preview/big.bin', { method: 'HEAD' });
    expect([r.status, r.headers.get('Content-Length'), await r.text()]).toEqual([
      200,
      String(big.length),
      '',
    ]);
    expect(counts.bytes).toBe(0);
    expect((await get('/preview/nope', { method: 'HEAD' })).status).toBe(404);
  });

  test('a large file streams in chunks; a range reads only its bytes', async () => {
    const { get, counts } = await served();
    const r = await get('/preview/big.bin');
    expect(counts.bytes).toBe(0);
    const body = new Uint8Array(await r.arrayBuffer());
    // Compared as one Buffer: an element-wise toEqual of 3 MiB takes seconds.
    expect(Buffer.compare(body, big)).toBe(0);
    expect(counts.reads).toBe(Math.ceil(big.length / CHUNK));
    const before = counts.bytes;
    const part = await get('/preview/big.bin', { headers: { Range: `bytes=${MiB}-${MiB + 9}` } });
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(big.subarray(MiB, MiB + 10));
    expect(counts.bytes - before).toBe(10);
  });

  test('directories: a redirect to the slash, index.html, or an escaped listing', async () => {
    const { get } = await served();
    const redirect = await get('/preview/docs?x=1');
    expect([redirect.status, redirect.headers.get('Location')]).toEqual([301, '/preview/docs/?x=1']);
    const index = await get('/preview/');
    expect(index.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('src="./src/main.tsx"');
    const listing = await (await get('/preview/docs/')).text();
    expect(listing).toContain('<a href="sub/">sub/</a>');
    expect(listing).toContain('<a href="a.txt">a.txt</a>');
    expect(listing).toContain('<a href="b%20%3Cc%3E.txt">b &lt;c&gt;.txt</a>');
    const { get: strict } = await served({ listing: false });
    expect((await strict('/preview/docs/')).status).toBe(404);
  });

  test('a missing file: 404 with a small page naming it; other methods: 405', async () => {
    const { get } = await served();
    const r = await get('/preview/nope.js');
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('/preview/nope.js');
    expect((await get('/preview/style.css/x')).status).toBe(404);
    const post = await get('/preview/style.css', { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('Allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe('paths never leave the served root', () => {
  const attempts: [string, number][] = [
    ['/preview/../secret.txt', 404],
    ['/preview/%2e%2e/secret.txt', 404],
    ['/preview/%2E%2E/secret.txt', 404],
    ['/preview/..%2fsecret.txt', 400],
    ['/preview/..%2Fsecret.txt', 400],
    ['/preview/%2e%2e%2fsecret.txt', 400],
    ['/preview/..%5csecret.txt', 400],
    ['/preview/..\\secret.txt', 404],
    ['/preview/%252e%252e%252fsecret.txt', 404],
    ['/preview/docs/%2e%2e%2f%2e%2e%2fsecret.txt', 400],
    ['/preview/style.css%00.txt', 400],
    ['/preview/%E0%A4%A', 400],
    [`/preview/${'a'.repeat(256)}`, 400],
    [`/preview/${'a/'.repeat(2100)}`, 400],
    ['/preview/escape', 404],
    ['/secret.txt', 404],
  ];
  test.each(attempts)('%s → %i', async (path, status) => {
    const { get } = await served();
    const r = await get(path);
    expect(r.status).toBe(status);
    expect(await r.text()).not.toContain('outside the root');
  });

  test('a symlink that stays inside is followed', async () => {
    const { get } = await served();
    expect(await (await get('/preview/inside')).text()).toBe('body { color: red }');
  });
});

describe('modules', () => {
  test('TSX compiles to JavaScript with an inline source map; bare and extensionless imports become URLs', async () => {
    const { get } = await served({ jsx: { runtime: 'automatic', importSource: 'preact' } });
    const r = await get('/preview/src/main.tsx');
    expect(r.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    const code = await r.text();
    expect(code).not.toContain(': number');
    expect(code).toContain("from '/preview/node_modules/preact/hooks/dist/hooks.mjs'");
    expect(code).toContain("from '/preview/src/Board.tsx'");
    expect(code).toContain('/preview/node_modules/preact/jsx-runtime/dist/jsxRuntime.mjs');
    const map = /sourceMappingURL=data:application\/json;base64,(.+)$/m.exec(code);
    expect(JSON.parse(atob(map?.[1] ?? ''))).toMatchObject({ sources: ['/app/src/main.tsx'] });
    // A module of node_modules has its own bare imports rewritten.
    expect(await (await get('/preview/node_modules/preact/hooks/dist/hooks.mjs')).text()).toContain(
      "from '/preview/node_modules/preact/dist/preact.mjs'",
    );
    expect(await (await get('/preview/src/plain.js')).text()).toContain(
      "from '/preview/node_modules/preact/dist/preact.mjs'",
    );
  });

  test('compiled once per version of the source; a 304 for an unchanged module', async () => {
    const { ov, get } = await served();
    const first = await get('/preview/src/Board.tsx');
    const tag = first.headers.get('ETag') as string;
    expect((await get('/preview/src/Board.tsx', { headers: { 'If-None-Match': tag } })).status).toBe(304);
    await ov.writeFile('/app/src/Board.tsx', 'export const Board = 2;\n');
    const second = await get('/preview/src/Board.tsx', { headers: { 'If-None-Match': tag } });
    expect(second.status).toBe(200);
    expect(await second.text()).toContain('export const Board = 2;');
  });

  test('a compile error is a module that shows file:line:column and throws', async () => {
    const { get } = await served();
    const r = await get('/preview/src/broken.ts');
    expect(r.status).toBe(200);
    expect(r.headers.get('Cache-Control')).toBe('no-store');
    const code = await r.text();
    expect(code).toContain('/app/src/broken.ts:1:19\\nUnexpected token');
    expect(code).toContain('new SyntaxError(text)');
    // Its importers still link (the names they import exist), so it runs and reports.
    expect(code).toContain('export { _0 as "y", _1 as "default" }');
  });

  test('a JSX module that stops compiling still declares the names it exported, so its importers link', async () => {
    const { ov, get } = await served({ jsx: { runtime: 'automatic', importSource: 'preact' } });
    expect(await (await get('/preview/src/Board.tsx')).text()).toContain('export function Board');
    await ov.writeFile('/app/src/Board.tsx', 'export function Board() { return <b>{</b>; }\n');
    const code = await (await get('/preview/src/Board.tsx')).text();
    expect(code).toContain('/app/src/Board.tsx:1:');
    expect(code).toContain('export { _0 as "Board" }');
    // Never compiled at all: the declarations are read from the text.
    await ov.writeFile('/app/src/Fresh.tsx', 'export const Fresh = () => <b>{</b>;\nexport default Fresh;\n');
    expect(await (await get('/preview/src/Fresh.tsx')).text()).toContain(
      'export { _0 as "Fresh", _1 as "default" }',
    );
  });

  test('a CommonJS package and a missing one are errors naming them', async () => {
    const { get } = await served();
    const cjs = await (await get('/preview/src/cjs.ts')).text();
    expect(cjs).toContain('package \\"left-pad\\" is CommonJS');
    expect(cjs).toContain('/app/src/cjs.ts:1:');
    expect(await (await get('/preview/src/missing.ts')).text()).toContain(
      'cannot find package \\"nowhere\\"',
    );
  });
});
