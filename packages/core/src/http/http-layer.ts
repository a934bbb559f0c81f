/**
 * A directory on a static web server as a lower layer, described by its `vellum.json` manifest.
 * Opening fetches the manifest only; each file is fetched whole on its first read (one request),
 * checked against the manifest's size and (optionally) SHA-256, and kept in a byte-bounded LRU.
 * ETags with If-Match make a file that changed on the server mid-session an EIO, never a mix of
 * two versions.
 */
import { FsError } from '../errors.js';
import type { EntryMeta, LowerEntry, LowerLayer } from '../layer.js';
import { eio, layerError } from './errors.js';
import { Fetcher, HttpError, type NetworkOptions } from './fetcher.js';
import { ByteLru } from './lru.js';
import { type Manifest, type ManifestEntry, parseManifest } from './manifest.js';
import type { TransferStats } from './progress.js';
import { sha256Hex } from './sha256.js';

/**
 * How {@link HttpLayer.open} reads the directory: the manifest's name, the cache, the
 * integrity check, and the network options (retries, timeouts, headers, progress).
 */
export interface HttpLayerOptions extends NetworkOptions {
  /** The manifest's name under the base URL (default `vellum.json`). */
  manifest?: string;
  /** Bytes of file contents kept in memory (default 64 MiB). */
  cacheBytes?: number;
  /** Check each fetched file against the manifest's SHA-256 (default true). */
  integrity?: boolean;
  /** The layer's identity (default: `http:` + the manifest's digest). */
  id?: string;
  /** Owner's user id of every entry (default 0; a manifest carries none). */
  uid?: number;
  /** Owner's group id of every entry (default 0). */
  gid?: number;
}

/**
 * A read-only layer over a directory served by any static host.
 *
 * @example
 * ```ts
 * import { HttpLayer } from '@vellum/core/http';
 * // https://cdn.example/lesson/vellum.json lists the files (see `vellum manifest <dir>`).
 * const lesson = await HttpLayer.open('https://cdn.example/lesson/');
 * const ov = await Overlay.create({ lowers: [lesson, base], upper: new MemoryUpper() });
 * ```
 */
export class HttpLayer implements LowerLayer {
  /** The layer's identity: `options.id`, or `http:` and the manifest's digest. */
  readonly id: string;
  /** The `vellum.json` the layer was opened with. */
  readonly manifest: Manifest;

  readonly #base: string;
  readonly #fetcher: Fetcher;
  readonly #files: ManifestEntry[] = [];
  readonly #entries: LowerEntry[] = [];
  readonly #cache: ByteLru<number>;
  /** The ETag each file had when first fetched: a later fetch must match it. */
  readonly #etags = new Map<number, string>();
  readonly #integrity: boolean;

