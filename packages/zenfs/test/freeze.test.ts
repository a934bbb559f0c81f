/** `freeze` on the ZenFS backend: what was written through ZenFS's `fs` is in the frozen layer. */
import { MemoryUpper, Overlay, openLower } from '@vellum/core';
import { fs, mount, resolveMountConfig, umount } from '@zenfs/core';
import { expect, test } from 'vitest';
import { Vellum } from '../src/index.js';

test('the frozen layer stacked over the mount’s lowers shows what ZenFS wrote', async () => {
  const base = { type: 'memory', id: 'base', mtimeMs: 1_000, tree: { 'a.txt': 'A', 'b.txt': 'B' } } as const;
  const backend = await resolveMountConfig({ backend: Vellum, lowers: [base], upper: { type: 'memory' } });
  mount('/lesson', backend);
  try {
    fs.writeFileSync('/lesson/a.txt', 'solved');
    fs.unlinkSync('/lesson/b.txt');
    fs.mkdirSync('/lesson/src');
    fs.writeFileSync('/lesson/src/main.ts', 'main');
    const { layer, changes } = await backend.freeze();
    expect(changes).toBeGreaterThanOrEqual(4);
    const next = await Overlay.create({ lowers: [layer, await openLower(base)], upper: new MemoryUpper() });
    expect(await next.readFile('/a.txt', 'utf8')).toBe('solved');
    expect((await next.readdir('/')).sort()).toEqual(['a.txt', 'src']);
    expect(await next.readFile('/src/main.ts', 'utf8')).toBe('main');
  } finally {
    umount('/lesson');
  }
});
