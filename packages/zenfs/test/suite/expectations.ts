/** What the ZenFS suite run expects of each setup: the skips (with reasons) and Node 20's own failures. */
import type { SuiteSkip } from './run.js';

/** Skipped on every Vellum setup. */
export const SKIPS: readonly SuiteSkip[] = [
  {
    file: 'times.test.ts',
    name: 'read changes atime',
    reason:
      "Vellum mounts with ZenFS's no_atime: an access time written back after a read would copy the lower file up (overlayfs does not either)",
  },
];

/** Skipped on the IndexedDB setup, besides ZenFS's own `sync` flag. */
export const IDB_SKIPS: readonly SuiteSkip[] = [
  ...SKIPS,
  {
    file: 'links.test.ts',
    name: 'cpSync preserves a symlink #304',
    reason:
      "writes with writeFileSync without declaring config('sync'); IndexedDB commits asynchronously only",
  },
];

/** Not run on the IndexedDB setup: the file writes with writeFileSync at module level, outside any test. */
export const IDB_EXCLUDED_FILES: readonly string[] = ['dir.test.ts'];

/**
 * Failures that come from Node 20 itself; each must fail the same way on ZenFS's InMemory.
 * `Error.isError` is Node 22+; watchers in ZenFS 2.7 leave a promise pending when the loop empties on Node 20.
 */
export const NODE20_ERRORS: readonly { file: string; error: RegExp }[] = [
  { file: 'times.test.ts', error: /^Error\.isError is not a function$/ },
  // The suite and the test above them fail because those do.
  { file: 'times.test.ts', error: /^\d+ subtests? failed$/ },
  {
    file: 'watch.test.ts',
    error: /^Promise resolution is still pending but the event loop has already resolved$/,
  },
];
