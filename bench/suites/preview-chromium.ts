/**
 * @vellum/preview in Chromium: a 64 MiB file served by its Service Worker from the overlay in a
 * module Web Worker (the body streamed from the engine in 256 KiB reads over the port), against
 * the same file fetched from the dev server, in one page, alternating rounds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ChromiumPage, openChromiumPage } from '../lib/browser.js';
import type { Suite } from '../lib/harness.js';

const MIB = 64;
const ROUNDS = 7;
const STATIC = '/generated/preview-64m.bin';

interface State {
  page: ChromiumPage;
  size: number;
  preview: number[];
  direct: number[];
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const mbps = (size: number, ms: number): number => size / 1e6 / (ms / 1000);

export const previewChromiumSuite: Suite<State> = {
  name: 'preview-chromium',
  title: '@vellum/preview: a 64 MiB file through the Service Worker vs from the dev server',
  description: `A ${MIB} MiB file read whole by the page (\`fetch\` + \`arrayBuffer\`): served by @vellum/preview’s Service Worker from a memory lower in @vellum/worker’s module worker (streamed in 256 KiB reads over the port), against the same bytes on disk served by Vite’s dev server (the peer). ${ROUNDS} rounds each, alternating; median ms per read (the ratio is dev server / preview: below 1, the preview is slower).`,
  async setup(ctx) {
    const dir = fileURLToPath(new URL('../browser/generated/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const bytes = new Uint8Array(MIB * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i >> 12) & 0xff;
    writeFileSync(`${dir}preview-64m.bin`, bytes);
    const page = await openChromiumPage('preview.ts', { logPrefix: 'preview' });
    const size = await page.call<number>('setup', STATIC);
    ctx.log(`serving ${size} bytes; ${ROUNDS} rounds`);
    const { preview, direct } = await page.call<{ preview: number[]; direct: number[] }>(
      'throughput',
      STATIC,
      size,
      ROUNDS,
    );
    ctx.log(
      `preview ms: ${preview.map((x) => x.toFixed(0)).join(', ')}; dev server ms: ${direct.map((x) => x.toFixed(0)).join(', ')}`,
    );
    return { page, size, preview, direct };
  },
  cases: () => [
    {
      figure: `read a ${MIB} MiB file whole (median ms; MB/s beside)`,
      unit: 'ms',
      vellum: async (s) => {
        const ms = median(s.preview);
        return { value: ms, detail: `${mbps(s.size, ms).toFixed(0)} MB/s, median of ${ROUNDS}` };
      },
      peer: async (s) => {
        const ms = median(s.direct);
        return { value: ms, detail: `${mbps(s.size, ms).toFixed(0)} MB/s, median of ${ROUNDS}` };
      },
    },
  ],
  async teardown(s) {
    await s.page.close();
  },
};
