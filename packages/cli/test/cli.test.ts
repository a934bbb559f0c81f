/**
 * The `vellum` CLI on temporary directories: pack (deterministic; modes, symlinks, mtimes kept),
 * manifest, inspect, ls, cat, export as zip and OCI tar (checked by laying the export over the
 * base and comparing with the edited directory), overlayfs whiteouts, and the bin launcher.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryLayer, MemoryUpper, Overlay } from '@vellum/core';
import { ZipLayer } from '@vellum/core/zip';
import { afterAll, describe, expect, it } from 'vitest';
import { openLayer } from '../src/layers.js';
import { type Io, main } from '../src/main.js';

const tmp = mkdtempSync(join(tmpdir(), 'vellum-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const T = new Date(Date.UTC(2023, 3, 4, 5, 6, 8));

function makeTree(root: string): void {
  mkdirSync(join(root, 'src/lib'), { recursive: true });
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'src/main.ts'), 'export const main = 1;\n');
  writeFileSync(join(root, 'src/lib/util.ts'), 'export const util = 2;\n'.repeat(200));
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'run.sh'), 0o755);
  writeFileSync(join(root, 'secret'), 'key');
  chmodSync(join(root, 'secret'), 0o600);
  writeFileSync(join(root, 'docs/a.md'), '# a\n');
  symlinkSync('src/main.ts', join(root, 'latest'));
  for (const p of [
    'src/main.ts',
    'src/lib/util.ts',
    'run.sh',
    'secret',
    'docs/a.md',
    'src/lib',
    'src',
    'docs',
  ])
    utimesSync(join(root, p), T, T);
}

async function run(
  ...argv: string[]
): Promise<{ code: number; out: string; err: string; raw: Uint8Array[] }> {
  let out = '';
  let err = '';
  const raw: Uint8Array[] = [];
  const io: Io = {
    stdout: (t) => {
      if (typeof t === 'string') out += t;
      else raw.push(t);
    },
    stderr: (t) => {
      err += t;
    },
  };
  const code = await main(argv, io);
  return { code, out, err, raw };
}

/** Path → kind, mode, content (or target) of a whole overlay, to compare trees. */
async function treeOf(ov: Overlay): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { path, stats } of await ov.walk('/')) {
    const mode = (stats.mode & 0o7777).toString(8);
    if (stats.isDirectory()) out[path] = `dir ${mode}`;
    else if (stats.isSymbolicLink()) out[path] = `symlink -> ${await ov.readlink(path)}`;
    else out[path] = `file ${mode} ${await ov.readFile(path, 'utf8')}`;
  }
  return out;
}

const base = join(tmp, 'base');
makeTree(base);

describe('vellum pack / inspect / ls / cat', () => {
  it('packs a directory into a deterministic zip with modes, symlinks and mtimes', async () => {
    const zip = join(tmp, 'base.zip');
    expect((await run('pack', base, '-o', zip)).code).toBe(0);
    const first = readFileSync(zip);
    expect((await run('pack', base, '-o', join(tmp, 'again.zip'))).code).toBe(0);
    expect(readFileSync(join(tmp, 'again.zip')).equals(first)).toBe(true);
    const ov = await Overlay.create({
      lowers: [await ZipLayer.open(new Uint8Array(first))],
      upper: new MemoryUpper(),
    });
    expect((await ov.stat('/run.sh')).mode & 0o7777).toBe(0o755);
    expect((await ov.stat('/secret')).mode & 0o7777).toBe(0o600);
    expect(await ov.readlink('/latest')).toBe('src/main.ts');
    expect((await ov.stat('/src/main.ts')).mtimeMs).toBe(T.getTime());
    expect(await ov.readFile('/src/lib/util.ts', 'utf8')).toBe('export const util = 2;\n'.repeat(200));
  });

  it('inspect lists a zip layer; a manifest layer (vellum manifest) lists the same tree', async () => {
    const zip = join(tmp, 'base.zip');
    await run('pack', base, '-o', zip);
    const z = await run('inspect', zip);
    expect(z.code).toBe(0);
    expect(z.out).toMatch(/^id zip:[0-9a-f]{32}$/m);
    expect(z.out).toMatch(/^file\s+0755\s+18 2023-04-04T05:06:08Z \/run\.sh$/m);
    expect(z.out).toMatch(/^symlink .* \/latest -> src\/main\.ts$/m);
    const site = join(tmp, 'site');
    const m = await run('manifest', base, '-o', site);
    expect(m.code).toBe(0);
    expect(m.out).toMatch(/9 entries, sha256-[0-9a-f]{64}/);
    const h = await run('inspect', site);
    expect(h.out).toMatch(/^id http:sha256-/m);
    const body = (s: string): string => s.split('\n').slice(1).join('\n');
    expect(body(h.out)).toBe(body(z.out));
    const viaZip = await Overlay.create({ lowers: [await openLayer(zip)], upper: new MemoryUpper() });
    const viaSite = await Overlay.create({ lowers: [await openLayer(site)], upper: new MemoryUpper() });
    expect(await treeOf(viaSite)).toEqual(await treeOf(viaZip));
  });

  it('ls shows the merged stack with the serving layer; cat prints a file', async () => {
    const top = join(tmp, 'top');
    mkdirSync(join(top, 'src'), { recursive: true });
    writeFileSync(join(top, 'src/main.ts'), 'export const main = 2;\n');
    const zip = join(tmp, 'base.zip');
    await run('pack', base, '-o', zip);
    const ls = await run('ls', top, zip);
    expect(ls.code).toBe(0);
    expect(ls.out).toContain(`/src/main.ts\t${top}\n`);
    expect(ls.out).toContain(`/src/lib/util.ts\t${zip}\n`);
    const cat = await run('cat', top, zip, '--', '/src/main.ts');
    expect(new TextDecoder().decode(cat.raw[0])).toBe('export const main = 2;\n');
    expect((await run('cat', zip, '--', '/nope')).code).toBe(1);
    expect((await run('frobnicate')).code).toBe(2);
  });
});

