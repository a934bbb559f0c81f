/** `git merge-file` as the reference three-way merge of the merge and rebase tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether git is installed (the tests that compare with it skip, saying so, where it is not). */
export const hasGit = spawnSync('git', ['--version']).status === 0;

let dir: string | undefined;

/** `git merge-file -p` on three texts (labels ours/base/theirs): its output, and whether it was clean. */
export function gitMerge(ours: string, base: string, theirs: string): { clean: boolean; text: string } {
  if (dir === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'vellum-merge-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    dir = made;
  }
  const [a, o, b] = ['ours', 'base', 'theirs'].map((n) => join(dir as string, n)) as [string, string, string];
  writeFileSync(a, ours);
  writeFileSync(o, base);
  writeFileSync(b, theirs);
  const run = spawnSync('git', ['merge-file', '-p', '-L', 'ours', '-L', 'base', '-L', 'theirs', a, o, b], {
    encoding: 'utf8',
  });
  if (run.status === null || run.status < 0) throw new Error(`git merge-file failed: ${run.stderr}`);
  return { clean: run.status === 0, text: run.stdout };
}
