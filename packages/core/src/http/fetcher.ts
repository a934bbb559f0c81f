/**
 * GET with the failure handling every network layer needs: a concurrency cap, a timeout per
 * request (ETIMEDOUT), retries with bounded exponential backoff for 5xx and network errors,
 * cancellation by an AbortSignal, a body checked against its announced length, and the counters
 * tests assert on. It knows nothing about zips or manifests.
 */
import { Limit } from './limit.js';
import { type ProgressEvent, TransferCounter, type TransferMeter } from './progress.js';

/** Options shared by every layer that reads over HTTP. */
export interface NetworkOptions {
  /** The fetch to use (default: the global one); tests and custom transports pass their own. */
  fetch?: typeof fetch;
  /** Retries after a 5xx, 408, 429, network error or cut-off body (default 3; 0 = never retry). */
  retries?: number;
  /** First retry delay in ms (default 100); doubles per retry up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  /** Longest retry delay in ms (default 2000). */
  maxRetryDelayMs?: number;
  /** A request that has not completed (headers and body) in this many ms fails with ETIMEDOUT (default 30000). */
  timeoutMs?: number;
  /** Requests in flight at once, per layer (default 6, a browser's per-host limit). */
  concurrency?: number;
  /** Cancels every request of the layer, in flight or to come. */
  signal?: AbortSignal;
  /** Extra request headers (an Authorization header, say). */
  headers?: Record<string, string>;
  /** Shared progress totals over several layers. */
  meter?: TransferMeter;
  /** Progress of this layer (and the meter's totals, if one is given). */
  onProgress?: (event: ProgressEvent) => void;
}

/** How a request failed. */
export type HttpFailureKind =
  /** An HTTP status the layer cannot use (`status` holds it). */
  | 'status'
  /** No response: DNS, connection refused or reset. */
  | 'network'
  /** The body ended before its announced length. */
  | 'truncated'
  /** No complete response within `timeoutMs`. */
  | 'timeout'
  /** The resource is not the one the layer was opened on (ETag changed, 412 Precondition Failed). */
  | 'changed'
  /** The server answered something that does not fit the request (a wrong Content-Range). */
  | 'protocol';

/**
 * The `cause` of a layer's EIO/ETIMEDOUT: what the network did.
 *
 * @example
 * ```ts
 * try {
 *   await ov.readFile('/big.bin');
 * } catch (e) {
 *   if (e instanceof FsError && e.cause instanceof HttpError && e.cause.status === 404) console.log('gone from the server');
 * }

 * ```
 */
export class HttpError extends Error {
  /** Always `'HttpError'`. */
  override readonly name = 'HttpError';
  /** What went wrong, in kinds a caller can act on. */
  readonly kind: HttpFailureKind;
  /** The URL requested. */
  readonly url: string;

  /** The HTTP status, for `kind: 'status'` and `'changed'` (412). */
  readonly status?: number;

  constructor(
    kind: HttpFailureKind,
    url: string,
    message: string,
    options?: { status?: number; cause?: unknown },
  ) {
    super(`${message} (GET ${url})`, { cause: options?.cause });
    this.kind = kind;
    this.url = url;
    if (options?.status !== undefined) this.status = options.status;
  }

  /** Worth trying again: the same request may well succeed a moment later. */
  get retryable(): boolean {
    if (this.kind === 'network' || this.kind === 'truncated') return true;
    const s = this.status ?? 0;
    return this.kind === 'status' && (s >= 500 || s === 408 || s === 429);
  }
}

/** A byte range: `[start, end)`, or the last `suffix` bytes of the resource. */
export type ByteRange = { start: number; end: number } | { suffix: number };

export interface HttpRequest {
  url: string;
  range?: ByteRange;
  /** Sent as If-Match: the server answers 412 if the resource changed. */
  ifMatch?: string;
}

export interface HttpResponse {
  status: number;
  body: Uint8Array;
  etag: string | null;
  /** From a 206's Content-Range: the first byte, one past the last, and the resource's size. */
  range?: { start: number; end: number; size: number };
}

/**
 * One layer's HTTP client.
 *
 * @example
 * ```ts
 * const http = new Fetcher('https://cdn.example/base.zip', { retries: 2, timeoutMs: 10_000 });
 * const { body, range } = await http.get({ url: http.source, range: { suffix: 65_536 } });
 * ```
 */
export class Fetcher {
  readonly source: string;
  readonly counter: TransferCounter;
  readonly limit: Limit;
  readonly #fetch: typeof fetch;
  readonly #retries: number;
  readonly #delay: number;
  readonly #maxDelay: number;
  readonly #timeout: number;
  readonly #signal: AbortSignal | undefined;
  readonly #headers: Record<string, string>;

