/**
 * The faulty server as the network tests see it, in Node and in a page alike: every call is
 * async because in Chromium the server lives in the Vitest process (net/global-setup.ts) and is
 * driven over a small control endpoint (net/control.ts). This file imports nothing from Node so
 * the browser bundle can load it.
 */
import type { Faults, RequestRecord } from './server.js';

export type { Faults, RequestRecord };

export interface FaultServer {
  /** The file's URL on the faulty server. */
  url(path: string): string;
  /** Serves `bytes` at `path` from now on. */
  putFile(path: string, bytes: Uint8Array): Promise<void>;
  /** Forgets the recorded requests, the faults and the queued statuses. */
  reset(): Promise<void>;
  /** Replaces the faults (an empty object switches them all off). */
  setFaults(faults: Faults): Promise<void>;
  /** Answers the next `times` requests for `path` with `status`. */
  failNext(path: string, status: number, times?: number): Promise<void>;
  /** What the server saw since the last reset. */
  requests(): Promise<RequestRecord[]>;
  /** Body bytes sent since the last reset. */
  bytesSent(): Promise<number>;
  /** The most requests answered at once since the last reset. */
  maxActive(): Promise<number>;
}

/** Where a page finds the server: the data server's origin and the control endpoint's URL. */
export interface FaultServerAddress {
  base: string;
  control: string;
}

/** The operations of the control endpoint: one JSON object per POST. */
export type ControlOp =
  | { op: 'put'; path: string; base64: string }
  | { op: 'reset' }
  | { op: 'faults'; faults: Faults }
  | { op: 'failNext'; path: string; status: number; times: number }
  | { op: 'state' };

/** The control endpoint's answer to every op: the server's state after it. */
export interface ControlState {
  requests: RequestRecord[];
  bytesSent: number;
  maxActive: number;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A FaultServer driven over HTTP (from a page, where the server itself cannot run). */
export function remoteFaultServer(address: FaultServerAddress): FaultServer {
  const call = async (body: ControlOp): Promise<ControlState> => {
    // text/plain keeps the POST a CORS "simple" request: no preflight for the control channel.
    const res = await fetch(address.control, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`control ${body.op}: ${res.status} ${await res.text()}`);
    return (await res.json()) as ControlState;
  };
  return {
    url: (path) => `${address.base}${path}`,
    putFile: async (path, bytes) => void (await call({ op: 'put', path, base64: base64(bytes) })),
    reset: async () => void (await call({ op: 'reset' })),
    setFaults: async (faults) => void (await call({ op: 'faults', faults })),
    failNext: async (path, status, times = 1) => void (await call({ op: 'failNext', path, status, times })),
    requests: async () => (await call({ op: 'state' })).requests,
    bytesSent: async () => (await call({ op: 'state' })).bytesSent,
    maxActive: async () => (await call({ op: 'state' })).maxActive,
  };
}
