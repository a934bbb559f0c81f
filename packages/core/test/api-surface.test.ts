/**
 * The recorded public surface: every entry point of every package, as the TypeScript
 * checker sees it, must equal its checked-in report in `api/` (one file per entry). A
 * change to an export shows as a diff there; accept one with `vitest run -u` on this file.
 */
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { apiReports, entries } from './api/report.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('the public surface of every entry point matches api/*.api.md', { timeout: 120_000 }, async () => {
  const list = entries(`${repo}packages`);
  // The entries the packages promise (an entry added or dropped shows here too).
  expect(list.map((e) => e.specifier)).toMatchSnapshot();
  const reports = apiReports(list, `${repo}tsconfig.json`);
  for (const [specifier, report] of reports) {
    const file = specifier.replace(/^@vellum\//, '').replaceAll('/', '-');
    await expect(report).toMatchFileSnapshot(`${repo}api/${file}.api.md`);
  }
});
