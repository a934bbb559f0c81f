/** Merging a filtered run into the committed reports. */
import { expect, test } from 'vitest';
import type { SuiteResult } from './harness.js';
import { type MachineInfo, mergeRuns, renderMarkdown, type StoredRun } from './report.js';

const machine = (date: string): MachineInfo => ({
  cpu: 'cpu',
  logicalCores: 2,
  memoryGiB: 4,
  node: 'v20',
  os: 'linux',
  date,
  commit: date === 'old' ? 'aaaa' : 'bbbb',
  loadAverage: [1, 2, 3],
});
const suite = (name: string, figure: string): SuiteResult => ({
  name,
  title: name,
  description: '',
  status: 'ok',
  rows: [{ figure, unit: 'count', vellum: { ok: true, value: 1 }, peer: null, ratio: null }],
  notes: [],
  durationMs: 1,
});

test('a filtered run replaces its own suites, keeps the others with their machine, in registry order', () => {
  const previous: StoredRun = {
    machine: machine('old'),
    totalMs: 5,
    suites: [suite('a', 'a-old'), suite('b', 'b-old'), suite('gone', 'g')],
  };
  const merged = mergeRuns(previous, [suite('b', 'b-new'), suite('c', 'c-new')], ['c', 'a', 'b']);
  expect(merged.map((s) => [s.name, s.rows[0]?.figure, s.machine?.date])).toEqual([
    ['c', 'c-new', undefined],
    ['a', 'a-old', 'old'],
    ['b', 'b-new', undefined],
    ['gone', 'g', 'old'],
  ]);
  const md = renderMarkdown(machine('new'), merged, 1);
  expect(md).toMatch(/## a \(`a`\)\n+_Kept from an earlier run: old, commit aaaa/);
  expect(md).toMatch(/This run measured `c`, `b` only/);
  expect(md).not.toMatch(/## b \(`b`\)\n+_Kept/);
});

test('without earlier results the run is the report', () => {
  expect(mergeRuns(undefined, [suite('a', 'x')], ['a']).map((s) => s.name)).toEqual(['a']);
});