describe('vellum export', () => {
  const edited = join(tmp, 'edited');
  cpSync(base, edited, { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(edited, 'src/main.ts'), 'export const main = 3;\n');
  rmSync(join(edited, 'docs'), { recursive: true });
  rmSync(join(edited, 'secret'));
  writeFileSync(join(edited, 'new.txt'), 'new\n');
  chmodSync(join(edited, 'run.sh'), 0o700);

  it('writes the changes as a zip that, over the base, gives the edited tree', async () => {
    const zip = join(tmp, 'base.zip');
    await run('pack', base, '-o', zip);
    const out = join(tmp, 'changes.zip');
    const r = await run('export', zip, '--from', edited, '-o', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/5 changes/);
    const layer = await ZipLayer.open(new Uint8Array(readFileSync(out)), { whiteouts: 'oci' });
    const names = [...layer.entries()].map((e) => `${e.kind} ${e.path}`).sort();
    expect(names).toEqual([
      'file /new.txt',
      'file /run.sh',
      'file /src/main.ts',
      'whiteout /docs',
      'whiteout /secret',
    ]);
    const stacked = await Overlay.create({ lowers: [layer, await openLayer(zip)], upper: new MemoryUpper() });
    const direct = await Overlay.create({ lowers: [await openLayer(edited)], upper: new MemoryUpper() });
    expect(await treeOf(stacked)).toEqual(await treeOf(direct));
  });

  it('writes an OCI layer tar with .wh. entries', async () => {
    const out = join(tmp, 'changes.tar');
    expect((await run('export', base, '--from', edited, '-o', out)).code).toBe(0);
    const tar = spawnSync('tar', ['-tvf', out], { encoding: 'utf8' });
    if (tar.status !== 0) return; // no tar on this machine: the zip test covers the content
    const listed = tar.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/).pop());
    expect(listed.sort()).toEqual(['.wh.docs', '.wh.secret', 'new.txt', 'run.sh', 'src/main.ts']);
    expect(tar.stdout).toMatch(/^-rwx------ .* run\.sh$/m);
  });
});

