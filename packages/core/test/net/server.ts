/**
 * A static file server on 127.0.0.1 for the network layers' tests: single byte ranges (and
 * suffix ranges), strong ETags, If-Match, and faults switched on per test — no Range support,
 * an HTTP status for the next N requests, a body cut off, a slow first byte, a changed ETag, a
 * wrong Content-Length. It records every request (path, Range, status, body bytes sent) so tests
 * assert request counts and bytes, not wall time. CORS headers let a browser page use it too.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Faults {
  /** Answer 200 with the whole file, ignoring Range. */
  noRange?: boolean;
  /** Send this many body bytes, then drop the connection (the headers announce the full length). */
  truncateAt?: number;
  /** Wait this long before sending the headers. */
  delayMs?: number;
  /** Announce this many more (or, negative, fewer) bytes in Content-Length than are sent. */
  contentLengthDelta?: number;
  /** Answer a suffix range `bytes=-N` with the first N bytes (as sirv, Vite's static server, does). */
  suffixFromStart?: boolean;
  /** Serve this ETag instead of the content's. */
  etag?: string;
}

export interface RequestRecord {
  path: string;
  range: string | undefined;
  ifMatch: string | undefined;
  status: number;
  /** Body bytes written. */
  bytes: number;
}

export class TestServer {
  readonly files = new Map<string, Uint8Array>();
  readonly requests: RequestRecord[] = [];
  faults: Faults = {};
  /** Requests being answered now, and the most at once since the last reset. */
  active = 0;
  maxActive = 0;
  readonly #statuses = new Map<string, number[]>();
  readonly #server: Server;
  #base = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => res.destroy());
    });
  }

  /** Starts a server on an ephemeral port of 127.0.0.1 serving `files` (path → bytes). */
  static async start(files: Record<string, Uint8Array> = {}): Promise<TestServer> {
    const s = new TestServer();
    for (const [path, bytes] of Object.entries(files)) s.files.set(path, bytes);
    await new Promise<void>((resolve, reject) => {
      s.#server.once('error', reject);
      s.#server.listen(0, '127.0.0.1', () => resolve());
    });
    s.#base = `http://127.0.0.1:${(s.#server.address() as AddressInfo).port}`;
    return s;
  }

  url(path: string): string {
    return `${this.#base}${path}`;
  }

  /** Answers the next `times` requests for `path` with `status` (then serves normally again). */
  failNext(path: string, status: number, times = 1): void {
    this.#statuses.set(path, [...(this.#statuses.get(path) ?? []), ...Array<number>(times).fill(status)]);
  }

  /** Body bytes sent so far. */
  get bytesSent(): number {
    return this.requests.reduce((n, r) => n + r.bytes, 0);
  }

  reset(): void {
    this.requests.length = 0;
    this.maxActive = this.active;
    this.faults = {};
    this.#statuses.clear();
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range, If-Match');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', this.#base).pathname);
    const record: RequestRecord = {
      path,
      range: header(req, 'range'),
      ifMatch: header(req, 'if-match'),
      status: 0,
      bytes: 0,
    };
    this.requests.push(record);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    res.once('close', () => this.active--);
    const f = this.faults;
    if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
    if (res.destroyed) return;
    const queued = this.#statuses.get(path);
    const forced = queued?.shift();
    const file = this.files.get(path);
    const send = (status: number, body: Uint8Array, headers: Record<string, string> = {}): void => {
      record.status = status;
      const announced = body.length + (f.contentLengthDelta ?? 0);
      res.writeHead(status, { 'Content-Length': String(Math.max(0, announced)), ...headers });
      let out = body;
      if (f.truncateAt !== undefined && f.truncateAt < body.length) out = body.subarray(0, f.truncateAt);
      if (f.contentLengthDelta !== undefined && f.contentLengthDelta < 0)
        out = body.subarray(0, Math.max(0, announced));
      record.bytes = out.length;
      if (out.length < announced) {
        res.write(out, () => res.destroy());
        return;
      }
      res.end(out);
    };
    if (forced !== undefined) return send(forced, new TextEncoder().encode(`forced ${forced}`));
    if (!file) return send(404, new TextEncoder().encode('not found'));
    const etag = f.etag ?? `"${createHash('sha1').update(file).digest('hex').slice(0, 16)}"`;
    const ifMatch = record.ifMatch;
    if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.split(/\s*,\s*/).includes(etag)) {
      return send(412, new Uint8Array(0), { ETag: etag });
    }
    const range = record.range;
    const m = range === undefined || f.noRange ? null : /^bytes=(\d*)-(\d*)$/.exec(range);
    if (!m || (m[1] === '' && m[2] === '')) return send(200, file, { ETag: etag, 'Accept-Ranges': 'bytes' });
    let start: number;
    let end: number;
    if (m[1] === '' && f.suffixFromStart) {
      start = 0;
      end = Math.min(Number(m[2]), file.length) - 1;
    } else if (m[1] === '') {
      start = Math.max(0, file.length - Number(m[2]));
      end = file.length - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? file.length - 1 : Math.min(Number(m[2]), file.length - 1);
    }
    if (start > end || start >= file.length) {
      return send(416, new Uint8Array(0), { 'Content-Range': `bytes */${file.length}` });
    }
    send(206, file.subarray(start, end + 1), {
      ETag: etag,
      'Content-Range': `bytes ${start}-${end}/${file.length}`,
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