  private constructor(base: string, fetcher: Fetcher, manifest: Manifest, options: HttpLayerOptions) {
    this.#base = base;
    this.#fetcher = fetcher;
    this.manifest = manifest;
    this.id = options.id ?? `http:${manifest.digest}`;
    this.#cache = new ByteLru(options.cacheBytes ?? 64 * 1024 * 1024);
    this.#integrity = options.integrity ?? true;
    const uid = options.uid ?? 0;
    const gid = options.gid ?? 0;
    for (const e of manifest.entries) {
      const mtimeMs = e.mtime ?? 0;
      const meta = (mode: number): EntryMeta => ({
        mode: (e.mode ?? mode) & 0o7777,
        uid,
        gid,
        atimeMs: mtimeMs,
        mtimeMs,
        ctimeMs: mtimeMs,
        birthtimeMs: mtimeMs,
      });
      const path = `/${e.path}`;
      switch (e.type) {
        case 'file':
          this.#files.push(e);
          this.#entries.push({
            ...meta(0o644),
            path,
            kind: 'file',
            size: e.size ?? 0,
            ref: this.#files.length - 1,
            ...(e.sha256 === undefined ? {} : { etag: `sha256:${e.sha256}` }),
          });
          break;
        case 'dir':
          this.#entries.push({ ...meta(0o755), path, kind: 'dir', opaque: e.opaque === true });
          break;
        case 'symlink':
          this.#entries.push({ ...meta(0o777), path, kind: 'symlink', target: e.target ?? '' });
          break;
        case 'whiteout':
          this.#entries.push({ path, kind: 'whiteout' });
          break;
      }
    }
  }

  /**
   * Fetches and checks the manifest at `baseUrl` + `vellum.json`. ENOENT if there is none, EIO if
   * it is not a valid manifest (bad JSON, unsafe paths, a digest that does not match).
   */
  static async open(baseUrl: string | URL, options: HttpLayerOptions = {}): Promise<HttpLayer> {
    const base = String(baseUrl).endsWith('/') ? String(baseUrl) : `${String(baseUrl)}/`;
    const url = new URL(options.manifest ?? 'vellum.json', base).href;
    const fetcher = new Fetcher(base, options);
    let manifest: Manifest;
    try {
      const res = await fetcher.get({ url });
      manifest = await parseManifest(JSON.parse(new TextDecoder().decode(res.body)));
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 410)) {
        throw new FsError('ENOENT', 'open', url, undefined, { cause: error });
      }
      throw layerError(error, 'open', url, options.signal);
    }
    return new HttpLayer(base, fetcher, manifest, options);
  }

  /** Requests made and bytes received so far. */
  get stats(): TransferStats {
    return this.#fetcher.counter.snapshot();
  }

  /** Every entry the manifest lists. */
  entries(): Iterable<LowerEntry> {
    return this.#entries;
  }

  /**
   * Bytes `[offset, offset + length)` of a file: fetched whole on its first read, checked, then cached.
   */
  async read(ref: unknown, offset: number, length: number): Promise<Uint8Array> {
    const i = this.#index(ref);
    const end = Math.min(this.#files[i]?.size ?? 0, offset + length);
    if (end <= offset) return new Uint8Array(0);
    return (await this.#whole(i)).slice(offset, end);
  }

  /** The bytes at once if the file is cached; `undefined` when it must be fetched. */
  readSync(ref: unknown, offset: number, length: number): Uint8Array | undefined {
    const i = this.#index(ref);
    const end = Math.min(this.#files[i]?.size ?? 0, offset + length);
    if (end <= offset) return new Uint8Array(0);
    return this.#cache.get(i)?.slice(offset, end);
  }

  #index(ref: unknown): number {
    if (typeof ref !== 'number' || this.#files[ref] === undefined) {
      throw new Error(`HttpLayer: unknown entry reference ${String(ref)}`);
    }
    return ref;
  }

  /** The whole file; concurrent readers share one request, and a failure is not remembered. */
  #whole(i: number): Promise<Uint8Array> {
    return this.#cache.load(i, () => this.#fetch(i));
  }

  async #fetch(i: number): Promise<Uint8Array> {
    const e = this.#files[i] as ManifestEntry;
    const path = `/${e.path}`;
    const url = new URL(e.path.split('/').map(encodeURIComponent).join('/'), this.#base).href;
    const known = this.#etags.get(i);
    const strong = known !== undefined && !known.startsWith('W/') ? known : undefined;
    let body: Uint8Array;
    try {
      const res = await this.#fetcher.get({ url, ifMatch: strong });
      if (known !== undefined && res.etag !== null && res.etag !== known) {
        throw new HttpError('changed', url, `the file changed on the server (ETag ${known} → ${res.etag})`);
      }
      if (res.etag !== null) this.#etags.set(i, res.etag);
      body = res.body;
    } catch (error) {
      throw layerError(error, 'read', path, this.#fetcher.signal);
    }
    const changed = (why: string): FsError =>
      eio('read', path, `${url}: ${why}: the base changed on the server since the manifest was made`);
    if (body.length !== e.size) throw changed(`${body.length} bytes, the manifest says ${e.size}`);
    if (this.#integrity && e.sha256 !== undefined && (await sha256Hex(body)) !== e.sha256) {
      throw changed('the SHA-256 differs from the manifest');
    }
    return body;
  }
}
