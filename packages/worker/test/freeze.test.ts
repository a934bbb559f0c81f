/**
 * `freeze` through the worker: the zip made in the worker crosses as bytes, and the descriptor
 * the client builds from them stacks (in a new worker) over the same lowers as the same tree.
 */
import { describe, expect, test } from 'vitest';
import { createOverlayWorker } from '../src/index.js';

const base = {
  type: 'memory',
  id: 'base',
  mtimeMs: 1_000,
  tree: { 'a.txt': 'A', d: { 'x.txt': 'X' } },
} as const;

describe('freeze in the worker', () => {
  test("the frozen layer over the same base is the learner's tree", async () => {
    const fs = await createOverlayWorker({ lowers: [base], upper: { type: 'memory' } });
    let frozen: Awaited<ReturnType<typeof fs.freeze>>;
    try {
      await fs.writeFile('/a.txt', 'mine');
      await fs.rm('/d/x.txt');
      await fs.mkdir('/new', { mode: 0o700 });
      await fs.symlink('../a.txt', '/new/link');
      frozen = await fs.freeze({ id: 'lesson-1' });
      expect(frozen.changes).toBe((await fs.changes()).length);
      expect(frozen.descriptor).toMatchObject({ type: 'zip', whiteouts: 'oci', id: 'lesson-1' });
      expect(frozen.data.length).toBeGreaterThan(0);
      expect(await fs.freeze({ level: 42 as 0 }).catch((e: unknown) => e)).toMatchObject({ code: 'EINVAL' });
    } finally {
      await fs.close();
    }
    const next = await createOverlayWorker({ lowers: [frozen.descriptor, base], upper: { type: 'memory' } });
    try {
      expect(await next.readFile('/a.txt', 'utf8')).toBe('mine');
      expect(await next.readdir('/d')).toEqual([]);
      expect((await next.lstat('/new')).mode & 0o777).toBe(0o700);
      expect(await next.readlink('/new/link')).toBe('../a.txt');
      expect(await next.changes()).toEqual([]);
    } finally {
      await next.close();
    }
  });
});
