/**
 * Page side of the `preview-chromium` suite: a file served by @vellum/preview's Service Worker
 * from an overlay in @vellum/worker's worker, against the same bytes fetched from the dev server
 * (a static file on disk), read whole by the page in alternating rounds.
 */
import { createOverlayWorker, type OverlayClient } from '@vellum/worker';
import { registerPreview } from '../../packages/preview/src/index.js';

const SCOPE = '/preview-bench/';
let fs: OverlayClient | undefined;
let frame: HTMLIFrameElement | undefined;

/** Loads the dev server's copy, puts the same bytes in a memory lower, starts the Service Worker. */
export async function setup(staticPath: string): Promise<number> {
  const bytes = new Uint8Array(await (await fetch(staticPath, { cache: 'no-store' })).arrayBuffer());
  fs = await createOverlayWorker({
    lowers: [
      {
        type: 'memory',
        entries: [
          { path: '/big.bin', kind: 'file', data: bytes },
          {
            path: '/probe.html',
            kind: 'file',
            data: new TextEncoder().encode('<!doctype html><title>probe</title>'),
          },
        ],
      },
    ],
    upper: { type: 'memory' },
  });
  const client = fs;
  await registerPreview({ script: '/preview-sw.ts', scope: SCOPE, connect: () => client.port() });
  frame = document.createElement('iframe');
  document.body.append(frame);
  const loaded = new Promise((resolve) => frame?.addEventListener('load', resolve, { once: true }));
  frame.src = `${SCOPE}probe.html`;
  await loaded;
  return bytes.length;
}

async function timedRead(fetcher: () => Promise<Response>, size: number): Promise<number> {
  const started = performance.now();
  const body = await (await fetcher()).arrayBuffer();
  const ms = performance.now() - started;
  if (body.byteLength !== size) throw new Error(`read ${body.byteLength} bytes, expected ${size}`);
  return ms;
}

/** `rounds` whole reads of each, alternating (Service Worker first in even rounds): ms per read. */
export async function throughput(
  staticPath: string,
  size: number,
  rounds: number,
): Promise<{ preview: number[]; direct: number[] }> {
  const win = frame?.contentWindow;
  if (win === undefined || win === null) throw new Error('setup first');
  const preview: number[] = [];
  const direct: number[] = [];
  const viaPreview = () => timedRead(() => win.fetch(`${SCOPE}big.bin`), size);
  const viaServer = () => timedRead(() => fetch(staticPath, { cache: 'no-store' }), size);
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      preview.push(await viaPreview());
      direct.push(await viaServer());
    } else {
      direct.push(await viaServer());
      preview.push(await viaPreview());
    }
  }
  return { preview, direct };
}
