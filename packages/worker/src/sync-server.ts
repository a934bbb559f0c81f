/** Worker side of the synchronous channel: answers requests from one port through shared memory. */
import type { Ops } from './ops.js';
import type { Reply } from './protocol.js';
import type { Emit } from './server.js';
import { run } from './server.js';
import {
  FORMAT,
  Format,
  HEADER_BYTES,
  KIND,
  Kind,
  LENGTH,
  STATE,
  type SyncRequest,
} from './sync-protocol.js';

const encoder = new TextEncoder();

/** The payload of a reply: raw bytes for file data, JSON for everything else. */
function encodeReply(reply: Reply): { kind: Kind; format: Format; payload: Uint8Array } {
  if (!reply.ok)
    return { kind: Kind.Error, format: Format.Json, payload: encoder.encode(JSON.stringify(reply.error)) };
  const v = reply.value;
  if (v === undefined) return { kind: Kind.Done, format: Format.Void, payload: new Uint8Array(0) };
  if (v instanceof Uint8Array) return { kind: Kind.Done, format: Format.Bytes, payload: v };
  // Packed stats travel as a plain number list.
  const plain = v instanceof Float64Array ? Array.from(v) : v;
  return { kind: Kind.Done, format: Format.Json, payload: encoder.encode(JSON.stringify(plain)) };
}

export function serveSync(port: MessagePort, ops: Ops, emit: Emit): void {
  let ctl: Int32Array | undefined;
  let data: Uint8Array | undefined;
  let rest: { kind: Kind; format: Format; payload: Uint8Array } | undefined;

  const answer = (): void => {
    if (ctl === undefined || data === undefined || rest === undefined) return;
    const chunk = rest.payload.subarray(0, data.length);
    const more = rest.payload.length > data.length;
    data.set(chunk);
    Atomics.store(ctl, KIND, more ? Kind.More : rest.kind);
    Atomics.store(ctl, FORMAT, rest.format);
    Atomics.store(ctl, LENGTH, chunk.length);
    rest = more ? { ...rest, payload: rest.payload.subarray(data.length) } : undefined;
    Atomics.store(ctl, STATE, 1);
    Atomics.notify(ctl, STATE);
  };

  // Requests come one at a time: the requester is blocked until it has its answer.
  port.addEventListener('message', (event: MessageEvent<SyncRequest>) => {
    const msg = event.data;
    if ('hello' in msg) {
      ctl = new Int32Array(msg.hello, 0, HEADER_BYTES / 4);
      data = new Uint8Array(msg.hello, HEADER_BYTES);
      return;
    }
    if ('more' in msg) {
      answer();
      return;
    }
    void run(ops, msg.op, msg.args, emit).then(({ reply }) => {
      rest = encodeReply(reply);
      answer();
    });
  });
  port.start();
}
