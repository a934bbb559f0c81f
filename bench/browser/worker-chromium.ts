/**
 * Page module of the `worker-chromium` suite (bench/suites/worker-chromium.ts): an
 * overlay in a module Web Worker behind `createOverlayWorker`, measured from the page.
 * Every figure is taken here, side by side with its baseline (`interleave`), and on
 * the same worker (worker-server.ts), so both cross the same port between the same
 * two threads.
 */
import type { Tree } from '@vellum/core';
import { createOverlayWorker, type OverlayClient } from '@vellum/worker';
import { type Remote, releaseProxy, wrap } from 'comlink';
import { interleave, type SideTiming, timeOnce } from './timing.js';

const MiB = 1024 * 1024;
export const BIG = 64 * MiB;
export const FILES = 10_000;

interface Bench {
  readonly fs: OverlayClient;
  readonly worker: Worker;
  /** A bare Comlink proxy of the same worker: `noop` is the server's empty function. */
  readonly comlink: Remote<{ noop(): void }>;
  readonly paths: readonly string[];
  /** Resolves the pending baseline message (echo or in-worker read) when its answer comes. */
  answered?: (data: unknown) => void;
}

let bench: Bench | undefined;

function need(): Bench {
  if (bench === undefined) throw new Error('setup() first');
  return bench;
}

/** 10,000 files in 100 directories of 100 under /tree, and /big.bin (64 MiB, byte i = i & 0xff). */
function tree(): { tree: Tree; paths: string[] } {
  const dirs: Record<string, Record<string, string>> = {};
  const paths: string[] = [];
  for (let d = 0; d < FILES / 100; d++) {
    const dir: Record<string, string> = {};
    for (let f = 0; f < 100; f++) {
      dir[`f${f}.txt`] = `file ${d}/${f}`;
      paths.push(`/tree/d${d}/f${f}.txt`);
    }
    dirs[`d${d}`] = dir;
  }
  const big = new Uint8Array(BIG);
  for (let i = 0; i < BIG; i++) big[i] = i & 0xff;
  return { tree: { tree: dirs, 'big.bin': big }, paths };
}

/** Starts the worker, builds the overlay in it and checks what the figures rely on. */
export async function setup(): Promise<{ entries: number }> {
  const { tree: t, paths } = tree();
  const worker = new Worker(new URL('./worker-server.ts', import.meta.url), { type: 'module' });
  const fs = await createOverlayWorker({
    lowers: [{ type: 'memory', tree: t }],
    upper: { type: 'memory' },
    worker,
  });
  const b: Bench = { fs, worker, comlink: wrap(worker), paths };
  worker.addEventListener('message', (event) => {
    const data: unknown = event.data;
    if (typeof data === 'number' || (typeof data === 'object' && data !== null && 'inWorkerRead' in data))
      b.answered?.(data);
  });
  bench = b;
  if ((await fs.stat(paths[0] as string)).size !== 'file 0/0'.length) throw new Error('stat: wrong size');
  if ((await echo(b, 7)) !== 7) throw new Error('echo: wrong answer');
  await b.comlink.noop();
  const entries = (await fs.walk('/tree')).length;
  if (entries !== FILES + FILES / 100) throw new Error(`walk: ${entries} entries`);
  return { entries };
}

function echo(b: Bench, i: number): Promise<unknown> {
  return new Promise((resolve) => {
    b.answered = resolve;
    b.worker.postMessage(i);
  });
}

/** `stat` through the client, a bare Comlink call and a bare postMessage echo, interleaved. */
export async function statRoundTrip(): Promise<Record<string, SideTiming>> {
  const b = need();
  const { fs, paths, comlink } = b;
  return interleave(
    [
      ['stat', (i) => fs.stat(paths[i % paths.length] as string)],
      ['comlink', () => comlink.noop()],
      ['echo', (i) => echo(b, i)],
    ],
    { warmupMs: 300, rounds: 31, batchMs: 20 },
  );
}

/** `walk('/tree')` (one crossing) against 10,000 single `stat` calls, interleaved. */
export async function walkVsStats(): Promise<Record<string, SideTiming>> {
  const { fs, paths } = need();
  return interleave(
    [
      ['walk', () => fs.walk('/tree')],
      [
        'stats',
        async () => {
          for (const p of paths) await fs.stat(p);
        },
      ],
    ],
    { warmupMs: 300, rounds: 7, batchMs: 50 },
  );
}

/**
 * A pause before each timed read, on both sides alike: the previous read left 64 MiB of
 * garbage (in the page or in the worker), and collecting it would otherwise be charged
 * to whichever read came next.
 */
const idle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * `readFile('/big.bin')` through the client (timed here: call, read, transfer, result)
 * against the same engine read on the served overlay inside the worker (timed there),
 * alternating, `reads` times each; ms per read, sorted.
 */
export async function readVsInWorker(reads = 7): Promise<{ client: number[]; inWorker: number[] }> {
  const b = need();
  const client: number[] = [];
  const inWorker: number[] = [];
  const through = async (): Promise<number> => {
    await idle();
    const { ms, result } = await timeOnce(() => b.fs.readFile('/big.bin'));
    if (result.length !== BIG || result[BIG - 1] !== (BIG - 1) % 256) throw new Error('read: wrong bytes');
    return ms;
  };
  const here = async (): Promise<number> => {
    await idle();
    const answer = (await new Promise<unknown>((resolve) => {
      b.answered = resolve;
      b.worker.postMessage({ inWorkerRead: '/big.bin' });
    })) as { inWorkerRead: number; bytes: number; last: number };
    if (answer.bytes !== BIG || answer.last !== (BIG - 1) % 256)
      throw new Error('in-worker read: wrong bytes');
    return answer.inWorkerRead;
  };
  await through();
  await here(); // warm-up of both
  for (let r = 0; r < reads; r++) {
    // Alternating which goes first, so neither always follows the other's garbage.
    if (r % 2 === 0) {
      client.push(await through());
      inWorker.push(await here());
    } else {
      inWorker.push(await here());
      client.push(await through());
    }
  }
  return { client, inWorker };
}

export async function teardown(): Promise<void> {
  const b = bench;
  bench = undefined;
  if (b === undefined) return;
  b.comlink[releaseProxy]();
  await b.fs.close();
}
