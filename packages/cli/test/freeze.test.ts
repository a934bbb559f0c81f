/**
 * `vellum freeze` on real directories: a kernel overlayfs upperdir written by `mount -t overlay`
 * (whiteouts as char 0/0 devices, an opaque directory), an OCI layer directory with `.wh.` names,
 * and a workspace exported with `vellum export`. Each time the frozen zip, stacked on the same
 * lowers, must show the merged tree (paths, kinds, modes, contents, symlink targets) and hold
 * only what differs from the lowers.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LowerLayer, MemoryLayer, MemoryUpper, Overlay, type Tree } from '@vellum/core';
import { ZipLayer } from '@vellum/core/zip';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { lowerTreeArb } from '../../core/test/kernel/ops.js';
import { freezePair } from '../src/freeze.js';
import { openLayer } from '../src/layers.js';
import { type Io, main } from '../src/main.js';

const tmp = mkdtempSync(join(tmpdir(), 'vellum-freeze-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (t) => {
      out += String(t);
    },
    stderr: (t) => {
      err += t;
    },
  };
  return { code: await main(argv, io), out, err };
}

/** Path → kind, mode and content (or target): the merged tree as a zip layer must keep it. */
async function treeOf(lowers: LowerLayer[]): Promise<Record<string, string>> {
  const ov = await Overlay.create({ lowers, upper: new MemoryUpper() });
  const out: Record<string, string> = {};
  for (const { path, stats } of await ov.walk('/')) {
    const mode = (stats.mode & 0o7777).toString(8);
    if (stats.isDirectory()) out[path] = `dir ${mode}`;
    else if (stats.isSymbolicLink()) out[path] = `symlink -> ${await ov.readlink(path)}`;
    else {
      const bytes = await ov.readFile(path);
      // Text as text (readable failures); other bytes as base64, so no byte is lost in decoding.
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      out[path] = `file ${mode} ${/^[\t\n -~]*$/.test(text) ? text : Buffer.from(bytes).toString('base64')}`;
    }
  }
  await ov.close();
  return out;
}

/** The frozen zip's raw entry names (`.wh.` names as written). */
async function namesIn(zip: string): Promise<string[]> {
  const layer = await ZipLayer.open(new Uint8Array(readFileSync(zip)));
  return [...layer.entries()].map((e) => e.path).sort();
}

const frozenOver = async (zip: string, lower: string): Promise<LowerLayer[]> => [
  await ZipLayer.open(new Uint8Array(readFileSync(zip)), { whiteouts: 'oci' }),
  await openLayer(lower),
];

function makeLower(root: string): void {
  mkdirSync(join(root, 'src/lib'), { recursive: true });
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'src/main.ts'), 'export const main = 0;\n');
  writeFileSync(join(root, 'src/lib/util.ts'), 'util\n');
  writeFileSync(join(root, 'src/lib/old.ts'), 'old\n');
  writeFileSync(join(root, 'docs/a.md'), '# a\n');
  writeFileSync(join(root, 'gone.txt'), 'bye\n');
  writeFileSync(join(root, 'same.txt'), 'same\n');
}

