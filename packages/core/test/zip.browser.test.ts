/**
 * ZipLayer in Chromium: a zip made in the page is written next to the tests (Vitest's
 * writeFile command) and read back through the Vite server with HTTP Range requests, counted by
 * the layer's own counters; DecompressionStream('deflate-raw') and fflate inflate the same bytes.
 */
import { deflateSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { MemoryUpper, Overlay } from '../src/index.js';
import { writeZip, ZipLayer } from '../src/zip/index.js';
import { hasNativeInflate, inflateRaw } from '../src/zip/inflate.js';
import { sameBytes } from './helpers.js';

const encoder = new TextEncoder();
const noise = (n: number): Uint8Array => {
  const out = new Uint8Array(n);
  let x = 7;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

/** Written by the test (commands resolve paths from the project root), served by Vite from the same place. */
const FIXTURE = 'packages/core/node_modules/.vellum-test/zip-browser.zip';
const zip = writeZip([
  { path: 'src/main.ts', kind: 'file', data: encoder.encode('export const main = 1;\n'.repeat(500)) },
  { path: 'src/noise.bin', kind: 'file', data: noise(200_000) },
  ...Array.from({ length: 8 }, (_, i) => ({
    path: `small/${i}.txt`,
    kind: 'file' as const,
    data: encoder.encode(`small ${i}`),
  })),
]);

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

afterAll(() => commands.removeFile(FIXTURE).catch(() => {}));

describe('ZipLayer in Chromium', () => {
  it('lists and reads a zip over HTTP Range from the Vite server, one request each', async () => {
    await commands.writeFile(FIXTURE, base64(zip), 'base64');
    const url = new URL(`/${FIXTURE}`, location.origin).href;
    const layer = await ZipLayer.open(url);
    expect(layer.warnings).toEqual([]);
    expect(layer.lazy).toBe(true);
    // Vite's static server (sirv) answers a suffix range with the file's first bytes; the layer
    // notices and asks for the tail by offsets: two requests here, one where suffixes work
    // (zip-http.test.ts asserts both).
    expect(layer.stats.requests).toBe(2);
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    expect(await ov.readFile('/src/main.ts', 'utf8')).toBe('export const main = 1;\n'.repeat(500));
    expect(layer.stats.requests).toBe(3);
    expect(sameBytes(await ov.readFile('/src/noise.bin'), noise(200_000))).toBe(true);
    expect(layer.stats.requests).toBe(4);
    // Neighbours read together share one request.
    const texts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => ov.readFile(`/small/${i}.txt`, 'utf8')),
    );
    expect(texts[7]).toBe('small 7');
    expect(layer.stats.requests).toBe(5);
    // Each entry once, plus the two listing requests (the first one wasted on sirv).
    expect(layer.stats.bytes).toBeLessThan(zip.length + 2 * 65_577);
  });

  it('reads a Blob the same way', async () => {
    const layer = await ZipLayer.open(new Blob([zip as Uint8Array<ArrayBuffer>]));
    const ov = await Overlay.create({ lowers: [layer], upper: new MemoryUpper() });
    expect(await ov.readFile('/small/3.txt', 'utf8')).toBe('small 3');
  });

  it('inflates with DecompressionStream and with fflate alike', async () => {
    expect(hasNativeInflate()).toBe(true);
    const raw = encoder.encode('abcabcabd'.repeat(10_000));
    const packed = deflateSync(raw);
    expect(sameBytes(await inflateRaw(packed, raw.length, 'native'), raw)).toBe(true);
    expect(sameBytes(await inflateRaw(packed, raw.length, 'fflate'), raw)).toBe(true);
    await expect(inflateRaw(packed, 100, 'native')).rejects.toThrow(/past its declared size/);
  });
});
