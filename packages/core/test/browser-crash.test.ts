/**
 * Nothing acknowledged is lost when the whole browser dies: Chromium (started
 * here, with a user data directory of its own, driven over the DevTools
 * protocol) runs the crash page (crash/page.ts: writes, renames and deletes on
 * an IndexedDBUpper as fast as it can, reporting each acknowledged operation);
 * the test SIGKILLs Chromium's whole process group at a random moment,
 * relaunches it on the same user data directory, and checks that the
 * workspace holds every acknowledged operation (and at most the one in flight
 * besides), nothing half-applied, and fsck is clean. Then it carries on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../../scripts/find-browser.mjs';
import { filesAfter } from './crash/ops.js';
import { chromiumPath, type PageServer, servePages } from './pages.js';

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

async function kill({ child, browser }: Launched): Promise<void> {
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-(child.pid as number), 'SIGKILL');
  await gone;
  // The DevTools connection dies with it; closing our end only tidies up.
  await browser.close().catch(() => {});
}

async function newPage(browser: Browser, acks: number[]): Promise<Page> {
  const context = browser.contexts()[0];
  if (!context) throw new Error('the launched Chromium has no default context');
  const page = await context.newPage();
  await page.exposeFunction('ack', (i: number) => {
    acks.push(i);
  });
  await page.goto(url);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 30_000 });
  return page;
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
            `databases: ${JSON.stringify(databases)}; Chromium on storage: ${JSON.stringify(storageLog.slice(-20))}`,
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
