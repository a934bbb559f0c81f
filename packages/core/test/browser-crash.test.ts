/**
 * Nothing acknowledged is lost when the whole browser dies: Chromium (started
 * here, with a user data directory of its own, driven over the DevTools
 * protocol) runs the crash page (crash/page.ts: writes, renames and deletes on
 * an IndexedDBUpper as fast as it can, reporting each acknowledged operation);
 * the test SIGKILLs Chromium's whole process group at a random moment,
 * relaunches it on the same user data directory, and checks that the
 * workspace holds every acknowledged operation (and at most the one in flight
 * besides), nothing half-applied, and fsck is clean. Then it carries on.
 *
 * Between a kill and the relaunch, torn records at the end of Chromium's
 * LevelDB logs are cut off (crash/leveldb-tail.ts): Chromium would append
 * after them and, at the open after that, delete the origin's IndexedDB as
 * corrupt — a Chromium fault no upper can prevent, which cost one run all 230
 * acknowledged operations. Recovery drops those bytes anyway, so what each
 * relaunch reads is unchanged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../../scripts/find-browser.mjs';
import { tornTailAt, trimTornTails } from './crash/leveldb-tail.js';
import { filesAfter } from './crash/ops.js';
import { chromiumPath, openCrashPage, type PageServer, servePages } from './pages.js';

const CRASHES = Number(process.env.VELLUM_BROWSER_CRASHES ?? 5);

let server: PageServer;
let url: string;
let executablePath: string;
let profile: string;

beforeAll(async () => {
  server = await servePages('crash');
  url = server.url;
  executablePath = await chromiumPath();
  profile = await mkdtemp(join(tmpdir(), 'vellum-browser-crash-'));
});

afterAll(async () => {
  await server?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** A Chromium of our own (so we can kill it), on the test's user data directory. */
interface Launched {
  child: ChildProcess;
  browser: Browser;
}

/** Chromium's stderr lines about storage, over every launch of the test. */
const storageLog: string[] = [];

