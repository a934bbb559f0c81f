/**
 * The page the crash tests drive (crash.test.ts, browser-crash.test.ts, browser-canary.test.ts):
 * `run` writes, renames and deletes as fast as it can on an IndexedDBUpper, reporting each
 * acknowledged operation; `inspect` reopens the workspace and returns what it holds, or the loss
 * it failed to open with. `runInWorker` / `inspectInWorker` do the same on the OPFS upper or
 * the mirrored upper, in a dedicated worker (engine-worker.ts); `scratch` makes IndexedDB write.
 */
import { IndexedDBUpper } from '../../src/idb/index.js';
import { isStoreLoss, MemoryLayer, Overlay, type StoreLossError } from '../../src/index.js';
import type { WorkerKind, WorkerReply, WorkerRequest } from './engine-worker.js';
import { opAt } from './ops.js';

/** What a workspace holds after a crash, or how it was lost. */
export interface Inspected {
  files: Record<string, string>;
  problems: string[];
  databases: string[];
  /** The EIO's cause kind when the workspace failed to open as lost (`store-lost`, …). */
  loss?: string;
  /** A mirrored workspace rebuilt from its mirror. */
  recovered?: boolean;
}

declare global {
  interface Window {
    /** Exposed by the test: operation `i` was acknowledged. */
    ack(i: number): Promise<void>;
    crashPage: {
      run(name: string, from: number): Promise<never>;
      inspect(name: string): Promise<Inspected>;
      runInWorker(kind: WorkerKind, name: string, from: number): Promise<never>;
      inspectInWorker(kind: WorkerKind, name: string): Promise<Inspected>;
      scratch(name: string, count: number): Promise<void>;
    };
  }
}

const lowers = () => [MemoryLayer.fromTree({ base: 'from the lower' }, { id: 'crash-base', mtimeMs: 1 })];
/**
 * The journal folded every few operations (and the OPFS upper compacted every few, in
 * engine-worker.ts), so that kills land inside folds and compactions too, not only in commits.
 */
export const FOLD_OFTEN = { maxRecords: 4, idleMs: 50 };
const open = (name: string) =>
  Overlay.create({ lowers: lowers(), upper: new IndexedDBUpper({ name, journal: FOLD_OFTEN }) });
const databases = async () => (await indexedDB.databases()).map((d) => d.name ?? '');

/** One worker per request (a run never ends; an inspect answers once). */
function inWorker(request: WorkerRequest, onAck?: (i: number) => Promise<void>): Promise<Inspected> {
  const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<Inspected>((resolve, reject) => {
    worker.onmessage = async (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      if (reply.type === 'ack') {
        // The worker goes on only once the test has heard of it (see engine-worker.ts).
        await onAck?.(reply.i);
        worker.postMessage({ type: 'acked' } satisfies WorkerRequest);
      } else if (reply.type === 'failed') reject(new Error(reply.error));
      else resolve({ ...reply, databases: await databases() });
    };
    worker.onerror = (event) => reject(new Error(`the engine worker failed: ${event.message}`));
    worker.postMessage(request);
  }).finally(() => {
    if (request.type === 'inspect') worker.terminate();
  });
}

window.crashPage = {
  async run(name, from) {
    const ov = await open(name);
    for (let i = from; ; i++) {
      const op = opAt(i);
      if (op.kind === 'write') await ov.writeFile(op.path, op.data);
      else if (op.kind === 'rename') await ov.rename(op.from, op.to);
      else await ov.unlink(op.path);
      await window.ack(i);
    }
  },
  async inspect(name) {
    let ov: Overlay;
    try {
      ov = await open(name);
    } catch (error) {
      // Detected: the database is gone or older than its commit mark, and nothing was opened.
      if (!isStoreLoss(error)) throw error;
      const loss = (error as { cause: StoreLossError }).cause.kind;
      return { files: {}, problems: [], databases: await databases(), loss };
    }
    const files: Record<string, string> = {};
    for (const entry of await ov.readdir('/')) files[`/${entry}`] = await ov.readFile(`/${entry}`, 'utf8');
    const { problems } = await ov.fsck();
    await ov.close();
    // For a failure's message: whether the workspace's database is there at all.
    return { files, problems: problems.map((p) => `${p.kind}: ${p.message}`), databases: await databases() };
  },
  runInWorker(kind, name, from) {
    return inWorker({ type: 'run', kind, name, from }, (i) => window.ack(i)) as Promise<never>;
  },
  inspectInWorker(kind, name) {
    return inWorker({ type: 'inspect', kind, name });
  },
  async scratch(name, count) {
    const ov = await open(name);
    for (let i = 0; i < count; i++) await ov.writeFile(`/s${i}`, `scratch ${i}`);
    await ov.close();
  },
};
document.title = 'ready';
