/**
 * The preview in real Chromium: a real Service Worker (the package's, from its sources) answers
 * an iframe it controls from an overlay in a module Web Worker, over a port the page handed it;
 * after CDP stops it, it asks for a new port and goes on.
 */
import { file } from '@vellum/core';
import { createOverlayWorker, type OverlayClient } from '@vellum/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { commands } from 'vitest/browser';
import { type PreviewRegistration, registerPreview } from '../src/index.js';

const SCRIPT = new URL('./fixtures/preview-sw.ts', import.meta.url);
/** Under the script's directory, as a Service Worker's scope must be (built from the script's URL: Vite drops a directory URL's slash). */
const SCOPE = `${SCRIPT.pathname.replace(/[^/]+$/, '')}served/`;
const big = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 13) & 0xff);

const mini = {
  'package.json': JSON.stringify({
    name: 'mini',
    type: 'module',
    exports: { '.': './index.js', './jsx-runtime': './jsx-runtime.js' },
  }),
  'index.js': 'export const render = (node, into) => { into.append(node); };\n',
  'jsx-runtime.js':
    'export function jsx(type, props) { const el = document.createElement(type); for (const c of [].concat(props.children ?? [])) el.append(c); if (props.id) el.id = props.id; return el; }\nexport const jsxs = jsx;\n',
};

let fs: OverlayClient;
let preview: PreviewRegistration;
let frame: HTMLIFrameElement;

/** Loads `path` (under the scope) in the iframe the Service Worker controls. */
async function open(path: string): Promise<Window> {
  frame.src = SCOPE + path;
  await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  return frame.contentWindow as Window;
}

/** A fetch made by the controlled iframe, so the Service Worker answers it. */
function get(path: string, init?: RequestInit): Promise<Response> {
  return (frame.contentWindow as Window).fetch(SCOPE + path, init);
}

beforeAll(async () => {
  fs = await createOverlayWorker({
    lowers: [
      {
        type: 'memory',
        tree: {
          'secret.txt': 'outside the root',
          app: {
            'index.html':
              '<!doctype html><title>app</title><body><script type="module" src="./src/main.tsx"></script></body>',
            'probe.html': '<!doctype html><title>probe</title>',
            'style.css': 'body { color: red }',
            'big.bin': file(big),
            src: {
              'main.tsx':
                "import { render } from 'mini';\nimport { label } from './label';\nconst text: string = label();\nrender(<p id=\"out\">{text}</p>, document.body);\n",
              'label.ts': "export const label = (): string => 'rendered by the preview';\n",
            },
            node_modules: { mini },
          },
        },
      },
    ],
    upper: { type: 'memory' },
  });
  preview = await registerPreview({ script: SCRIPT, scope: SCOPE, connect: () => fs.port() });
  frame = document.createElement('iframe');
  document.body.append(frame);
  await open('probe.html');
}, 60_000);

afterAll(async () => {
  frame?.remove();
  await preview?.unregister();
  await fs?.close();
});

