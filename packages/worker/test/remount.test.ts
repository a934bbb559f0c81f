/**
 * `remount` and `rebase` through the worker: core's lower descriptors cross (tree literals
 * flattened, as at init), the engine in the worker swaps or rebases, and the client's
 * `baseChanges` and `change` events follow.
 */
import { file } from '@vellum/core';
import { describe, expect, test } from 'vitest';
import { createOverlayWorker } from '../src/index.js';

const ten = Array.from({ length: 10 }, (_, i) => `line ${i}`);
const text = (at: number, to: string): string => `${ten.map((l, i) => (i === at ? to : l)).join('\n')}\n`;

describe('remount, rebase and snapshots in the worker', () => {
  test('snapshot, restore, list and drop cross the boundary', async () => {
    const fs = await createOverlayWorker({
      lowers: [{ type: 'memory', tree: { 'a.txt': 'A' } }],
      upper: { type: 'memory' },
    });
    try {
      await fs.writeFile('/a.txt', 'mine');
      const snap = await fs.snapshot('before solve');
      expect(snap).toMatchObject({ label: 'before solve', records: expect.any(Number) });
      await fs.writeFile('/a.txt', 'solution');
      const seen: unknown[] = [];
      fs.addEventListener('change', (e) => void seen.push((e as CustomEvent).detail));
      await fs.restore(snap.id);
      expect(await fs.readFile('/a.txt', 'utf8')).toBe('mine');
      await fs.ping();
      expect(seen).toEqual([{ op: 'restore', paths: ['/'] }]);
      expect((await fs.snapshots()).map((s) => s.id)).toEqual([snap.id]);
      await fs.dropSnapshot(snap.id);
      expect(await fs.snapshots()).toEqual([]);
      expect(await fs.restore(snap.id).catch((e: unknown) => e)).toMatchObject({ code: 'ENOENT' });
    } finally {
      await fs.close();
    }
  });

  test('remount swaps the stack, keeps the upper, and says what changed under it', async () => {
    const fs = await createOverlayWorker({
      lowers: [{ type: 'memory', id: 'v1', mtimeMs: 1_000, tree: { 'a.txt': 'A1', 'keep.txt': 'K' } }],
      upper: { type: 'memory' },
    });
    try {
      await fs.writeFile('/a.txt', 'mine');
      await fs.writeFile('/new.txt', 'N');
      const seen: unknown[] = [];
      fs.addEventListener('change', (e) => void seen.push((e as CustomEvent).detail));
      const result = await fs.remount({
        lowers: [
          {
            type: 'memory',
            id: 'v2',
            mtimeMs: 1_000,
            tree: { 'a.txt': file('A2', { mtimeMs: 2_000 }), 'b.txt': 'B' },
          },
        ],
      });
      expect(result.baseChanges).toEqual([{ path: '/a.txt', change: 'changed' }]);
      expect(fs.baseChanges).toEqual(result.baseChanges);
      expect(await fs.readdir('/')).toEqual(['a.txt', 'b.txt', 'new.txt']);
      expect(await fs.readFile('/a.txt', 'utf8')).toBe('mine');
      await fs.ping();
      expect(seen).toEqual([{ op: 'remount', paths: ['/'] }]);
      const bad = await fs.remount({ lowers: [{ type: 'nope' } as never] }).catch((e: unknown) => e);
      expect(bad).toMatchObject({ code: 'EINVAL' });
      expect(await fs.readFile('/b.txt', 'utf8')).toBe('B');
    } finally {
      await fs.close();
    }
  });

  test('rebase merges, reports conflicts with their hunks, and a dry run changes nothing', async () => {
    const base = { 'both.txt': text(-1, ''), 'clash.txt': text(-1, '') };
    const next = {
      'both.txt': file(text(8, 'theirs 8'), { mtimeMs: 2_000 }),
      'clash.txt': file(text(2, 'theirs 2'), { mtimeMs: 2_000 }),
    };
    const fs = await createOverlayWorker({
      lowers: [{ type: 'memory', id: 'v1', mtimeMs: 1_000, tree: base }],
      upper: { type: 'memory' },
    });
    try {
      await fs.writeFile('/both.txt', text(1, 'mine 1'));
      await fs.writeFile('/clash.txt', text(2, 'mine 2'));
      const to = [{ type: 'memory' as const, id: 'v2', mtimeMs: 1_000, tree: next }];
      const plan = await fs.rebase({ to, dryRun: true });
      expect(plan).toMatchObject({ dryRun: true, merged: ['/both.txt'] });
      expect(await fs.readFile('/both.txt', 'utf8')).toBe(text(1, 'mine 1'));
      const result = await fs.rebase({ to, markers: true });
      expect(result.merged).toEqual(['/both.txt']);
      expect(result.conflicts).toEqual([
        {
          path: '/clash.txt',
          kind: 'content',
          markers: true,
          hunks: [
            {
              ours: ['mine 2'],
              base: ['line 2'],
              theirs: ['theirs 2'],
              oursLine: 3,
              baseLine: 3,
              theirsLine: 3,
            },
          ],
        },
      ]);
      expect(await fs.readFile('/both.txt', 'utf8')).toBe(
        `${ten.map((l, i) => (i === 1 ? 'mine 1' : i === 8 ? 'theirs 8' : l)).join('\n')}\n`,
      );
      expect(await fs.readFile('/clash.txt', 'utf8')).toContain(
        '<<<<<<< yours\nmine 2\n=======\ntheirs 2\n>>>>>>> new base\n',
      );
    } finally {
      await fs.close();
    }
  });
});
