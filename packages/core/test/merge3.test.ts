/**
 * The three-way text merge agrees with `git merge-file` on the same three texts: the same
 * clean/conflict verdict, the same merged text when clean, the same marked-up text otherwise.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asText, mergeText } from '../src/merge3.js';
import { gitMerge, hasGit } from './git-merge.js';

if (!hasGit) console.log('merge3.test: git is not installed, the comparison with git merge-file is skipped');

/**
 * A base of distinct lines and two sides edited from it (lines replaced, removed, inserted):
 * source files, whose lines are mostly distinct, are what the merge meets.
 */
const edited = (base: string[], side: string) =>
  fc
    .array(
      fc.record({
        at: fc.nat({ max: Math.max(0, base.length) }),
        op: fc.constantFrom('replace', 'delete', 'insert'),
      }),
      { maxLength: 4 },
    )
    .map((edits) => {
      const out = [...base];
      edits.forEach((e, i) => {
        const at = Math.min(e.at, out.length);
        if (e.op === 'insert') out.splice(at, 0, `${side}${i}`);
        else if (at < out.length) {
          if (e.op === 'delete') out.splice(at, 1);
          else out[at] = `${side}${i}`;
        }
      });
      return out;
    });

/**
 * Base lines, all distinct. With repeated lines (blank lines, braces) a diff can align in several
 * equally short ways, and node-diff3's LCS and git's Myers diff with its sliding heuristics may
 * pick different ones: both merges are valid, but not byte-equal. Distinct lines leave one
 * alignment, where the merge rules alone decide, and that is what this compares.
 */
const baseLines = fc
  .integer({ min: 0, max: 10 })
  .map((n) => Array.from({ length: n }, (_, i) => `line ${i}`));

const triple = baseLines.chain((base) =>
  fc.tuple(fc.constant(base), edited(base, 'ours '), edited(base, 'theirs '), fc.boolean(), fc.boolean()),
);

describe('mergeText', () => {
  it('merges changes to separate regions and keeps both sides of a conflict', () => {
    const base = 'a\nb\nc\nd\ne\n';
    const clean = mergeText('A\nb\nc\nd\ne\n', base, 'a\nb\nc\nd\nE\n');
    expect(clean).toEqual({ clean: true, text: 'A\nb\nc\nd\nE\n', hunks: [] });
    const conflict = mergeText('a\nB1\nc\nd\ne\n', base, 'a\nB2\nc\nd\ne\n');
    expect(conflict.clean).toBe(false);
    expect(conflict.hunks).toEqual([
      { ours: ['B1'], base: ['b'], theirs: ['B2'], oursLine: 2, baseLine: 2, theirsLine: 2 },
    ]);
    expect(conflict.text).toBe('a\n<<<<<<< ours\nB1\n=======\nB2\n>>>>>>> theirs\nc\nd\ne\n');
    // The same change on both sides is no conflict.
    expect(mergeText('a\nX\nc\n', 'a\nb\nc\n', 'a\nX\nc\n')).toMatchObject({
      clean: true,
      text: 'a\nX\nc\n',
    });
  });

  it('tells text from binary', () => {
    expect(asText(new TextEncoder().encode('héllo\n'))).toBe('héllo\n');
    expect(asText(new Uint8Array([104, 0, 105]))).toBeUndefined();
    expect(asText(new Uint8Array([0xff, 0xfe, 0x41]))).toBeUndefined();
  });

  it.skipIf(!hasGit)('agrees with git merge-file (property)', () => {
    execFileSync('git', ['--version']);
    fc.assert(
      fc.property(triple, ([base, ours, theirs, nlOurs, nlTheirs]) => {
        const text = (l: string[], nl: boolean) => (l.length === 0 ? '' : l.join('\n') + (nl ? '\n' : ''));
        const o = text(base, true);
        const a = text(ours, nlOurs || ours.length === base.length);
        const b = text(theirs, nlTheirs || theirs.length === base.length);
        const git = gitMerge(a, o, b);
        const ours3 = mergeText(a, o, b);
        expect({ clean: ours3.clean, text: ours3.text }, JSON.stringify({ a, o, b })).toEqual(git);
      }),
      { numRuns: 500 },
    );
  });
});