describe('HTTP from a real Service Worker', () => {
  test('a file: type, length, ETag, Last-Modified; 304; HEAD; ranges; 416', async () => {
    const r = await get('style.css');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
    expect(r.headers.get('Content-Length')).toBe('19');
    expect(r.headers.get('Last-Modified')).toMatch(/GMT$/);
    const etag = r.headers.get('ETag') as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(await r.text()).toBe('body { color: red }');
    expect((await get('style.css', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const head = await get('big.bin', { method: 'HEAD' });
    expect([head.status, head.headers.get('Content-Length'), await head.text()]).toEqual([
      200,
      String(big.length),
      '',
    ]);
    const range = await get('big.bin', { headers: { Range: 'bytes=1000-1009' } });
    expect([range.status, range.headers.get('Content-Range')]).toEqual([
      206,
      `bytes 1000-1009/${big.length}`,
    ]);
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(big.subarray(1000, 1010));
    expect((await get('big.bin', { headers: { Range: `bytes=${big.length}-` } })).status).toBe(416);
    const whole = new Uint8Array(await (await get('big.bin')).arrayBuffer());
    expect(whole.length).toBe(big.length);
    expect(whole.every((b, i) => b === big[i])).toBe(true);
  });

  test('an edit changes the ETag and the body', async () => {
    const before = (await get('style.css')).headers.get('ETag') as string;
    await fs.writeFile('/app/style.css', 'body { color: blu }');
    const after = await get('style.css', { headers: { 'If-None-Match': before } });
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('body { color: blu }');
  });

  test('directories, 404, 405 and paths that try to leave the root', async () => {
    const dir = await get('src');
    // fetch follows the redirect to the slash; the directory has no index.html: a listing.
    expect([dir.status, dir.redirected, new URL(dir.url).pathname]).toEqual([200, true, `${SCOPE}src/`]);
    expect(await dir.text()).toContain('<a href="main.tsx">main.tsx</a>');
    expect((await get('nope.txt')).status).toBe(404);
    expect((await get('style.css', { method: 'POST', body: 'x' })).status).toBe(405);
    for (const [path, status] of [
      ['..%2fsecret.txt', 400],
      ['%2e%2e%2fsecret.txt', 400],
      ['..%5csecret.txt', 400],
      ['style.css%00', 400],
      ['%252e%252e%252fsecret.txt', 404],
      [`${'n'.repeat(256)}`, 400],
    ] as const) {
      const r = await get(path);
      expect(r.status, path).toBe(status);
      expect(await r.text(), path).not.toContain('outside the root');
    }
  });

  test('the app runs: TSX compiled, a bare import from node_modules, an extensionless import', async () => {
    const win = await open('');
    await expect
      .poll(() => win.document.getElementById('out')?.textContent, { timeout: 10_000 })
      .toBe('rendered by the preview');
  });

  test('a compile error shows file:line:column over the page; fixing it recovers', async () => {
    await fs.writeFile('/app/src/label.ts', "const n: number = ;\nexport const label = (): string => 'x';\n");
    const win = await open('');
    await expect
      .poll(() => win.document.getElementById('vellum-preview-error')?.textContent ?? '', { timeout: 10_000 })
      .toContain('/app/src/label.ts:1:19');
    await fs.writeFile('/app/src/label.ts', "export const label = (): string => 'fixed';\n");
    const again = await open('');
    await expect
      .poll(() => again.document.getElementById('out')?.textContent, { timeout: 10_000 })
      .toBe('fixed');
    expect(again.document.getElementById('vellum-preview-error')).toBeNull();
  });

  test('an error the browser finds (an uncaught throw) shows the overlay path and line', async () => {
    await fs.writeFile(
      '/app/src/label.ts',
      "export const label = (): string => 'fixed';\nthrow new Error('boom');\n",
    );
    const win = await open('');
    await expect
      .poll(() => win.document.getElementById('vellum-preview-error')?.textContent ?? '', { timeout: 10_000 })
      .toMatch(/\/app\/src\/label\.ts:2:\d+\n.*boom/);
    await fs.writeFile('/app/src/label.ts', "export const label = (): string => 'fixed';\n");
  });

  test('a port whose worker is gone is noticed by a ping and replaced: the request is served', async () => {
    // A second engine's port handed to the Service Worker, then that engine ended (its page closed).
    const other = await createOverlayWorker({ lowers: [], upper: { type: 'memory' } });
    const port = await other.port();
    const worker = preview.registration.active as ServiceWorker;
    const taken = new Promise<void>((resolve) =>
      navigator.serviceWorker.addEventListener('message', (e) => {
        if ((e.data as { type?: string }).type === 'vellum-preview-port-taken') resolve();
      }),
    );
    worker.postMessage({ type: 'vellum-preview-port', port }, [port]);
    await taken;
    await other.close();
    const r = await get('style.css');
    expect([r.status, await r.text()]).toEqual([200, 'body { color: blu }']);
  });

  test('stopped by the browser, the Service Worker asks for a new port and serves again', async () => {
    await open('probe.html');
    await commands.stopServiceWorkers();
    const r = await get('style.css');
    expect([r.status, await r.text()]).toEqual([200, 'body { color: blu }']);
    await commands.stopServiceWorkers();
    const win = await open('');
    await expect
      .poll(() => win.document.getElementById('out')?.textContent, { timeout: 10_000 })
      .toBe('fixed');
  });
});
