/**
 * The packages' READMEs show a complete program under "## Example": each one runs (in a Node
 * process of its own, from its package's directory, the workspace's sources through tsx), and
 * what a `console.log(…); // value` line promises is what it prints. The CLI README's example is
 * shell commands, run by hand.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const packages = fileURLToPath(new URL('../../', import.meta.url));

/** The first `js` block of a README's "## Example" section. */
function exampleOf(readme: string): string | undefined {
  const at = readme.indexOf('\n## Example\n');
  if (at < 0) return undefined;
  const end = readme.indexOf('\n## ', at + 1);
  return /```js\n([\s\S]*?)```/.exec(readme.slice(at, end < 0 ? undefined : end))?.[1];
}

/** Where an example runs: its package, or one that has what it imports (wasm's uses core's zip writer). */
const runIn: Record<string, string> = { wasm: 'core' };

const withExamples = readdirSync(packages)
  .map((dir) => ({ dir, readme: join(packages, dir, 'README.md') }))
  .filter(({ readme }) => existsSync(readme))
  .map(({ dir, readme }) => ({ dir, code: exampleOf(readFileSync(readme, 'utf8')) }))
  .filter((e): e is { dir: string; code: string } => e.code !== undefined);

describe('README examples', () => {
  test('the library packages have one', () => {
    expect(withExamples.map((e) => e.dir).sort()).toEqual(
      expect.arrayContaining(['core', 'wasm', 'worker', 'zenfs']),
    );
  });

  test.each(withExamples)(
    'packages/$dir/README.md runs and prints what it says',
    { timeout: 120_000 },
    async ({ dir, code }) => {
      const where = join(packages, runIn[dir] ?? dir);
      const file = join(where, `.readme-example-${dir}-${process.pid}.mjs`);
      writeFileSync(file, code);
      try {
        // `vellum-source`: the workspace's export condition for the sources (where exports name built files).
        const args = ['--conditions=vellum-source', '--import', 'tsx', file];
        const { stdout } = await promisify(execFile)(process.execPath, args, {
          cwd: where,

          timeout: 100_000,
        });
        const printed = stdout.replace(/\s+/g, ' ');
        const promised = [...code.matchAll(/^\s*console\.log\(.*\); \/\/ (.+)$/gm)].map(([, value]) => value);
        expect(promised.length).toBeGreaterThan(0);
        for (const value of promised)
          expect(printed).toContain((value as string).replace(/\s+/g, ' ').trim());
      } finally {
        rmSync(file, { force: true });
      }
    },
  );
});
