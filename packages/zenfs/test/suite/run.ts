/**
 * Runs ZenFS's own suite (`@zenfs/core/tests/fs/*.test.ts`) against a setup file with
 * `node --test` through tsx (what ZenFS's `zenfs-test` CLI does, which needs Node 22), and
 * returns every test's outcome. Files with a skipped test run in a process of their own.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCE_NODE_FLAG } from '../../../../scripts/source-condition.mjs';
import { zenfsTests } from './data-layer.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..', '..');

export interface SuiteSkip {
  /** The test file's name, e.g. `times.test.ts`. */
  file: string;
  /** The test's own name (not its suite's). */
  name: string;
  reason: string;
}

export interface TestOutcome {
  file: string;
  /** Suite names and the test's, joined by ' > '. */
  name: string;
  suite: boolean;
  status: 'pass' | 'fail' | 'skip' | 'todo';
  reason?: string;
  error?: string;
}

export interface SuiteRun {
  outcomes: TestOutcome[];
  /** Files whose process failed without reporting (a crash in the setup, say): file → stderr. */
  crashed: Map<string, string>;
  ms: number;
}

/** ZenFS's test files, by name (`append.test.ts`, …). */
export function suiteFiles(): string[] {
  return readdirSync(join(zenfsTests, 'fs'))
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

/** One `node --test` process over `files`; a string when it reported nothing (its stderr). */
function runFiles(
  setup: string,
  files: readonly string[],
  skips: readonly SuiteSkip[],
): Promise<TestOutcome[] | string> {
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const args = [
    '--test',
    `--test-reporter=${join(here, 'reporter.mjs')}`,
    ...files.map((file) => join(zenfsTests, 'fs', file)),
  ];
  const env = {
    ...process.env,
    SETUP: setup,
    VELLUM_ZENFS_SKIP: JSON.stringify(skips),
    VELLUM_ZENFS_ALONE: files.length === 1 ? '1' : '',
    NODE_OPTIONS: [process.env.NODE_OPTIONS, SOURCE_NODE_FLAG, `--import=${join(here, 'skip.mjs')}`]
      .filter(Boolean)
      .join(' '),
    // ZenFS's logs.js prints nothing below this level.
    ZENFS_LOG_LEVEL: 'error',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, args, { cwd: zenfsTests, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', () => {
      const outcomes = out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as TestOutcome)
        // A lone file's tests are its own, whatever file node:test saw declare them.
        .map((o) => (files.length === 1 ? { ...o, file: files[0] as string } : o));
      resolve(outcomes.length > 0 ? outcomes : err || out || 'no output');
    });
  });
}

/** Every file of the suite (or `files`) against `setup`. */
export async function runZenfsSuite(
  setup: string,
  options: { files?: readonly string[]; skips?: readonly SuiteSkip[] } = {},
): Promise<SuiteRun> {
  const start = performance.now();
  const skips = options.skips ?? [];
  const files = options.files ?? suiteFiles();
  const alone = files.filter((f) => skips.some((s) => s.file === f));
  const groups = [files.filter((f) => !alone.includes(f)), ...alone.map((f) => [f])].filter((g) => g.length);
  const outcomes: TestOutcome[] = [];
  const crashed = new Map<string, string>();
  await Promise.all(
    groups.map(async (group) => {
      const result = await runFiles(setup, group, skips);
      if (typeof result === 'string') crashed.set(group.join(', '), result);
      else outcomes.push(...result);
    }),
  );
  return { outcomes, crashed, ms: performance.now() - start };
}

/** `pass/fail/skip/todo` counts of the tests (suites not counted). */
export function counts(run: SuiteRun): Record<TestOutcome['status'], number> {
  const c = { pass: 0, fail: 0, skip: 0, todo: 0 };
  for (const o of run.outcomes) if (!o.suite) c[o.status]++;
  return c;
}