async function launch(): Promise<Launched> {
  const child = spawn(
    executablePath,
    [
      ...CHROMIUM_ARGS,
      '--headless=new',
      '--no-first-run',
      '--no-default-browser-check',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // Its own process group: the kill takes the browser and every child process at once.
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${seen}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      // Chromium's own word on its storage (a corrupt backing store is deleted at open), for a failure's message.
      for (const line of chunk.toString().split('\n'))
        if (/indexed|leveldb|corrupt|backing/i.test(line)) storageLog.push(line.slice(0, 300));
      const m = seen.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`Chromium exited (${code}): ${seen}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return { child, browser };
}

/**
 * Whether a process of group `pgid` is still running (a zombie has let go of its files and locks).
 * Read from /proc (Linux, where CI runs); without it, false: the browser process's exit is all we know.
 */
async function groupRunning(pgid: number): Promise<boolean> {
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after its last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/** Torn LevelDB records cut off after kills (see the top of this file), for a failure's message. */
let trimmed = 0;

async function kill({ child, browser }: Launched): Promise<void> {
  const pgid = child.pid as number;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-pgid, 'SIGKILL');
  await gone;
  // The browser process is gone; its storage process may still be finishing a write (a SIGKILL
  // lands when the call returns). Its files are only read once no process of the group runs.
  const until = Date.now() + 10_000;
  while (await groupRunning(pgid)) {
    if (Date.now() > until) throw new Error(`Chromium's processes (group ${pgid}) outlived SIGKILL by 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  trimmed += await trimTornTails(join(profile, 'Default', 'IndexedDB'));
  // The DevTools connection dies with it; closing our end only tidies up.
  await browser.close().catch(() => {});
}

async function newPage(browser: Browser, acks: number[]): Promise<Page> {
  const context = browser.contexts()[0];
  if (!context) throw new Error('the launched Chromium has no default context');
  return openCrashPage(context, url, acks);
}

describe('killing the whole browser mid-write', () => {
  it(`keeps every acknowledged operation (${CRASHES} SIGKILLs of Chromium, relaunched on the same profile)`, async () => {
    const name = `browser-crash-${Date.now()}`;
    let done = 0; // operations stored so far
    let acked = 0; // operations acknowledged so far
    for (let crash = 0; crash <= CRASHES; crash++) {
      const acks: number[] = [];
      const launched = await launch();
      try {
        const page = await newPage(launched.browser, acks);
        const { files, problems, databases } = await page.evaluate((n) => window.crashPage.inspect(n), name);
        expect(problems).toEqual([]);
        // Every acknowledged operation, plus at most the one whose commit landed before its ack.
        const stored = [acked, acked + 1].find(
          (n) => JSON.stringify(files) === JSON.stringify(filesAfter(n)),
        );
        expect(
          stored,
          `after ${acked} acknowledged operations (launch ${crash}) the workspace holds ${JSON.stringify(files)}; ` +
            `databases: ${JSON.stringify(databases)}; torn LevelDB tails cut so far: ${trimmed}; ` +
            `Chromium on storage: ${JSON.stringify(storageLog.slice(-20))}`,
        ).toBeDefined();
        done = stored as number;
        if (crash === CRASHES) break;
        void page
          .evaluate(([n, from]) => window.crashPage.run(n, from), [name, done] as const)
          .catch(() => {});
        // Let it run a while, at least until some operations are acknowledged.
        const until = Date.now() + 100 + Math.random() * 400;
        while (Date.now() < until || acks.length === 0)
          await new Promise((resolve) => setTimeout(resolve, 10));
      } finally {
        await kill(launched);
      }
      acked = acks.length === 0 ? done : (acks[acks.length - 1] as number) + 1;
    }
    expect(done).toBeGreaterThan(CRASHES);
  }, 180_000);
});

/**
 * A LevelDB log as its writer lays it out: each record in fragments that fill
 * 32 KiB blocks (FULL, or FIRST … MIDDLE … LAST), a block's last < 7 bytes
 * zero. Checksums are left zero: tornTailAt reads only lengths and types.
 */
function leveldbLog(payloads: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (const size of payloads) {
    let left = size;
    let first = true;
    do {
      const room = 32 * 1024 - (out.length % (32 * 1024));
      if (room < 7) {
        out.push(...new Array<number>(room).fill(0));
        continue;
      }
      const n = Math.min(left, room - 7);
      const last = n === left;
      const type = first && last ? 1 : first ? 2 : last ? 4 : 3;
      out.push(0, 0, 0, 0, n & 0xff, n >> 8, type, ...new Array<number>(n).fill(0xab));
      left -= n;
      first = false;
    } while (left > 0);
  }
  return Uint8Array.from(out);
}

describe('tornTailAt (the cut made between a kill and the relaunch)', () => {
  // Small records, one that fills a block to 3 bytes short of its end (a trailer), and
  // one spread over three blocks.
  const sizes = [440, 2581, 32 * 1024 - 447 - 2588 - 7 - 3, 70_000, 12];
  const whole = leveldbLog(sizes);
  const before = leveldbLog(sizes.slice(0, -1)).length;

  it('leaves a log that ends with a complete record alone', () => {
    expect(tornTailAt(whole)).toBeUndefined();
    expect(tornTailAt(leveldbLog(sizes.slice(0, 3)))).toBeUndefined();
    expect(tornTailAt(new Uint8Array(0))).toBeUndefined();
  });

  it('cuts a header without its payload, a short payload, and a partial header', () => {
    expect(tornTailAt(whole.slice(0, before + 7))).toBe(before);
    expect(tornTailAt(whole.slice(0, whole.length - 1))).toBe(before);
    expect(tornTailAt(whole.slice(0, before + 3))).toBe(before);
  });

  it('cuts a fragmented record whose last fragment is missing', () => {
    // The 70,000-byte record: FIRST fills block 1, MIDDLE block 2, LAST starts block 3.
    const three = leveldbLog(sizes.slice(0, 3)).length;
    expect(three).toBe(32 * 1024 - 3);
    expect(tornTailAt(whole.slice(0, 2 * 32 * 1024))).toBe(three);
    expect(tornTailAt(whole.slice(0, 3 * 32 * 1024))).toBe(three);
    expect(tornTailAt(whole.slice(0, 3 * 32 * 1024 + 7))).toBe(three);
  });

  it('leaves a log that is not well formed before its end as it is', () => {
    const garbled = whole.slice();
    garbled[6] = 9; // the first record's type
    expect(tornTailAt(garbled.slice(0, before + 7))).toBeUndefined();
  });
});
