#!/usr/bin/env node
// Finds a Chromium for Vitest's browser project, the way a user's machine has one.
//
// Order: an explicit env var (VELLUM_CHROMIUM, CHROME_PATH, PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH),
// Playwright's own browser cache, then the usual system paths. If none is there and we are root on
// Debian/Ubuntu, `apt-get install -y chromium` provides one. Otherwise it fails, saying how to
// provide a browser.
//
// As a CLI: `node scripts/find-browser.mjs` prints the path (installing if needed);
// `--no-install` only looks.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Flags Chromium needs here: no sandbox as root, and nothing that phones home on a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const BROWSER_ENV_VARS = ['VELLUM_CHROMIUM', 'CHROME_PATH', 'PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH'];

export const SYSTEM_BROWSER_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** @param {string} file */
function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @returns {Promise<string | undefined>} */
async function playwrightCachedChromium() {
  try {
    const { chromium } = await import('playwright');
    const path = chromium.executablePath();
    return path && isExecutable(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Looks for a browser without installing anything.
 * Throws if an env var names a browser that is not there (a typo should not silently fall back).
 * @returns {Promise<{ path: string, source: string } | undefined>}
 */
export async function locateBrowser() {
  for (const name of BROWSER_ENV_VARS) {
    const value = process.env[name];
    if (!value) continue;
    if (!isExecutable(value)) {
      throw new Error(`${name}=${value} but no executable browser is there; fix or unset ${name}.`);
    }
    return { path: value, source: `env ${name}` };
  }
  const cached = await playwrightCachedChromium();
  if (cached) return { path: cached, source: "Playwright's browser cache" };
  for (const path of SYSTEM_BROWSER_PATHS) {
    if (isExecutable(path)) return { path, source: 'system path' };
  }
  return undefined;
}

/** True when we may install Debian packages ourselves: root on Debian or Ubuntu with apt-get. */
export function canAptInstall() {
  return (
    process.platform === 'linux' &&
    existsSync('/etc/debian_version') &&
    typeof process.getuid === 'function' &&
    process.getuid() === 0 &&
    existsSync('/usr/bin/apt-get')
  );
}

let aptUpdated = false;

/**
 * Installs Debian packages with apt-get (running `apt-get update` once per process first).
 * @param {string[]} packages
 * @param {string} why printed before installing
 */
export function aptInstall(packages, why) {
  console.error(`[vellum] ${why}`);
  console.error(`[vellum] installing with apt-get: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    if (update.status !== 0) throw new Error(`apt-get update failed (exit ${update.status})`);
    aptUpdated = true;
  }
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
  if (install.status !== 0) {
    throw new Error(`apt-get install ${packages.join(' ')} failed (exit ${install.status})`);
  }
}

const HOW_TO_PROVIDE = [
  'No Chromium or Chrome was found for the browser tests. Provide one of:',
  '  - set VELLUM_CHROMIUM (or CHROME_PATH) to a Chromium/Chrome executable;',
  '  - npx playwright install chromium   (Playwright downloads its own build);',
  '  - install it system-wide, e.g. `sudo apt-get install chromium` on Debian/Ubuntu,',
  '    `brew install --cask google-chrome` on macOS.',
].join('\n');

/**
 * Returns the path of a Chromium to drive, installing Debian's when allowed and nothing else is found.
 * @param {{ install?: boolean }} [options]
 * @returns {Promise<string>}
 */
export async function findBrowser({ install = true } = {}) {
  const found = await locateBrowser();
  if (found) return found.path;
  if (install && canAptInstall()) {
    aptInstall(
      ['chromium'],
      'No Chromium found (env, Playwright cache, system paths); installing Debian chromium.',
    );
    if (isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
    throw new Error('apt-get installed chromium but /usr/bin/chromium is not there.');
  }
  throw new Error(HOW_TO_PROVIDE);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const path = await findBrowser({ install: !process.argv.includes('--no-install') });
    console.log(path);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
