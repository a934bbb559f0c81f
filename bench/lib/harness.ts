/**
 * The suite registry and runner.
 *
 * A suite is `{ name, setup, cases }`: `setup` builds whatever both sides need once, each
 * case yields one table row (a figure measured for Vellum and for the peer). Failures are
 * contained at the smallest useful scope so one broken piece never hides the others:
 * a throwing cell becomes an error cell, a throwing `setup` fails only its suite.
 */
import type { Timing } from './timing.js';

/** What a figure counts; decides formatting and the meaning of the ratio. */
export type Unit = 'ns/op' | 'bytes' | 'count' | 'ms' | 'x';

/** A measured value, optionally with the timing behind it (kept in results.json). */
export interface Measured {
  readonly value: number;
  readonly timing?: Timing;
  /** Short qualifier shown next to the value, e.g. which call was timed. */
  readonly detail?: string;
}

export type Cell =
  | { readonly ok: true; readonly value: number; readonly timing?: Timing; readonly detail?: string }
  | { readonly ok: false; readonly error: string };

export interface Row {
  readonly id?: string;
  readonly figure: string;
  readonly unit: Unit;
  readonly vellum: Cell | null;
  readonly peer: Cell | null;
  /** peer/Vellum: >1 means Vellum is faster (or stores less). Null when not comparable. */
  readonly ratio: number | null;
}

/** Lets a case read rows already measured in the same suite (for derived figures). */
export interface CaseContext {
  readonly rows: readonly Row[];
  /** The value of a side of an earlier row by id; throws that cell's error if it failed. */
  value(id: string, side: 'vellum' | 'peer'): number;
}

export interface Case<S> {
  /** Lets later cases refer to this row (see {@link CaseContext.value}). */
  readonly id?: string;
  readonly figure: string;
  readonly unit: Unit;
  readonly vellum?: (state: S, ctx: CaseContext) => Promise<Measured | number>;
  readonly peer?: (state: S, ctx: CaseContext) => Promise<Measured | number>;
  /** Derived figures (e.g. a scaling factor) carry values but no meaningful peer/Vellum ratio. */
  readonly ratio?: 'peer/vellum' | 'none';
}

/** Handed to `setup` and `notes` so suites can log progress and attach notes to the report. */
export interface SuiteContext {
  log(message: string): void;
  note(message: string): void;
}

export interface Suite<S> {
  /** Short id, used on the command line to pick suites. */
  readonly name: string;
  readonly title: string;
  /** One paragraph saying what is measured; goes under the suite's heading. */
  readonly description: string;
  setup(ctx: SuiteContext): Promise<S>;
  /** Cases run in order; a function so the list can depend on options (e.g. layer counts). */
  cases(state: S): readonly Case<S>[];
  /** Notes computed after all rows exist (e.g. whether a target was met). */
  notes?(state: S, rows: readonly Row[], ctx: SuiteContext): void;
  teardown?(state: S): Promise<void>;
}

export type SuiteStatus = 'ok' | 'partial' | 'failed';

export interface SuiteResult {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly status: SuiteStatus;
  /** Set when the suite as a whole failed (setup threw). */
  readonly error?: string;
  readonly rows: readonly Row[];
  readonly notes: readonly string[];
  readonly durationMs: number;
}

interface RegisteredSuite {
  readonly name: string;
  run(): Promise<SuiteResult>;
}

const registry: RegisteredSuite[] = [];

/**
 * Adds a suite to the run. The generic suite is closed over here rather than stored,
 * so the registry needs no existential type (and no `any`).
 */
export function registerSuite<S>(suite: Suite<S>): void {
  if (registry.some((s) => s.name === suite.name)) throw new Error(`duplicate suite name: ${suite.name}`);
  registry.push({ name: suite.name, run: () => runSuite(suite) });
}

export function registeredSuites(): readonly RegisteredSuite[] {
  return registry;
}

