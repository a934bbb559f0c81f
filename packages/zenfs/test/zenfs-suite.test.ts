/**
 * ZenFS's own test suite against Vellum: memory layers, a zip lower, an IndexedDB upper (fake-indexeddb).
 * Every skip must be listed in the package README with its reason; every failure must be one of
 * Node 20's own, shown to fail the same way on ZenFS's InMemory.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { zenfsTests } from './suite/data-layer.js';
import { IDB_EXCLUDED_FILES, IDB_SKIPS, NODE20_ERRORS, SKIPS } from './suite/expectations.js';
import { counts, runZenfsSuite, type SuiteRun, suiteFiles, type TestOutcome } from './suite/run.js';

const here = dirname(fileURLToPath(import.meta.url));
// Table cells compared with their padding collapsed (the formatter aligns the columns).
const readme = readFileSync(join(here, '..', 'README.md'), 'utf8').replace(/ +/g, ' ');
const failed = (run: SuiteRun): TestOutcome[] => run.outcomes.filter((o) => o.status === 'fail');

// The setups at once (separate processes): the suite's wall time is about the slowest one's.
const runs = Promise.all([
  runZenfsSuite(join(here, 'suite', 'setup-memory.ts'), { skips: SKIPS }),
  runZenfsSuite(join(here, 'suite', 'setup-zip.ts'), { skips: SKIPS }),
  runZenfsSuite(join(here, 'suite', 'setup-idb.ts'), {
    skips: IDB_SKIPS,
    files: suiteFiles().filter((f) => !IDB_EXCLUDED_FILES.includes(f)),
  }),
]);

/** ZenFS's InMemory (its own setup) over the files where Vellum failed. */
async function baseline(files: string[]): Promise<SuiteRun> {
  return runZenfsSuite(join(zenfsTests, 'setup', 'memory.ts'), { files });
}

function checkRun(name: string, run: SuiteRun, inMemory: SuiteRun): void {
  const c = counts(run);
  console.log(
    `[zenfs suite: ${name}] ${c.pass} passed, ${c.fail} failed (Node 20's own), ${c.skip} skipped, ${c.todo} todo in ${(run.ms / 1000).toFixed(1)} s`,
  );
  expect(run.crashed).toEqual(new Map());
  // Most of what ran passed (not an empty run that checks nothing).
  expect(c.pass).toBeGreaterThan((c.pass + c.fail + c.skip) / 2);
  for (const outcome of failed(run)) {
    const known = NODE20_ERRORS.some((k) => k.file === outcome.file && k.error.test(outcome.error ?? ''));
    expect(known, `${outcome.file}: ${outcome.name}: ${outcome.error}`).toBe(true);
    const there = inMemory.outcomes.find((o) => o.file === outcome.file && o.name === outcome.name);
    expect(there?.status, `${outcome.name} on InMemory`).toBe('fail');
    expect(there?.error).toBe(outcome.error);
  }
  for (const outcome of run.outcomes.filter((o) => o.status === 'skip')) {
    expect(readme, `README lists the skip of ${outcome.file}: ${outcome.name}`).toContain(
      `| ${outcome.file} | ${outcome.name} |`.replace(/ +/g, ' '),
    );
  }
}

describe("ZenFS's own test suite", () => {
  test('memory layers, a zip lower, an IndexedDB upper: passes, with its skips listed and Node 20 failures shared by InMemory', async () => {
    const [memory, zip, idb] = await runs;
    const files = [...new Set([...failed(memory), ...failed(zip), ...failed(idb)].map((o) => o.file))];
    const inMemory = await baseline(files);
    checkRun('memory', memory, inMemory);
    checkRun('zip', zip, inMemory);
    checkRun('idb', idb, inMemory);
    for (const file of IDB_EXCLUDED_FILES) expect(readme).toContain(`\`${file}\``);
  });
});