describe('vellum freeze', () => {
  it('a kernel upperdir (mount -t overlay): whiteouts, an opaque dir, chmod, symlink', async (ctx) => {
    const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => join(tmp, `k-${d}`));
    for (const d of [lower, upper, work, merged]) mkdirSync(d as string, { recursive: true });
    makeLower(lower as string);
    const options = `lowerdir=${lower},upperdir=${upper},workdir=${work},redirect_dir=off,metacopy=off`;
    const mounted = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', options, merged as string], {
      encoding: 'utf8',
    });
    if (mounted.status !== 0) {
      const why = mounted.error ? mounted.error.message : mounted.stderr.trim();
      console.log(`skipped: mount -t overlay is not available here (needs root): ${why}`);
      ctx.skip(`mount -t overlay: ${why}`);
      return;
    }
    const view = join(tmp, 'k-view');
    try {
      const m = merged as string;
      writeFileSync(join(m, 'src/main.ts'), 'export const main = 1;\n');
      unlinkSync(join(m, 'gone.txt')); // a whiteout (char 0/0)
      rmSync(join(m, 'src/lib'), { recursive: true });
      mkdirSync(join(m, 'src/lib')); // an opaque directory
      writeFileSync(join(m, 'src/lib/new.ts'), 'new\n');
      chmodSync(join(m, 'docs'), 0o700);
      symlinkSync('src/main.ts', join(m, 'latest'));
      writeFileSync(join(m, 'same.txt'), 'same\n'); // copied up, bytes unchanged
      cpSync(m, view, { recursive: true, verbatimSymlinks: true }); // what the kernel shows
    } finally {
      spawnSync('umount', [merged as string]);
    }
    const out = join(tmp, 'k.zip');
    const r = await run('freeze', '--lower', lower as string, '--upper', upper as string, '-o', out);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/k\.zip: \d+ changes, \d+ bytes, id zip:/);
    expect(await treeOf(await frozenOver(out, lower as string))).toEqual(
      await treeOf([await openLayer(view)]),
    );
    // Only what differs from the lower: same.txt (copied up, unchanged) is not in it, and the
    // re-made directory's lost names are whited out one by one (the engine's diff of the two
    // trees; the kernel's opaque mark is one way to say it, these whiteouts another).
    expect(await namesIn(out)).toEqual([
      '/.wh.gone.txt',
      '/docs',
      '/latest',
      '/src/lib/.wh.old.ts',
      '/src/lib/.wh.util.ts',
      '/src/lib/new.ts',
      '/src/main.ts',
    ]);
  });

  it('an OCI layer directory with .wh. names, several lowers, --level and --id', async () => {
    const lower = join(tmp, 'o-lower');
    const top = join(tmp, 'o-top');
    const upper = join(tmp, 'o-upper');
    makeLower(lower);
    mkdirSync(join(top, 'docs'), { recursive: true });
    writeFileSync(join(top, 'docs/b.md'), '# b from the top lower\n');
    mkdirSync(join(upper, 'src/lib'), { recursive: true });
    mkdirSync(join(upper, 'docs'), { recursive: true });
    writeFileSync(join(upper, '.wh.gone.txt'), '');
    writeFileSync(join(upper, 'docs/.wh.b.md'), '');
    writeFileSync(join(upper, 'src/lib/.wh..wh..opq'), '');
    writeFileSync(join(upper, 'src/lib/only.ts'), 'only\n');
    writeFileSync(join(upper, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(upper, 'run.sh'), 0o755);
    const out = join(tmp, 'o.zip');
    const r = await run(
      'freeze',
      '--lower',
      top,
      '--lower',
      lower,
      '--upper',
      upper,
      '-o',
      out,
      '--level',
      '0',
      '--id',
      'lesson-2',
    );
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/id lesson-2\n$/);
    const stack = [
      await ZipLayer.open(new Uint8Array(readFileSync(out)), { whiteouts: 'oci' }),
      await openLayer(top),
      await openLayer(lower),
    ];
    const tree = await treeOf(stack);
    expect(tree['/gone.txt']).toBeUndefined();
    expect(tree['/docs/b.md']).toBeUndefined();
    expect(tree['/docs/a.md']).toBe('file 644 # a\n');
    expect(Object.keys(tree).filter((p) => p.startsWith('/src/lib/'))).toEqual(['/src/lib/only.ts']);
    expect(tree['/run.sh']).toBe('file 755 #!/bin/sh\n');
    // The same merged tree as the upper directory itself stacked as an OCI layer.
    expect(tree).toEqual(await treeOf([await ociDir(upper), ...stack.slice(1)]));
  });

  it('an exported workspace zip (vellum export) freezes to a layer giving the edited tree', async () => {
    const lower = join(tmp, 'e-lower');
    const edited = join(tmp, 'e-edited');
    makeLower(lower);
    cpSync(lower, edited, { recursive: true });
    writeFileSync(join(edited, 'src/main.ts'), 'edited\n');
    rmSync(join(edited, 'docs'), { recursive: true });
    writeFileSync(join(edited, 'docs'), 'a file where a directory was\n');
    const exported = join(tmp, 'e-changes.zip');
    expect((await run('export', lower, '--from', edited, '-o', exported)).code).toBe(0);
    const out = join(tmp, 'e.zip');
    expect((await run('freeze', '--lower', lower, '--upper', exported, '-o', out)).code).toBe(0);
    expect(await treeOf(await frozenOver(out, lower))).toEqual(await treeOf([await openLayer(edited)]));
  });

  it("property: random stacks — the top layer frozen over the rest gives the whole stack's tree", async () => {
    const layersOf = (trees: readonly Tree[]): LowerLayer[] =>
      trees.map((tree, i) => MemoryLayer.fromTree(tree, { mtimeMs: Date.UTC(2001, 0, 1), id: `layer-${i}` }));
    await fc.assert(
      fc.asyncProperty(lowerTreeArb, async (trees) => {
        const [top, ...lowers] = layersOf(trees);
        const frozen = await freezePair(lowers, top as LowerLayer);
        expect(await treeOf([frozen.layer, ...layersOf(trees).slice(1)])).toEqual(
          await treeOf(layersOf(trees)),
        );
      }),
      { numRuns: Number(process.env.VELLUM_FREEZE_RUNS ?? 100) },
    );
  }, 300_000);

  it('bad usage exits 2 with the reason; a missing upper exits 1; --help shows the flags', async () => {
    const lower = join(tmp, 'e-lower');
    const cases: [string[], RegExp][] = [
      [['freeze'], /--lower <layer>, --upper <dir\|zip> and -o <file\.zip> are needed/],
      [['freeze', '--lower', lower, '--upper', lower], /are needed/],
      [
        ['freeze', '--lower', lower, '--upper', lower, '-o', join(tmp, 'x.zip'), '--level', 'x'],
        /--level is 0 to 9/,
      ],
      [
        ['freeze', '--lower', lower, '--upper', lower, '-o', join(tmp, 'x.zip'), 'extra'],
        /unexpected argument 'extra'/,
      ],
      [['freeze', '--upper'], /'--upper/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
      expect(r.err).toMatch(/run 'vellum freeze --help' for usage\n$/);
    }
    const missing = await run(
      'freeze',
      '--lower',
      lower,
      '--upper',
      join(tmp, 'nope'),
      '-o',
      join(tmp, 'x.zip'),
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^vellum freeze: .*ENOENT/);
    const help = await run('freeze', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--upper <dir|zip>');
    expect((await run('--help')).out).toMatch(/^ {2}freeze /m);
  });
});

/** An OCI layer directory read as a layer by @vellum/node (the reference the CLI's result is compared with). */
async function ociDir(dir: string): Promise<LowerLayer> {
  const { DirLayer } = await import('@vellum/node');
  return DirLayer.open(dir, { whiteouts: 'oci' });
}
