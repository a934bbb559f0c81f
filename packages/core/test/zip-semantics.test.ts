/**
 * The engine over a zip lower must behave exactly as over the same tree in memory: the same
 * operations, the same results and errors, the same merged tree and changes afterwards. Two
 * stacks (zip vs memory lowers, OCI whiteouts and opaque directories included) run the same
 * operations side by side.
 */
import { describe, expect, it } from 'vitest';
import {
  dir,
  file,
  type LowerLayer,
  MemoryUpper,
  Overlay,
  symlink,
  type Tree,
  whiteout,
} from '../src/index.js';
import { ZipLayer } from '../src/zip/index.js';
import { rejection } from './helpers.js';
import { memoryOf, zipOf } from './zip/fixtures.js';

const top: Tree = {
  etc: dir({ 'app.conf': file('port=80\n', { mode: 0o600 }) }, { mode: 0o750 }),
  gone: whiteout(),
  replaced: dir({ fresh: 'new' }, { opaque: true }),
  src: { 'main.ts': 'main v2\n', lib: { 'util.ts': 'util\n' } },
  link: symlink('src/main.ts'),
  dangling: symlink('nowhere'),
};
const bottom: Tree = {
  gone: 'was here',
  replaced: { stale: 'old' },
  src: { 'main.ts': 'main v1\n', 'old.ts': 'old\n', lib: { 'deep.ts': 'x'.repeat(150_000) } },
  docs: { 'a.md': '# a\n', 'b.md': '# b\n' },
};

interface View {
  kind: string;
  mode: number;
  size: number;
  mtimeMs: number;
  content: string;
}

/** The merged tree; times only with `times` (writes stamp the clock, which differs between the two stacks). */
async function view(ov: Overlay, times = false): Promise<Record<string, View>> {
  const out: Record<string, View> = {};
  const walk = async (d: string): Promise<void> => {
    for (const name of (await ov.readdir(d)).sort()) {
      const path = d === '/' ? `/${name}` : `${d}/${name}`;
      const st = await ov.lstat(path);
      const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
      const content =
        kind === 'file' ? await ov.readFile(path, 'utf8') : kind === 'symlink' ? await ov.readlink(path) : '';
      out[path] = {
        kind,
        mode: st.mode,
        size: kind === 'dir' ? 0 : st.size,
        mtimeMs: times ? st.mtimeMs : 0,
        content,
      };
      if (kind === 'dir') await walk(path);
    }
  };
  await walk('/');
  return out;
}

type Op = (ov: Overlay) => Promise<unknown>;

const ops: [string, Op][] = [
  ['read through a symlink', (ov) => ov.readFile('/link', 'utf8')],
  ['read a whited-out name', (ov) => ov.readFile('/gone', 'utf8')],
  ['readdir of an opaque dir', (ov) => ov.readdir('/replaced')],
  ['readdir of a merged dir', (ov) => ov.readdir('/src')],
  ['stat through a dangling link', (ov) => ov.stat('/dangling')],
  ['partial write into a big lower file', (ov) => ov.writeFile('/src/lib/deep.ts', 'y', { flag: 'r+' })],
  ['append', (ov) => ov.appendFile('/docs/a.md', 'more\n')],
  ['chmod (metacopy)', (ov) => ov.chmod('/etc/app.conf', 0o644)],
  ['truncate', (ov) => ov.truncate('/src/main.ts', 4)],
  ['rename a merged dir', (ov) => ov.rename('/src/lib', '/src/library')],
  ['unlink a lower file', (ov) => ov.unlink('/src/old.ts')],
  ['rmdir a non-empty lower dir', (ov) => ov.rmdir('/docs')],
  ['rm -r a lower dir', (ov) => ov.rm('/docs', { recursive: true })],
  ['mkdir where a whiteout is', (ov) => ov.mkdir('/gone')],
  ['new file', (ov) => ov.writeFile('/gone/new.txt', 'hi')],
  ['symlink', (ov) => ov.symlink('../etc/app.conf', '/src/conf')],
  ['hard link a lower file', (ov) => ov.link('/etc/app.conf', '/etc/app.link')],
  ['rename over an existing file', (ov) => ov.rename('/link', '/src/main.ts')],
  ['copyFile', (ov) => ov.copyFile('/src/library/deep.ts', '/copy.ts')],
];

async function settle(p: Promise<unknown>): Promise<unknown> {
  try {
    const value = await p;
    return { ok: value instanceof Uint8Array ? [...value] : value };
  } catch (error) {
    return { error: (error as { code?: string }).code };
  }
}

describe('the engine over zip lowers', () => {
  it('behaves as over the same trees in memory, operation by operation', async () => {
    const zipStack: LowerLayer[] = [
      await ZipLayer.open(zipOf(top), { whiteouts: 'oci' }),
      await ZipLayer.open(zipOf(bottom), { whiteouts: 'oci' }),
    ];
    const memStack: LowerLayer[] = [memoryOf(top, 'top'), memoryOf(bottom, 'bottom')];
    const a = await Overlay.create({ lowers: zipStack, upper: new MemoryUpper() });
    const b = await Overlay.create({ lowers: memStack, upper: new MemoryUpper() });
    expect(await view(a, true)).toEqual(await view(b, true));
    for (const [name, op] of ops) {
      const [ra, rb] = [await settle(op(a)), await settle(op(b))];
      expect(ra, name).toEqual(rb);
      expect(await view(a), name).toEqual(await view(b));
    }
    expect(await a.changes()).toEqual(await b.changes());
  });

  it('reopens an upper on the same zip, and refuses it on a different one', async () => {
    const upper = new MemoryUpper();
    const first = await Overlay.create({ lowers: [await ZipLayer.open(zipOf(bottom))], upper });
    await first.writeFile('/src/main.ts', 'edited');
    await first.writeFile('/new.txt', 'new');
    const again = await Overlay.create({ lowers: [await ZipLayer.open(zipOf(bottom))], upper });
    expect(await again.readFile('/src/main.ts', 'utf8')).toBe('edited');
    const changed = await ZipLayer.open(zipOf({ ...bottom, extra: 'x' }));
    expect((await rejection(Overlay.create({ lowers: [changed], upper }))).code).toBe('EINVAL');
  });
});