  constructor(source: string, options: NetworkOptions = {}) {
    this.source = source;
    this.counter = new TransferCounter(source, options.meter, options.onProgress);
    this.limit = new Limit(options.concurrency ?? 6);
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#retries = Math.max(0, options.retries ?? 3);
    this.#delay = options.retryDelayMs ?? 100;
    this.#maxDelay = options.maxRetryDelayMs ?? 2000;
    this.#timeout = options.timeoutMs ?? 30_000;
    this.#signal = options.signal;
    this.#headers = options.headers ?? {};
  }

  /** The layer's abort signal, if any. */
  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  /**
   * GETs `request.url`, retrying what is worth retrying. Resolves with a 200 or 206 whose body
   * has its announced length; rejects with an {@link HttpError}, or the signal's reason if aborted.
   */
  async get(request: HttpRequest): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      this.#signal?.throwIfAborted();
      try {
        return await this.limit.run(() => this.#attempt(request));
      } catch (error) {
        if (!(error instanceof HttpError) || !error.retryable || attempt >= this.#retries) throw error;
      }
      await sleep(Math.min(this.#maxDelay, this.#delay * 2 ** attempt), this.#signal);
    }
  }

  async #attempt(request: HttpRequest): Promise<HttpResponse> {
    const { url, range } = request;
    this.#signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeout);
    const onAbort = (): void => controller.abort(this.#signal?.reason);
    this.#signal?.addEventListener('abort', onAbort, { once: true });
    // Tells apart our timeout, the caller's abort and a network failure, whichever way fetch reports it.
    const failure = (error: unknown, kind: 'network' | 'truncated', what: string): unknown => {
      if (this.#signal?.aborted) return this.#signal.reason;
      if (timedOut) return new HttpError('timeout', url, `no complete response in ${this.#timeout} ms`);
      return new HttpError(kind, url, `${what}: ${describe(error)}`, { cause: error });
    };
    const headers: Record<string, string> = { ...this.#headers };
    if (range)
      headers.Range = 'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.start}-${range.end - 1}`;
    if (request.ifMatch !== undefined) headers['If-Match'] = request.ifMatch;
    try {
      this.counter.request();
      let res: Response;
      try {
        res = await this.#fetch(url, { headers, signal: controller.signal });
      } catch (error) {
        throw failure(error, 'network', 'request failed');
      }
      if (res.status !== 200 && res.status !== 206) {
        res.body?.cancel().catch(() => {});
        if (res.status === 412) {
          throw new HttpError(
            'changed',
            url,
            'the resource changed on the server (412 Precondition Failed)',
            {
              status: 412,
            },
          );
        }
        throw new HttpError('status', url, `HTTP ${res.status} ${res.statusText}`.trim(), {
          status: res.status,
        });
      }
      let parsedRange: HttpResponse['range'];
      let expected: number | undefined;
      if (res.status === 206) {
        parsedRange = parseContentRange(res.headers.get('content-range'));
        if (!parsedRange) {
          res.body?.cancel().catch(() => {});
          throw new HttpError(
            'protocol',
            url,
            `206 with an unusable Content-Range '${res.headers.get('content-range')}'`,
          );
        }
        expected = parsedRange.end - parsedRange.start;
      } else {
        const length = res.headers.get('content-length');
        if (length !== null && /^\d+$/.test(length)) expected = Number(length);
      }
      this.counter.expect(expected ?? 0);
      let body: Uint8Array;
      try {
        body = await readBody(res, (n) => this.counter.received(n));
      } catch (error) {
        throw failure(error, 'truncated', 'the body was cut off');
      }
      if (expected !== undefined && body.length !== expected) {
        throw new HttpError(
          'truncated',
          url,
          `the body has ${body.length} bytes, ${expected} were announced`,
        );
      }
      const out: HttpResponse = { status: res.status, body, etag: res.headers.get('etag') };
      if (parsedRange) out.range = parsedRange;
      return out;
    } finally {
      clearTimeout(timer);
      this.#signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** The body, chunk by chunk (so progress moves while it arrives), in one buffer. */
async function readBody(res: Response, onChunk: (n: number) => void): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
    onChunk(value.length);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** `bytes a-b/n` → `{ start: a, end: b + 1, size: n }` (an unknown size `*` is refused). */
function parseContentRange(header: string | null): { start: number; end: number; size: number } | undefined {
  const m = header === null ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]) + 1;
  const size = Number(m[3]);
  return start < end && end <= size ? { start, end, size } : undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
