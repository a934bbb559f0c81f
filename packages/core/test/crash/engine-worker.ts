/**
 * The crash page's dedicated worker: the OPFS upper and the mirrored upper (IndexedDB primary,
 * OPFS mirror) need `FileSystemSyncAccessHandle`, which only a worker has. Runs the crash
 * operations on one of them, posting each acknowledged operation, and inspects what a
 * workspace holds (recovering a mirrored one whose primary the browser lost).
 */
import { IndexedDBUpper } from '../../src/idb/index.js';
import {
  isStoreLoss,
  MemoryLayer,
  MirroredUpper,
  Overlay,
  type StoreLossError,
  type UpperLayer,
} from '../../src/index.js';
import { OpfsUpper } from '../../src/opfs/index.js';
import { opAt } from './ops.js';

/** Which upper a workspace of the worker uses. */
export type WorkerKind = 'opfs' | 'mirrored';

/** What the page asks; `acked`: the test has heard of the last acknowledged operation. */
export type WorkerRequest =
  | { type: 'run'; kind: WorkerKind; name: string; from: number }
  | { type: 'inspect'; kind: WorkerKind; name: string }
  | { type: 'acked' };

/** What the worker answers: acks while running, one reply to an inspect. */
export type WorkerReply =
  | { type: 'ack'; i: number }
  | {
      type: 'inspected';
      files: Record<string, string>;
      problems: string[];
      loss?: string;
      recovered?: boolean;
    }
  | { type: 'failed'; error: string };

/** Compaction once the journal holds 4 KiB (every few operations): kills land in compactions too. */
const COMPACT_OFTEN = 4096;

const lowers = () => [MemoryLayer.fromTree({ base: 'from the lower' }, { id: 'crash-base', mtimeMs: 1 })];

function upperOf(kind: WorkerKind, name: string): UpperLayer {
  return kind === 'opfs'
    ? new OpfsUpper({ name, compactBytes: COMPACT_OFTEN })
    : new MirroredUpper(
        new IndexedDBUpper({ name, journal: { maxRecords: 4, idleMs: 50 } }),
        new OpfsUpper({ name: `mirror-${name}`, compactBytes: COMPACT_OFTEN }),
      );
}

const post = (reply: WorkerReply) => self.postMessage(reply);

/** Resolves the wait for the test to hear of an acknowledged operation. */
let heard: (() => void) | undefined;

/**
 * Reports operation `i` as acknowledged and waits until the test has it, as the page does
 * (`await window.ack(i)`): a kill then finds at most one operation stored beyond the last
 * one the test heard of, never acknowledgements lost in transit.
 */
const acknowledge = (i: number) =>
  new Promise<void>((resolve) => {
    heard = resolve;
    post({ type: 'ack', i });
  });

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === 'acked') {
    heard?.();
    return;
  }
  try {
    const upper = upperOf(request.kind, request.name);
    if (request.type === 'run') {
      const ov = await Overlay.create({ lowers: lowers(), upper });
      for (let i = request.from; ; i++) {
        const op = opAt(i);
        if (op.kind === 'write') await ov.writeFile(op.path, op.data);
        else if (op.kind === 'rename') await ov.rename(op.from, op.to);
        else await ov.unlink(op.path);
        await acknowledge(i);
      }
    }
    let loss: string | undefined;
    let ov: Overlay;
    try {
      ov = await Overlay.create({ lowers: lowers(), upper });
    } catch (error) {
      if (!(upper instanceof MirroredUpper) || !isStoreLoss(error)) throw error;
      loss = (error as { cause: StoreLossError }).cause.kind;
      await upper.recover();
      ov = await Overlay.create({ lowers: lowers(), upper });
    }
    const files: Record<string, string> = {};
    for (const entry of await ov.readdir('/')) files[`/${entry}`] = await ov.readFile(`/${entry}`, 'utf8');
    const { problems } = await ov.fsck();
    await ov.close();
    post({
      type: 'inspected',
      files,
      problems: problems.map((p) => `${p.kind}: ${p.message}`),
      ...(loss && { loss, recovered: true }),
    });
  } catch (error) {
    post({
      type: 'failed',
      error: String(error instanceof Error ? `${error.message} (${String(error.cause)})` : error),
    });
  }
};
