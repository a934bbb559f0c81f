/**
 * A whole Chromium of the test's own, to SIGKILL: launched on a user data directory that
 * survives it, driven over the DevTools protocol (browser-crash.test.ts, browser-canary.test.ts).
 * Nothing here touches the browser's files between a kill and the relaunch.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright';
import { CHROMIUM_ARGS } from '../../../../scripts/find-browser.mjs';
import { openCrashPage } from '../pages.js';

/** A launched Chromium: its process (group leader) and the DevTools connection. */
export interface Launched {
  child: ChildProcess;
  browser: Browser;
}

/** Launches Chromium on `profile`; lines of its stderr about storage go to `storageLog`. */
export async function launch(
  executablePath: string,
  profile: string,
  storageLog: string[],
): Promise<Launched> {
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

/** SIGKILLs the whole process group and waits until none of it runs (its files are let go). */
export async function kill({ child, browser }: Launched): Promise<void> {
  const pgid = child.pid as number;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-pgid, 'SIGKILL');
  await gone;
  // The browser process is gone; its storage process may still be finishing a write (a SIGKILL
  // lands when the call returns).
  const until = Date.now() + 10_000;
  while (await groupRunning(pgid)) {
    if (Date.now() > until) throw new Error(`Chromium's processes (group ${pgid}) outlived SIGKILL by 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // The DevTools connection dies with it; closing our end only tidies up.
  await browser.close().catch(() => {});
}

/** The crash page in the launched browser's default context. */
export async function newPage(browser: Browser, url: string, acks: number[]): Promise<Page> {
  const context = browser.contexts()[0];
  if (!context) throw new Error('the launched Chromium has no default context');
  return openCrashPage(context, url, acks);
}
