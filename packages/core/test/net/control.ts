/**
 * Node side of the fault server for both test projects: `localFaultServer` wraps a TestServer
 * directly (Node tests), `startControl` puts a JSON control endpoint in front of one so a page
 * can drive it (net/global-setup.ts, for Chromium). The control endpoint is a separate server so
 * its own requests never show up in the data server's request counts.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlOp, ControlState, FaultServer } from './harness.js';
import type { TestServer } from './server.js';

export function localFaultServer(server: TestServer): FaultServer {
  return {
    url: (path) => server.url(path),
    putFile: async (path, bytes) => void server.files.set(path, bytes),
    reset: async () => server.reset(),
    setFaults: async (faults) => {
      server.faults = { ...faults };
    },
    failNext: async (path, status, times) => server.failNext(path, status, times),
    requests: async () => server.requests.map((r) => ({ ...r })),
    bytesSent: async () => server.bytesSent,
    maxActive: async () => server.maxActive,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the control endpoint on 127.0.0.1 for `server`; resolves to its URL and a closer. */
export async function startControl(server: TestServer): Promise<{ url: string; close(): Promise<void> }> {
  const apply = (op: ControlOp): void => {
    switch (op.op) {
      case 'put':
        server.files.set(op.path, new Uint8Array(Buffer.from(op.base64, 'base64')));
        return;
      case 'reset':
        server.reset();
        return;
      case 'faults':
        server.faults = { ...op.faults };
        return;
      case 'failNext':
        server.failNext(op.path, op.status, op.times);
        return;
      case 'state':
        return;
    }
  };
  const http = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    // The page is cross-origin isolated (COEP require-corp, see vite.config.ts).
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    readBody(req)
      .then((text) => {
        apply(JSON.parse(text) as ControlOp);
        const state: ControlState = {
          requests: server.requests,
          bytesSent: server.bytesSent,
          maxActive: server.maxActive,
        };
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(state));
      })
      .catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/control`,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
