// Facts about the real browser that Vellum's engine relies on: streaming (de)compression for zip
// lowers, Web Crypto for content hashes, and IndexedDB for the persistent upper.
import { describe, expect, it } from 'vitest';

const bytes = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

describe('browser runtime', () => {
  it('runs in a real Chromium, not a DOM emulation', () => {
    expect(typeof window).toBe('object');
    expect(navigator.userAgent).toMatch(/Chrome\/\d+/);
    expect(document.defaultView).toBe(window);
  });

  it('has DecompressionStream with deflate-raw (zip entries) and gzip', async () => {
    expect(typeof DecompressionStream).toBe('function');
    expect(typeof CompressionStream).toBe('function');
    const text = 'vellum '.repeat(1000);
    for (const format of ['deflate-raw', 'gzip'] as const) {
      const compressed = await collect(
        new Blob([bytes(text)]).stream().pipeThrough(new CompressionStream(format)),
      );
      expect(compressed.byteLength).toBeLessThan(text.length / 10);
      const restored = await collect(
        new Blob([compressed]).stream().pipeThrough(new DecompressionStream(format)),
      );
      expect(new TextDecoder().decode(restored)).toBe(text);
    }
  });

  it('computes SHA-256 with crypto.subtle', async () => {
    expect(globalThis.isSecureContext).toBe(true);
    const digest = await crypto.subtle.digest('SHA-256', bytes('abc'));
    expect(hex(digest)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('round-trips binary data through IndexedDB', async () => {
    const name = `vellum-e2e-${crypto.randomUUID()}`;
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('blobs');
    const db = await request(open);
    try {
      const data = bytes('hello from the upper layer');
      const write = db.transaction('blobs', 'readwrite');
      write.objectStore('blobs').put({ path: '/src/main.ts', data }, '/src/main.ts');
      await new Promise<void>((resolve, reject) => {
        write.oncomplete = () => resolve();
        write.onerror = () => reject(write.error);
      });
      const read = db.transaction('blobs', 'readonly');
      const stored = await request(read.objectStore('blobs').get('/src/main.ts'));
      expect(stored.path).toBe('/src/main.ts');
      expect(stored.data).toBeInstanceOf(Uint8Array);
      expect(new TextDecoder().decode(stored.data)).toBe('hello from the upper layer');
      expect(await request(read.objectStore('blobs').count())).toBe(1);
    } finally {
      db.close();
      await request(indexedDB.deleteDatabase(name));
    }
  });
});