/** A message plus the top of the stack: enough to locate a failure without flooding the report. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const frames = (error.stack ?? '')
      .split('\n')
      .slice(1, 4)
      .map((l) => l.trim());
    return [`${error.name}: ${error.message}`, ...frames].join(' | ');
  }
  return String(error);
}

const toCell = (m: Measured | number): Cell =>
  typeof m === 'number'
    ? { ok: true, value: m }
    : {
        ok: true,
        value: m.value,
        ...(m.timing ? { timing: m.timing } : {}),
        ...(m.detail ? { detail: m.detail } : {}),
      };

async function runCell<S>(
  side: ((state: S, ctx: CaseContext) => Promise<Measured | number>) | undefined,
  state: S,
  ctx: CaseContext,
): Promise<Cell | null> {
  if (!side) return null;
  try {
    return toCell(await side(state, ctx));
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

async function runSuite<S>(suite: Suite<S>): Promise<SuiteResult> {
  const started = performance.now();
  const notes: string[] = [];
  const ctx: SuiteContext = {
    log: (message) => console.log(`  [${suite.name}] ${message}`),
    note: (message) => notes.push(message),
  };
  const base = { name: suite.name, title: suite.title, description: suite.description };
  let state: S;
  try {
    state = await suite.setup(ctx);
  } catch (error) {
    const message = describeError(error);
    console.error(`  [${suite.name}] setup failed: ${message}`);
    return {
      ...base,
      status: 'failed',
      error: message,
      rows: [],
      notes,
      durationMs: performance.now() - started,
    };
  }

  const rows: Row[] = [];
  const caseCtx: CaseContext = {
    rows,
    value(id, side) {
      const cell = rows.find((r) => r.id === id)?.[side];
      if (!cell) throw new Error(`no ${side} value for row ${id}`);
      if (!cell.ok) throw new Error(`row ${id} failed: ${cell.error}`);
      return cell.value;
    },
  };
  let cases: readonly Case<S>[] = [];
  try {
    cases = suite.cases(state);
  } catch (error) {
    const message = describeError(error);
    return {
      ...base,
      status: 'failed',
      error: message,
      rows,
      notes,
      durationMs: performance.now() - started,
    };
  }
  for (const c of cases) {
    const vellum = await runCell(c.vellum, state, caseCtx);
    const peer = await runCell(c.peer, state, caseCtx);
    const ratio =
      c.ratio !== 'none' && vellum?.ok && peer?.ok && vellum.value > 0 ? peer.value / vellum.value : null;
    const row: Row = { ...(c.id ? { id: c.id } : {}), figure: c.figure, unit: c.unit, vellum, peer, ratio };
    rows.push(row);
    ctx.log(
      `${c.figure}: ${cellText(vellum, c.unit)} | ${cellText(peer, c.unit)}${ratio === null ? '' : ` | ${ratio.toFixed(2)}x`}`,
    );
  }
  try {
    suite.notes?.(state, rows, ctx);
  } catch (error) {
    notes.push(`notes() threw: ${describeError(error)}`);
  }
  try {
    await suite.teardown?.(state);
  } catch (error) {
    notes.push(`teardown() threw: ${describeError(error)}`);
  }
  const anyError = rows.some((r) => r.vellum?.ok === false || r.peer?.ok === false);
  return {
    ...base,
    status: anyError ? 'partial' : 'ok',
    rows,
    notes,
    durationMs: performance.now() - started,
  };
}

// ---------------------------------------------------------------------------------------
// Formatting (shared by the console log and the Markdown writer)

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'ns/op':
      if (value >= 1e6) return `${(value / 1e6).toFixed(2)} ms`;
      if (value >= 1e4) return `${(value / 1e3).toFixed(1)} µs`;
      if (value >= 1e3) return `${(value / 1e3).toFixed(2)} µs`;
      return `${value.toFixed(0)} ns`;
    case 'bytes':
      if (value >= 1024 * 1024) return `${int.format(value)} B (${(value / 1024 / 1024).toFixed(2)} MiB)`;
      if (value >= 1024) return `${int.format(value)} B (${(value / 1024).toFixed(1)} KiB)`;
      return `${int.format(value)} B`;
    case 'count':
      return int.format(value);
    case 'ms':
      return `${value.toFixed(value >= 100 ? 0 : 2)} ms`;
    case 'x':
      return `${value.toFixed(2)}×`;
  }
}

export function cellText(cell: Cell | null, unit: Unit): string {
  if (cell === null) return '—';
  if (!cell.ok) return `error: ${cell.error.split(' | ')[0]}`;
  return formatValue(cell.value, unit) + (cell.detail ? ` (${cell.detail})` : '');
}
