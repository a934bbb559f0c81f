/** `remount` and `rebase` on the ZenFS backend: the mount point stays, the stack under it changes. */
import { file } from '@vellum/core';
import { fs, mount, resolveMountConfig, umount } from '@zenfs/core';
import { expect, test } from 'vitest';
import { Vellum } from '../src/index.js';

test('remount and rebase take descriptors, as the mount configuration does', async () => {
  const backend = await resolveMountConfig({
    backend: Vellum,
    lowers: [{ type: 'memory', id: 'v1', mtimeMs: 1_000, tree: { 'a.txt': 'A1\n', 'b.txt': 'B1\n' } }],
    upper: { type: 'memory' },
  });
  mount('/course', backend);
  try {
    fs.writeFileSync('/course/a.txt', 'mine\n');
    const { baseChanges } = await backend.remount({
      lowers: [
        {
          type: 'memory',
          id: 'v2',
          mtimeMs: 1_000,
          tree: { 'a.txt': file('A2\n', { mtimeMs: 2 }), 'b.txt': 'B1\n', 'c.txt': 'C\n' },
        },
      ],
    });
    expect(baseChanges).toEqual([{ path: '/a.txt', change: 'changed' }]);
    expect(fs.readdirSync('/course').sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(fs.readFileSync('/course/a.txt', 'utf8')).toBe('mine\n');

    fs.writeFileSync('/course/b.txt', 'B1\nmine\n');
    const result = await backend.rebase({
      to: [
        {
          type: 'memory',
          id: 'v3',
          mtimeMs: 1_000,
          tree: { 'a.txt': 'A2\n', 'b.txt': file('B0\nB1\n', { mtimeMs: 3 }) },
        },
      ],
    });
    expect(result.merged).toEqual(['/b.txt']);
    expect(fs.readFileSync('/course/b.txt', 'utf8')).toBe('B0\nB1\nmine\n');
    expect(fs.existsSync('/course/c.txt')).toBe(false);
  } finally {
    umount('/course');
  }
});

test('snapshots through the backend: undo a "solve" seen through ZenFS', async () => {
  const backend = await resolveMountConfig({
    backend: Vellum,
    lowers: [{ type: 'memory', tree: { 'a.txt': 'A' } }],
    upper: { type: 'memory' },
  });
  mount('/undo', backend);
  try {
    fs.writeFileSync('/undo/a.txt', 'mine');
    const snap = await backend.snapshot('before solve');
    fs.writeFileSync('/undo/a.txt', 'solution');
    fs.writeFileSync('/undo/extra.txt', 'x');
    await backend.restore(snap.id);
    expect(fs.readFileSync('/undo/a.txt', 'utf8')).toBe('mine');
    expect(fs.existsSync('/undo/extra.txt')).toBe(false);
    expect((await backend.snapshots()).map((s) => s.label)).toEqual(['before solve']);
    await backend.dropSnapshot(snap.id);
    expect(await backend.snapshots()).toEqual([]);
  } finally {
    umount('/undo');
  }
});
