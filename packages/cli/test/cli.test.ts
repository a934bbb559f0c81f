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
import { type Io, main, VERSION } from '../src/main.js';
import { progressReporter } from '../src/progress.js';

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
  return runIn({ tty: false }, ...argv);
}

/** `run` with stderr a terminal or not. */
async function runIn(
  { tty }: { tty: boolean },
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
    stderrIsTTY: tty,
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

describe('behaves like a CLI', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };

  it('--version and -V print the package version', async () => {
    expect(VERSION).toBe(pkg.version);
    for (const flag of ['--version', '-V'])
      expect(await run(flag)).toMatchObject({ code: 0, out: `${pkg.version}\n`, err: '' });
  });

  it('--help lists every command; help per command (vellum pack --help, vellum help pack)', async () => {
    const help = await run('--help');
    expect(help).toMatchObject({ code: 0, err: '' });
    for (const c of ['pack', 'manifest', 'inspect', 'ls', 'cat', 'export'])
      expect(help.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect((await run('-h')).out).toBe(help.out);
    const pack = await run('pack', '--help');
    expect(pack).toMatchObject({ code: 0, err: '' });
    expect(pack.out).toMatch(/^vellum pack: /);
    expect(pack.out).toContain('vellum pack <dir> -o layer.zip');
    expect(pack.out).toContain('--level <0-9>');
    expect(pack.out).toContain('--progress');
    expect(pack.out).not.toContain('--from');
    expect((await run('help', 'pack')).out).toBe(pack.out);
    expect((await run('export', '-h')).out).toContain('--from <dir>');
  });

  it('argument errors: a message on stderr naming the command, exit code 2, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^vellum: a command is needed/],
      [['frobnicate'], /^vellum: unknown command 'frobnicate'/],
      [['pack', base, '--nope'], /^vellum pack: .*'--nope'/],
      [['pack', base], /^vellum pack: -o <file\.zip> is needed/],
      [['pack', base, '-o', join(tmp, 'x.zip'), '--level', '12'], /^vellum pack: --level is 0 to 9/],
      [['pack', '-o'], /^vellum pack: .*'-o/],
      [['cat', base], /^vellum cat: cat <layer…> -- <path>/],
      [['export', base], /^vellum export: --from <dir> and -o <file> are needed/],
      [['help', 'frobnicate'], /^vellum: unknown command 'frobnicate'/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
      expect(r.err, argv.join(' ')).toMatch(/run 'vellum( \w+)? --help' for usage\n$/);
      expect(r.out, argv.join(' ')).toBe('');
    }
    expect(existsSync(join(tmp, 'x.zip'))).toBe(false);
  });

  it('a failure that is not about the arguments exits 1', async () => {
    const r = await run('inspect', join(tmp, 'no-such-layer'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^vellum inspect: .*ENOENT/);
  });

  it('progress on stderr: rewritten in place on a terminal, lines with --progress elsewhere, none otherwise', async () => {
    const quiet = await run('pack', base, '-o', join(tmp, 'quiet.zip'));
    expect(quiet).toMatchObject({ code: 0, err: '' });
    const tty = await runIn({ tty: true }, 'pack', base, '-o', join(tmp, 'tty.zip'));
    expect(tty.code).toBe(0);
    // 5 files under base (src/main.ts, src/lib/util.ts, run.sh, secret, docs/a.md).
    expect(tty.err).toMatch(/^\rpacking: \d+\/5 files/);
    const ERASE_LINE = '\u001b[K';
    expect(tty.err.endsWith(`${ERASE_LINE}\n`)).toBe(true);
    expect(tty.err.slice(0, -ERASE_LINE.length - 1)).toMatch(
      /\rpacking: 5\/5 files, [\d.]+\/[\d.]+ MB \(100%\)$/,
    );
    const piped = await run('pack', base, '-o', join(tmp, 'piped.zip'), '--progress');
    expect(piped.code).toBe(0);
    expect(piped.err).not.toContain('\r');
    expect(piped.err).toMatch(/^packing: \d+\/5 files.*\n/);
    expect(piped.err.trimEnd().split('\n').at(-1)).toMatch(/^packing: 5\/5 files, .* \(100%\)$/);
    const manifest = await run('manifest', base, '-o', join(tmp, 'manifest-out'), '--progress');
    expect(manifest.code).toBe(0);
    expect(manifest.err).toMatch(/packing: 5\/5 files/);
    // The zips are the same with or without progress.
    expect(readFileSync(join(tmp, 'tty.zip')).equals(readFileSync(join(tmp, 'quiet.zip')))).toBe(true);
  });

  it('progressReporter throttles: at most one line a gap, and always the last figures at the end', () => {
    let clock = 0;
    let out = '';
    const reporter = progressReporter(
      (t) => {
        out += t;
      },
      false,
      100,
      () => clock,
    );
    const p = (files: number) => ({
      files,
      totalFiles: 10,
      bytes: files * 1024 * 1024,
      totalBytes: 10 * 1024 * 1024,
    });
    reporter.update(p(1));
    clock = 500;
    reporter.update(p(2));
    clock = 1000;
    reporter.update(p(3));
    reporter.update(p(4));
    reporter.end();
    expect(out).toBe(
      'packing: 1/10 files, 1.0/10.0 MB (10%)\npacking: 3/10 files, 3.0/10.0 MB (30%)\npacking: 4/10 files, 4.0/10.0 MB (40%)\n',
    );
  });

  it('the bin: --version, and exit code 2 on a bad option', () => {
    const bin = join(dirname(fileURLToPath(import.meta.url)), '../dist/bin.js');
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', timeout: 60_000 });
    expect(version).toMatchObject({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const bad = spawnSync(process.execPath, [bin, 'ls', '--bogus'], { encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^vellum ls: .*'--bogus'/);
    expect(bad.stdout).toBe('');
  });
});
