/**
 * Entry point of `pnpm bench`: runs every registered suite and writes RESULTS.md and
 * results.json next to this file.
 *
 * Usage: `tsx run.ts [suite-name ...] [--write]`. With suite names only those run and,
 * unless `--write` is given, no report files are written, so a partial run never
 * overwrites the committed full results.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, registeredSuites, type SuiteResult } from './lib/harness.js';
import { machineInfo, mergeRuns, readStoredRun, writeReports } from './lib/report.js';
import './suites/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const forceWrite = args.includes('--write');
const only = args.filter((a) => !a.startsWith('--'));

const all = registeredSuites();
const unknown = only.filter((name) => !all.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = only.length > 0 ? all.filter((s) => only.includes(s.name)) : all;

const machine = machineInfo(here);
console.log(`Vellum bench — ${machine.cpu}, ${machine.logicalCores} cores, Node ${machine.node}`);
const started = performance.now();
const results: SuiteResult[] = [];
for (const suite of selected) {
  console.log(`\n▶ ${suite.name}`);
  try {
    results.push(await suite.run());
  } catch (error) {
    // runSuite already contains setup and cell failures; this only catches harness bugs,
    // which still must not stop the remaining suites.
    results.push({
      name: suite.name,
      title: suite.name,
      description: '',
      status: 'failed',
      error: describeError(error),
      rows: [],
      notes: [],
      durationMs: 0,
    });
  }
  const last = results[results.length - 1];
  console.log(`◀ ${suite.name}: ${last?.status}${last?.error ? ` — ${last.error}` : ''}`);
}
const totalMs = performance.now() - started;

if (only.length === 0 || forceWrite) {
  // A filtered run replaces only its own suites in the reports; the others are kept as they were.
  const suites =
    only.length === 0
      ? results
      : mergeRuns(
          readStoredRun(here),
          results,
          all.map((s) => s.name),
        );
  writeReports(here, machine, suites, totalMs);
  console.log(`\nWrote ${here}/RESULTS.md and results.json (${(totalMs / 1000).toFixed(1)} s).`);
} else {
  console.log(
    `\nFiltered run (${(totalMs / 1000).toFixed(1)} s): reports not written; add --write to write them.`,
  );
}
// A failed suite is reported, not fatal: the exit code says whether everything ran clean.
process.exitCode = results.every((r) => r.status === 'ok') ? 0 : 1;
