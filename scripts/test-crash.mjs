#!/usr/bin/env node
/**
 * `pnpm test:crash [--kills N]`: the whole-browser SIGKILL loops of
 * packages/core/test/browser-crash.test.ts (IndexedDB, OPFS and mirrored uppers) with N kills
 * per upper (default 200; `pnpm test` runs 10). Each loop prints its figures (kills,
 * acknowledged, lost, detected, recovered) for the record. Not part of CI: it takes a while.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '200' } } });
const kills = Number(values.kills);
if (!Number.isInteger(kills) || kills < 1) {
  console.error(`test:crash: --kills wants a whole number of kills per upper, got '${values.kills}'`);
  process.exit(2);
}
const run = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--project',
    'node',
    'packages/core/test/browser-crash.test.ts',
    '-t',
    'killing the whole browser',
  ],
  { stdio: 'inherit', env: { ...process.env, VELLUM_BROWSER_CRASHES: String(kills) } },
);
process.exit(run.status ?? 1);