describe('vellum pack --oci-whiteouts', () => {
  it('turns an overlayfs upper dir (char 0/0 whiteouts) into .wh. entries', async (ctx) => {
    const upper = join(tmp, 'upper');
    mkdirSync(upper);
    writeFileSync(join(upper, 'kept.txt'), 'k');
    if (spawnSync('mknod', [join(upper, 'gone'), 'c', '0', '0']).status !== 0) {
      ctx.skip('mknod needs privileges here');
      return;
    }
    const zip = join(tmp, 'upper.zip');
    expect((await run('pack', upper, '-o', zip, '--oci-whiteouts')).code).toBe(0);
    const layer = await ZipLayer.open(new Uint8Array(readFileSync(zip)), { whiteouts: 'oci' });
    expect([...layer.entries()].map((e) => `${e.kind} ${e.path}`).sort()).toEqual([
      'file /kept.txt',
      'whiteout /gone',
    ]);
    expect((await run('pack', upper, '-o', zip)).code).toBe(1);
  });

  it('turns an opaque directory (trusted.overlay.opaque=y) into a .wh..wh..opq entry', async (ctx) => {
    const upper = join(tmp, 'upper-opaque');
    mkdirSync(join(upper, 'replaced'), { recursive: true });
    mkdirSync(join(upper, 'merged'));
    writeFileSync(join(upper, 'replaced/new.txt'), 'new');
    writeFileSync(join(upper, 'merged/added.txt'), 'added');
    // trusted.* xattrs need CAP_SYS_ADMIN; setfattr comes with the 'attr' package (scripts/ensure-tools.mjs).
    const set = spawnSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'replaced')], {
      encoding: 'utf8',
    });
    if (set.status !== 0) {
      const why = set.error ? `setfattr not runnable (${set.error.message})` : set.stderr.trim();
      console.log(`skipped: cannot set trusted.overlay.opaque here (needs root and setfattr): ${why}`);
      ctx.skip(`cannot set trusted.overlay.opaque: ${why}`);
      return;
    }
    const zip = join(tmp, 'upper-opaque.zip');
    const r = await run('pack', upper, '-o', zip, '--oci-whiteouts');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const bytes = new Uint8Array(readFileSync(zip));
    // Raw names: exactly one opaque marker, inside the directory that had the xattr.
    const raw = await ZipLayer.open(bytes);
    expect([...raw.entries()].map((e) => e.path).filter((p) => p.includes('.wh.'))).toEqual([
      '/replaced/.wh..wh..opq',
    ]);
    // Read as an OCI layer over a base: the opaque directory hides the base's children, the
    // plain one merges with them.
    const layer = await ZipLayer.open(bytes, { whiteouts: 'oci' });
    const base = MemoryLayer.fromEntries([
      { path: '/replaced', kind: 'dir' },
      { path: '/replaced/old.txt', kind: 'file', data: new TextEncoder().encode('old') },
      { path: '/merged', kind: 'dir' },
      { path: '/merged/base.txt', kind: 'file', data: new TextEncoder().encode('base') },
    ]);
    const ov = await Overlay.create({ lowers: [layer, base], upper: new MemoryUpper() });
    expect((await ov.readdir('/replaced')).sort()).toEqual(['new.txt']);
    expect((await ov.readdir('/merged')).sort()).toEqual(['added.txt', 'base.txt']);
    // Without --oci-whiteouts the xattr is not looked at: a plain directory.
    await run('pack', upper, '-o', zip);
    const plain = await ZipLayer.open(new Uint8Array(readFileSync(zip)));
    expect([...plain.entries()].some((e) => e.path.includes('.wh.'))).toBe(false);
  });

  it('warns clearly, once, when getfattr is missing, and still packs', async () => {
    const upper = join(tmp, 'upper-nogetfattr');
    mkdirSync(join(upper, 'a/b'), { recursive: true });
    writeFileSync(join(upper, 'a/b/f.txt'), 'f');
    const emptyBin = mkdtempSync(join(tmp, 'bin-'));
    const path = process.env.PATH;
    process.env.PATH = emptyBin;
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run('pack', upper, '-o', join(tmp, 'nogetfattr.zip'), '--oci-whiteouts');
    } finally {
      process.env.PATH = path;
    }
    expect(r.code).toBe(0);
    expect(r.err.match(/warning: getfattr not found/g)).toHaveLength(1);
    expect(r.err).toMatch(/install the 'attr' package/);
    expect(r.err).toMatch(/trusted\.overlay\.opaque/);
  });
});

describe('the bin', () => {
  it('runs as a command (the built package.json bin, what npx vellum starts)', () => {
    // The compiled dist/bin.js: `pnpm test` builds the packages first (`pnpm build:packages`).
    const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
      bin: { vellum: string };
    };
    const bin = join(pkgDir, manifest.bin.vellum);
    expect(existsSync(bin), `${bin} missing: run pnpm build:packages`).toBe(true);
    const r = spawnSync(process.execPath, [bin, 'inspect', base], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\/src\/lib\/util\.ts$/m);
  });
});
