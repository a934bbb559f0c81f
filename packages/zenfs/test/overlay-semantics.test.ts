/**
 * Overlay semantics through ZenFS's `fs`, which ZenFS's own suite does not cover:
 * deleting a lower file, renaming a lower directory, re-creating a deleted or
 * moved-away directory. Each case runs on Vellum and, side by side, on ZenFS's
 * CopyOnWrite over InMemory with the same tree, to show the ghosts Vellum avoids.
 */
import { MemoryLayer, MemoryUpper } from '@vellum/core';
import { CopyOnWrite, type FileSystem, fs, InMemory, mount, resolveMountConfig, umount } from '@zenfs/core';
import { afterEach, describe, expect, test } from 'vitest';
import { OverlayBackend } from '../src/index.js';

const tree = { 'gone.txt': 'g', src: { 'a.ts': 'a', lib: { 'b.ts': 'b' } }, docs: { 'x.md': 'x' } };

let serial = 0;
const mounted: string[] = [];

async function vellum(): Promise<{ root: string; backend: OverlayBackend }> {
  const backend = new OverlayBackend({ lowers: [MemoryLayer.fromTree(tree)], upper: new MemoryUpper() });
  await backend.ready();
  const root = `/vellum-${serial++}`;
  mount(root, backend);
  mounted.push(root);
  return { root, backend };
}

/** ZenFS's own overlay: the same tree in an InMemory under CopyOnWrite. */
async function copyOnWrite(): Promise<string> {
  const readable: FileSystem = InMemory.create({ label: 'lower' });
  const opts = { mode: 0o755, uid: 0, gid: 0 };
  readable.mkdirSync('/src', opts);
  readable.mkdirSync('/src/lib', opts);
  readable.mkdirSync('/docs', opts);
  for (const [path, text] of [
    ['/gone.txt', 'g'],
    ['/src/a.ts', 'a'],
    ['/src/lib/b.ts', 'b'],
    ['/docs/x.md', 'x'],
  ] as const) {
    readable.createFileSync(path, { ...opts, mode: 0o644 });
    readable.writeSync(path, new TextEncoder().encode(text), 0);
  }
  const cow = await resolveMountConfig({
    backend: CopyOnWrite,
    readable,
    writable: InMemory.create({ label: 'upper' }),
  });
  const root = `/cow-${serial++}`;
  mount(root, cow);
  mounted.push(root);
  return root;
}

afterEach(() => {
  for (const root of mounted.splice(0)) umount(root);
});

describe('overlay semantics through ZenFS fs', () => {
  test('a deleted lower file is gone from stat and readdir; the lower keeps it', async () => {
    const { root, backend } = await vellum();
    await fs.promises.unlink(`${root}/gone.txt`);
    expect(fs.existsSync(`${root}/gone.txt`)).toBe(false);
    expect(fs.readdirSync(root).sort()).toEqual(['docs', 'src']);
    const ov = await backend.overlay;
    expect(await ov.changes()).toEqual([{ path: '/gone.txt', type: 'file', change: 'deleted' }]);
    // Re-created, it is a new file with only the new contents.
    fs.writeFileSync(`${root}/gone.txt`, 'new');
    expect(fs.readFileSync(`${root}/gone.txt`, 'utf8')).toBe('new');
  });

  test('a renamed lower directory moves with its contents; its old name re-created is empty', async () => {
    const { root, backend } = await vellum();
    fs.renameSync(`${root}/src`, `${root}/moved`);
    expect(fs.existsSync(`${root}/src`)).toBe(false);
    expect(fs.readdirSync(`${root}/moved`).sort()).toEqual(['a.ts', 'lib']);
    expect(fs.readFileSync(`${root}/moved/lib/b.ts`, 'utf8')).toBe('b');
    fs.mkdirSync(`${root}/src`);
    expect(fs.readdirSync(`${root}/src`)).toEqual([]);
    // …and, being empty, it can be removed and the move undone.
    fs.rmdirSync(`${root}/src`);
    fs.renameSync(`${root}/moved`, `${root}/src`);
    expect(fs.readdirSync(`${root}/src/lib`)).toEqual(['b.ts']);
    expect((await backend.overlay).origin('/src/a.ts').layer).toBe(0);
  });

  test('a deleted lower directory re-created is empty, also after a rename of its parent', async () => {
    const { root } = await vellum();
    await fs.promises.rm(`${root}/docs`, { recursive: true });
    await fs.promises.mkdir(`${root}/docs`);
    expect(await fs.promises.readdir(`${root}/docs`)).toEqual([]);
    fs.unlinkSync(`${root}/src/lib/b.ts`);
    fs.renameSync(`${root}/src`, `${root}/m2`);
    expect(fs.readdirSync(`${root}/m2/lib`)).toEqual([]);
  });

  test("side by side: ZenFS's CopyOnWrite shows the moved directory's lower contents under its old name", async () => {
    const cow = await copyOnWrite();
    const { root } = await vellum();
    for (const at of [cow, root]) {
      fs.renameSync(`${at}/src`, `${at}/moved`);
      fs.mkdirSync(`${at}/src`);
    }
    // The ghosts: a.ts and lib come back in a directory that was just made.
    expect(fs.readdirSync(`${cow}/src`).sort()).toEqual(['a.ts', 'lib']);
    expect(() => fs.rmdirSync(`${cow}/src`)).toThrow(/ENOTEMPTY/);
    // Vellum: a new directory is empty (an opaque directory in overlayfs terms).
    expect(fs.readdirSync(`${root}/src`)).toEqual([]);
    expect(() => fs.rmdirSync(`${root}/src`)).not.toThrow();
  });
});
