// Loaded into every test process of ZenFS's suite (NODE_OPTIONS=--import=…): the tests named in
// VELLUM_ZENFS_SKIP (JSON: [{ file, name, reason }]) get node:test's own `skip` option with their
// reason. Node 20 has no --test-skip-pattern, and a name pattern cannot leave one test out of a suite.

import { createRequire, syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';

/** @typedef {{ file: string, name: string, reason: string }} Skip */
/** @typedef {(name?: unknown, options?: unknown, fn?: unknown) => unknown} TestFn */

const file = basename(process.argv[1] ?? '');
/** @type {Skip[]} */
const skips = JSON.parse(process.env.VELLUM_ZENFS_SKIP ?? '[]');
const here = new Map(skips.filter((s) => s.file === file).map((s) => [s.name, s.reason]));

if (here.size > 0) {
  const nodeTest = /** @type {Record<string, TestFn>} */ (createRequire(import.meta.url)('node:test'));
  for (const key of ['test', 'it']) {
    const original = /** @type {TestFn} */ (nodeTest[key]);
    /** @type {TestFn} */
    const wrapped = (name, options, fn) => {
      const reason = typeof name === 'string' ? here.get(name) : undefined;
      if (reason === undefined) return original(name, options, fn);
      const body = typeof options === 'function' ? options : fn;
      const given = typeof options === 'object' && options !== null ? options : {};
      return original(name, { ...given, skip: reason }, body);
    };
    nodeTest[key] = Object.assign(wrapped, original);
  }
  // Test files import { test } from 'node:test': this makes those bindings the wrapped ones.
  syncBuiltinESMExports();
}
