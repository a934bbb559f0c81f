#!/usr/bin/env node
// The whole check, failing fast: lint/format (Biome), typecheck (tsc), the API reference (TypeDoc:
// every public export documented, warnings are errors), system tools and a browser,
// the packages' builds (the wasm core, every dist/), then every Vitest project (node and browser). Extra arguments go to `vitest run`,

// e.g. `pnpm test --project node`.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTools } from './ensure-tools.mjs';
import { findBrowser } from './find-browser.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** @param {string} name */
function bin(name) {
  const local = join(root, 'node_modules', '.bin', name);
  return existsSync(local) ? local : name;
}

/**
 * @param {string} title
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
function step(title, command, args, env = process.env) {
  console.log(`\n[vellum] ${title}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(bin(command), args, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`[vellum] ${title} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}

step('lint and format', 'biome', ['check', '.']);
step('typecheck', 'tsc', ['-p', 'tsconfig.json', '--noEmit']);
step('API reference', 'typedoc', []);

console.log('\n[vellum] system tools and browser');
ensureTools();
let browser;
try {
  browser = await findBrowser();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
console.log(`[vellum] VELLUM_CHROMIUM=${browser}`);

// The packages' builds (not committed): the wasm core from its AssemblyScript sources (tests load
// it), and every package's dist/ (the CLI's bin, the IDE's layers and e2e/consumer.test.ts use them).
step('build packages', process.execPath, ['scripts/build-packages.mjs']);

const extra = process.argv.slice(2);
const ownReporter = extra.some((arg) => arg.startsWith('--reporter'));
const outDir = mkdtempSync(join(tmpdir(), 'vellum-test-'));
const jsonFile = join(outDir, 'vitest.json');
const reporterArgs = ownReporter
  ? []
  : ['--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`];
const env = { ...process.env, VELLUM_CHROMIUM: browser };

console.log(`\n[vellum] tests: vitest run ${extra.join(' ')}`);
const run = spawnSync(bin('vitest'), ['run', ...reporterArgs, ...extra], {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (run.error) throw run.error;

// One plain closing line, whatever the runner printed above.
if (existsSync(jsonFile)) {
  const summary = JSON.parse(readFileSync(jsonFile, 'utf8'));
  const skipped = (summary.numPendingTests ?? 0) + (summary.numTodoTests ?? 0);
  console.log(
    `\nvitest: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`,
  );
}
rmSync(outDir, { recursive: true, force: true });
process.exit(run.status ?? 1);
