/**
 * The synchronous channel's shared memory. A blocked worker cannot receive messages,
 * so requests go by `postMessage` and answers come back through a SharedArrayBuffer
 * the requester waits on with `Atomics.wait`; an answer bigger than the buffer comes
 * in chunks, each asked for with a `more` request.
 */

/** Int32 slots at the start of the buffer. */
export const STATE = 0; // 0: waiting for an answer, 1: answered
export const KIND = 1; // see Kind
export const LENGTH = 2; // bytes of payload in this chunk
export const FORMAT = 3; // see Format
export const HEADER_BYTES = 16;

/** How an answer (chunk) ends: the last chunk, more to come, or an error. */
export const Kind = { Done: 0, More: 1, Error: 2 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];
/** How the payload is encoded. */
export const Format = { Json: 0, Bytes: 1, Void: 2 } as const;
export type Format = (typeof Format)[keyof typeof Format];

/** What the requester posts. The first message on a port is `{ hello: buffer }`. */
export type SyncRequest = { hello: SharedArrayBuffer } | { op: string; args: unknown[] } | { more: true };

/** Default payload capacity per chunk: big enough for most files, small enough to allocate per worker. */
export const DEFAULT_CAPACITY = 1 << 20;
