/**
 * Symlinks whose target ends in '/' or '/.' (`ln -s file/ l`), against what Linux answers: the
 * kernel reads such a target as "a directory", so through `l` a file is ENOTDIR, a create is
 * EISDIR, and `file/.` makes `file` a name that must exist. And a path's own trailing slash on
 * a call that acts on the name itself (mkdir, symlink, link, unlink, rmdir, rename, rm): it
 * neither follows a symlink there nor refuses a file the way a lookup does (`mkdir('l/')` is
 * EEXIST, `unlink('ld/')` ENOTDIR, `rm('ld/', { recursive })` ENOTDIR with `d` left whole), nor
 * one whose last component is '.' or '..' (`rmdir('d/.')` EINVAL, `rename('d/.', x)` EBUSY). Every row below was recorded from
 * Node 20's fs on tmpfs and on an overlayfs mount (the same answers on both), and is checked here
 * on three Vellums: the links in a lower (first traversal: the index holds no target yet), in a
 * lower after every link was followed once (targets held by the index), and made in the upper.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLayer, MemoryUpper, Overlay, type Stats, type Tree } from '../src/index.js';
import { dir, file, symlink } from '../src/tree.js';

/** `name → target`; `d/sl → ../file/` lives in d. */
const LINKS: Record<string, string> = {
  l: 'file/',
  l2: 'file/.',
  l3: 'file/..',
  l4: 'file//',
  ld: 'd/',
  ld2: 'd/.',
  dl: 'nofile/',
  dl2: 'nodir/',
  dl3: 'nofile/.',
  cf: 'file',
  cfs: 'cf/',
  c1: 'l',
  c3: 'c1/',
  lx: 'd/x/',
  ldd: 'ld/sub/',
  dsl: 'd/sl',
  dlp: 'nofile',
};

const base = (): Tree => ({
  file: file('hi'),
  file2: file('two'),
  d: dir({ x: file('x'), sub: dir({ y: file('y') }) }),
});

function lowerTree(): Tree {
  const t = base();
  (t.d as { children: Tree }).children.sl = symlink('../file/');
  for (const [name, target] of Object.entries(LINKS)) t[name] = symlink(target);
  return t;
}

type Op = (ov: Overlay, n: string) => unknown;
const kind = (s: Stats): string => (s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : 'file');
const close = (ov: Overlay, fd: number): void => ov.closeSync(fd);

const OPS: Record<string, Op> = {
  stat: (ov, n) => kind(ov.statSync(`/${n}`)),
  statSlash: (ov, n) => kind(ov.statSync(`/${n}/`)),
  statX: (ov, n) => kind(ov.statSync(`/${n}/x`)),
  lstat: (ov, n) => kind(ov.lstatSync(`/${n}`)),
  lstatSlash: (ov, n) => kind(ov.lstatSync(`/${n}/`)),
  realpath: (ov, n) => ov.realpathSync(`/${n}`).slice(1),
  readFile: (ov, n) => ov.readFileSync(`/${n}`, 'utf8'),
  readlink: (ov, n) => ov.readlinkSync(`/${n}`),
  readdir: (ov, n) => ov.readdirSync(`/${n}`).sort().join(','),
  access: (ov, n) => ov.accessSync(`/${n}`),
  exists: (ov, n) => ov.existsSync(`/${n}`),
  openR: (ov, n) => close(ov, ov.openSync(`/${n}`, 'r')),
  openRp: (ov, n) => close(ov, ov.openSync(`/${n}`, 'r+')),
  openA: (ov, n) => close(ov, ov.openSync(`/${n}`, 'a')),
  openW: (ov, n) => close(ov, ov.openSync(`/${n}`, 'w')),
  openWx: (ov, n) => close(ov, ov.openSync(`/${n}`, 'wx')),
  openWxSlash: (ov, n) => close(ov, ov.openSync(`/${n}/`, 'wx')),
  utimes: (ov, n) => ov.utimesSync(`/${n}`, 1e9, 1e9),
  chmod: (ov, n) => ov.chmodSync(`/${n}`, 0o600),
  truncate: (ov, n) => ov.truncateSync(`/${n}`, 1),
  writeFile: (ov, n) => ov.writeFileSync(`/${n}`, 'w'),
  appendFile: (ov, n) => ov.appendFileSync(`/${n}`, 'w'),
  writeFileSlash: (ov, n) => ov.writeFileSync(`/${n}/`, 'w'),
  writeFileDot: (ov, n) => ov.writeFileSync(`/${n}/.`, 'w'),
  mkdir: (ov, n) => ov.mkdirSync(`/${n}`),
  mkdirSlash: (ov, n) => ov.mkdirSync(`/${n}/`),
  mkdirDot: (ov, n) => ov.mkdirSync(`/${n}/.`),
  mkdirP: (ov, n) => ov.mkdirSync(`/${n}`, { recursive: true }),
  mkdirPsub: (ov, n) => ov.mkdirSync(`/${n}/q/r`, { recursive: true }),
  mkdirX: (ov, n) => ov.mkdirSync(`/${n}/new`),
  rm: (ov, n) => ov.rmSync(`/${n}`),
  rmR: (ov, n) => ov.rmSync(`/${n}`, { recursive: true }),
  rmSlash: (ov, n) => ov.rmSync(`/${n}/`, { recursive: true }),
  unlink: (ov, n) => ov.unlinkSync(`/${n}`),
  unlinkSlash: (ov, n) => ov.unlinkSync(`/${n}/`),
  rmdir: (ov, n) => ov.rmdirSync(`/${n}`),
  rmdirSlash: (ov, n) => ov.rmdirSync(`/${n}/`),
  renameTo: (ov, n) => ov.renameSync('/file2', `/${n}`),
  renameToSlash: (ov, n) => ov.renameSync('/file2', `/${n}/`),
  renameFrom: (ov, n) => ov.renameSync(`/${n}`, '/new'),
  renameFromSlash: (ov, n) => ov.renameSync(`/${n}/`, '/new'),
  copyTo: (ov, n) => ov.copyFileSync('/file2', `/${n}`),
  copyFrom: (ov, n) => ov.copyFileSync(`/${n}`, '/new'),
  symlinkAt: (ov, n) => ov.symlinkSync('t', `/${n}`),
  symlinkAtSlash: (ov, n) => ov.symlinkSync('t', `/${n}/`),
  linkTo: (ov, n) => ov.linkSync('/file2', `/${n}`),
  linkFrom: (ov, n) => ov.linkSync(`/${n}`, '/new'),
  linkFromSlash: (ov, n) => ov.linkSync(`/${n}/`, '/new'),
  linkInto: (ov, n) => ov.linkSync('/file2', `/${n}/new`),
  rmdirDot: (ov, n) => ov.rmdirSync(`/${n}/.`),
  unlinkDot: (ov, n) => ov.unlinkSync(`/${n}/.`),
  renameFromDot: (ov, n) => ov.renameSync(`/${n}/.`, '/new'),
  renameToDot: (ov, n) => ov.renameSync('/d/sub', `/${n}/.`),
  symlinkDot: (ov, n) => ov.symlinkSync('t', `/${n}/.`),
  rmdirDotDot: (ov, n) => ov.rmdirSync(`/${n}/sub/..`),
};

/** What Linux answered, per op: `name=answer` (an error code, or what the call returned; ok: nothing). */
const KERNEL: Record<string, string> = {
  stat: 'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=dir ld2=dir dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=dir dsl=ENOTDIR cf=file dlp=ENOENT file=file d=dir nofile=ENOENT',
  statSlash:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=dir ld2=dir dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=dir dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=dir nofile=ENOENT',
  statX:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=file ld2=file dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ENOENT dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=file nofile=ENOENT',
  lstat:
    'l=link l2=link l3=link l4=link ld=link ld2=link dl=link dl2=link dl3=link cfs=link c1=link c3=link lx=link ldd=link dsl=link cf=link dlp=link file=file d=dir nofile=ENOENT',
  lstatSlash:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=dir ld2=dir dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=dir dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=dir nofile=ENOENT',
  realpath:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=d ld2=d dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=d/sub dsl=ENOTDIR cf=file dlp=ENOENT file=file d=d nofile=ENOENT',
  readFile:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EISDIR ld2=EISDIR dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EISDIR dsl=ENOTDIR cf=hi dlp=ENOENT file=hi d=EISDIR nofile=ENOENT',
  readlink:
    'l=file/ l2=file/. l3=file/.. l4=file// ld=d/ ld2=d/. dl=nofile/ dl2=nodir/ dl3=nofile/. cfs=cf/ c1=l c3=c1/ lx=d/x/ ldd=ld/sub/ dsl=d/sl cf=file dlp=nofile file=EINVAL d=EINVAL nofile=ENOENT',
  readdir:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=sl,sub,x ld2=sl,sub,x dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=y dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=sl,sub,x nofile=ENOENT',
  access:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ok ld2=ok dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ok dsl=ENOTDIR cf=ok dlp=ENOENT file=ok d=ok nofile=ENOENT',
  exists:
    'l=false l2=false l3=false l4=false ld=true ld2=true dl=false dl2=false dl3=false cfs=false c1=false c3=false lx=false ldd=true dsl=false cf=true dlp=false file=true d=true nofile=false',
  openR:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ok ld2=ok dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ok dsl=ENOTDIR cf=ok dlp=ENOENT file=ok d=ok nofile=ENOENT',
  openRp:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EISDIR ld2=EISDIR dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EISDIR dsl=ENOTDIR cf=ok dlp=ENOENT file=ok d=EISDIR nofile=ENOENT',
  openA:
    'l=EISDIR l2=ENOTDIR l3=ENOTDIR l4=EISDIR ld=EISDIR ld2=EISDIR dl=EISDIR dl2=EISDIR dl3=ENOENT cfs=EISDIR c1=EISDIR c3=EISDIR lx=EISDIR ldd=EISDIR dsl=EISDIR cf=ok dlp=ok file=ok d=EISDIR nofile=ok',
  openW:
    'l=EISDIR l2=ENOTDIR l3=ENOTDIR l4=EISDIR ld=EISDIR ld2=EISDIR dl=EISDIR dl2=EISDIR dl3=ENOENT cfs=EISDIR c1=EISDIR c3=EISDIR lx=EISDIR ldd=EISDIR dsl=EISDIR cf=ok dlp=ok file=ok d=EISDIR nofile=ok',
  openWx:
    'l=EEXIST l2=EEXIST l3=EEXIST l4=EEXIST ld=EEXIST ld2=EEXIST dl=EEXIST dl2=EEXIST dl3=EEXIST cfs=EEXIST c1=EEXIST c3=EEXIST lx=EEXIST ldd=EEXIST dsl=EEXIST cf=EEXIST dlp=EEXIST file=EEXIST d=EEXIST nofile=ok',
  openWxSlash:
    'l=EISDIR l2=EISDIR l3=EISDIR l4=EISDIR ld=EISDIR ld2=EISDIR dl=EISDIR dl2=EISDIR dl3=EISDIR cfs=EISDIR c1=EISDIR c3=EISDIR lx=EISDIR ldd=EISDIR dsl=EISDIR cf=EISDIR dlp=EISDIR file=EISDIR d=EISDIR nofile=EISDIR',
  utimes:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ok ld2=ok dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ok dsl=ENOTDIR cf=ok dlp=ENOENT file=ok d=ok nofile=ENOENT',
  chmod:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ok ld2=ok dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ok dsl=ENOTDIR cf=ok dlp=ENOENT file=ok d=ok nofile=ENOENT',
  truncate:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EISDIR ld2=EISDIR dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EISDIR dsl=ENOTDIR cf=ok dlp=ENOENT file=ok d=EISDIR nofile=ENOENT',
  writeFile:
    'l=EISDIR l2=ENOTDIR l3=ENOTDIR l4=EISDIR ld=EISDIR ld2=EISDIR dl=EISDIR dl2=EISDIR dl3=ENOENT cfs=EISDIR c1=EISDIR c3=EISDIR lx=EISDIR ldd=EISDIR dsl=EISDIR cf=ok dlp=ok file=ok d=EISDIR nofile=ok',
  appendFile:
    'l=EISDIR l2=ENOTDIR l3=ENOTDIR l4=EISDIR ld=EISDIR ld2=EISDIR dl=EISDIR dl2=EISDIR dl3=ENOENT cfs=EISDIR c1=EISDIR c3=EISDIR lx=EISDIR ldd=EISDIR dsl=EISDIR cf=ok dlp=ok file=ok d=EISDIR nofile=ok',
  writeFileSlash:
    'l=EISDIR l2=EISDIR l3=EISDIR l4=EISDIR ld=EISDIR ld2=EISDIR dl=EISDIR dl2=EISDIR dl3=EISDIR cfs=EISDIR c1=EISDIR c3=EISDIR lx=EISDIR ldd=EISDIR dsl=EISDIR cf=EISDIR dlp=EISDIR file=EISDIR d=EISDIR nofile=EISDIR',
  writeFileDot:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EISDIR ld2=EISDIR dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EISDIR dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=EISDIR nofile=ENOENT',
  mkdir:
    'l=EEXIST l2=EEXIST l3=EEXIST l4=EEXIST ld=EEXIST ld2=EEXIST dl=EEXIST dl2=EEXIST dl3=EEXIST cfs=EEXIST c1=EEXIST c3=EEXIST lx=EEXIST ldd=EEXIST dsl=EEXIST cf=EEXIST dlp=EEXIST file=EEXIST d=EEXIST nofile=ok',
  mkdirSlash:
    'l=EEXIST l2=EEXIST l3=EEXIST l4=EEXIST ld=EEXIST ld2=EEXIST dl=EEXIST dl2=EEXIST dl3=EEXIST cfs=EEXIST c1=EEXIST c3=EEXIST lx=EEXIST ldd=EEXIST dsl=EEXIST cf=EEXIST dlp=EEXIST file=EEXIST d=EEXIST nofile=ok',
  mkdirDot:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EEXIST ld2=EEXIST dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EEXIST dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=EEXIST nofile=ENOENT',
  mkdirP:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ok ld2=ok dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ok dsl=ENOTDIR cf=EEXIST dlp=ENOENT file=EEXIST d=ok nofile=/nofile',
  mkdirPsub:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=/ld/q ld2=/ld2/q dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=/ldd/q dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=/d/q nofile=/nofile',
  mkdirX:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ok ld2=ok dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ok dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=ok nofile=ENOENT',
  rm: 'l=ok l2=ok l3=ok l4=ok ld=ok ld2=ok dl=ok dl2=ok dl3=ok cfs=ok c1=ok c3=ok lx=ok ldd=ok dsl=ok cf=ok dlp=ok file=ok d=ERR_FS_EISDIR nofile=ENOENT',
  rmR: 'l=ok l2=ok l3=ok l4=ok ld=ok ld2=ok dl=ok dl2=ok dl3=ok cfs=ok c1=ok c3=ok lx=ok ldd=ok dsl=ok cf=ok dlp=ok file=ok d=ok nofile=ENOENT',
  rmSlash:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ENOTDIR ld2=ENOTDIR dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ENOTDIR dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=ok nofile=ENOENT',
  unlink:
    'l=ok l2=ok l3=ok l4=ok ld=ok ld2=ok dl=ok dl2=ok dl3=ok cfs=ok c1=ok c3=ok lx=ok ldd=ok dsl=ok cf=ok dlp=ok file=ok d=EISDIR nofile=ENOENT',
  unlinkSlash:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ENOTDIR ld2=ENOTDIR dl=ENOTDIR dl2=ENOTDIR dl3=ENOTDIR cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ENOTDIR dsl=ENOTDIR cf=ENOTDIR dlp=ENOTDIR file=ENOTDIR d=EISDIR nofile=ENOENT',
  rmdir:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ENOTDIR ld2=ENOTDIR dl=ENOTDIR dl2=ENOTDIR dl3=ENOTDIR cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ENOTDIR dsl=ENOTDIR cf=ENOTDIR dlp=ENOTDIR file=ENOTDIR d=ENOTEMPTY nofile=ENOENT',
  rmdirSlash:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ENOTDIR ld2=ENOTDIR dl=ENOTDIR dl2=ENOTDIR dl3=ENOTDIR cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ENOTDIR dsl=ENOTDIR cf=ENOTDIR dlp=ENOTDIR file=ENOTDIR d=ENOTEMPTY nofile=ENOENT',
  renameTo:
    'l=ok l2=ok l3=ok l4=ok ld=ok ld2=ok dl=ok dl2=ok dl3=ok cfs=ok c1=ok c3=ok lx=ok ldd=ok dsl=ok cf=ok dlp=ok file=ok d=EISDIR nofile=ok',
  renameToSlash:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ENOTDIR ld2=ENOTDIR dl=ENOTDIR dl2=ENOTDIR dl3=ENOTDIR cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ENOTDIR dsl=ENOTDIR cf=ENOTDIR dlp=ENOTDIR file=ENOTDIR d=ENOTDIR nofile=ENOTDIR',
  renameFrom:
    'l=ok l2=ok l3=ok l4=ok ld=ok ld2=ok dl=ok dl2=ok dl3=ok cfs=ok c1=ok c3=ok lx=ok ldd=ok dsl=ok cf=ok dlp=ok file=ok d=ok nofile=ENOENT',
  renameFromSlash:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ENOTDIR ld2=ENOTDIR dl=ENOTDIR dl2=ENOTDIR dl3=ENOTDIR cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ENOTDIR dsl=ENOTDIR cf=ENOTDIR dlp=ENOTDIR file=ENOTDIR d=ok nofile=ENOENT',
  copyTo:
    'l=EISDIR l2=ENOTDIR l3=ENOTDIR l4=EISDIR ld=EISDIR ld2=EISDIR dl=EISDIR dl2=EISDIR dl3=ENOENT cfs=EISDIR c1=EISDIR c3=EISDIR lx=EISDIR ldd=EISDIR dsl=EISDIR cf=ok dlp=ok file=ok d=EISDIR nofile=ok',
  copyFrom:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EISDIR ld2=EISDIR dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EISDIR dsl=ENOTDIR cf=ok dlp=ENOENT file=ok d=EISDIR nofile=ENOENT',
  symlinkAt:
    'l=EEXIST l2=EEXIST l3=EEXIST l4=EEXIST ld=EEXIST ld2=EEXIST dl=EEXIST dl2=EEXIST dl3=EEXIST cfs=EEXIST c1=EEXIST c3=EEXIST lx=EEXIST ldd=EEXIST dsl=EEXIST cf=EEXIST dlp=EEXIST file=EEXIST d=EEXIST nofile=ok',
  symlinkAtSlash:
    'l=EEXIST l2=EEXIST l3=EEXIST l4=EEXIST ld=EEXIST ld2=EEXIST dl=EEXIST dl2=EEXIST dl3=EEXIST cfs=EEXIST c1=EEXIST c3=EEXIST lx=EEXIST ldd=EEXIST dsl=EEXIST cf=EEXIST dlp=EEXIST file=EEXIST d=EEXIST nofile=ENOENT',
  linkTo:
    'l=EEXIST l2=EEXIST l3=EEXIST l4=EEXIST ld=EEXIST ld2=EEXIST dl=EEXIST dl2=EEXIST dl3=EEXIST cfs=EEXIST c1=EEXIST c3=EEXIST lx=EEXIST ldd=EEXIST dsl=EEXIST cf=EEXIST dlp=EEXIST file=EEXIST d=EEXIST nofile=ok',
  linkFrom:
    'l=ok l2=ok l3=ok l4=ok ld=ok ld2=ok dl=ok dl2=ok dl3=ok cfs=ok c1=ok c3=ok lx=ok ldd=ok dsl=ok cf=ok dlp=ok file=ok d=EPERM nofile=ENOENT',
  linkFromSlash:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EPERM ld2=EPERM dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EPERM dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=EPERM nofile=ENOENT',
  linkInto:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ok ld2=ok dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ok dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=ok nofile=ENOENT',
  rmdirDot:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EINVAL ld2=EINVAL dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EINVAL dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=EINVAL nofile=ENOENT',
  unlinkDot:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EISDIR ld2=EISDIR dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EISDIR dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=EISDIR nofile=ENOENT',
  renameFromDot:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EBUSY ld2=EBUSY dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EBUSY dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=EBUSY nofile=ENOENT',
  renameToDot:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EBUSY ld2=EBUSY dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EBUSY dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=EBUSY nofile=ENOENT',
  symlinkDot:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=EEXIST ld2=EEXIST dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=EEXIST dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=EEXIST nofile=ENOENT',
  rmdirDotDot:
    'l=ENOTDIR l2=ENOTDIR l3=ENOTDIR l4=ENOTDIR ld=ENOTEMPTY ld2=ENOTEMPTY dl=ENOENT dl2=ENOENT dl3=ENOENT cfs=ENOTDIR c1=ENOTDIR c3=ENOTDIR lx=ENOTDIR ldd=ENOENT dsl=ENOTDIR cf=ENOTDIR dlp=ENOENT file=ENOTDIR d=ENOTEMPTY nofile=ENOENT',
};

function outcome(fn: () => unknown): string {
  try {
    const v = fn();
    return v === undefined ? 'ok' : String(v);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    return code;
  }
}

const VARIANTS: Record<string, () => Promise<Overlay>> = {
  'links in a lower': () =>
    Overlay.create({ lowers: [MemoryLayer.fromTree(lowerTree())], upper: new MemoryUpper() }),
  'links in a lower, each followed once before': async () => {
    const ov = await Overlay.create({
      lowers: [MemoryLayer.fromTree(lowerTree())],
      upper: new MemoryUpper(),
    });
    for (const name of [...Object.keys(LINKS), 'd/sl']) {
      outcome(() => ov.statSync(`/${name}`));
      outcome(() => ov.statSync(`/${name}/x`));
    }
    return ov;
  },
  'links made in the upper': async () => {
    const ov = await Overlay.create({ lowers: [MemoryLayer.fromTree(base())], upper: new MemoryUpper() });
    ov.symlinkSync('../file/', '/d/sl');
    for (const [name, target] of Object.entries(LINKS)) ov.symlinkSync(target, `/${name}`);
    return ov;
  },
};

describe("symlinks whose target ends in '/' or '/.': what Linux answers", () => {
  for (const [variant, make] of Object.entries(VARIANTS)) {
    it(variant, async () => {
      const wrong: string[] = [];
      for (const [op, row] of Object.entries(KERNEL)) {
        for (const cell of row.split(' ')) {
          const at = cell.indexOf('=');
          const name = cell.slice(0, at);
          const want = cell.slice(at + 1);
          const ov = await make();
          const got = outcome(() => (OPS[op] as Op)(ov, name));
          if (got !== want)
            wrong.push(`${op}(${name} → ${LINKS[name] ?? '-'}): kernel ${want}, vellum ${got}`);
          await ov.close();
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('refused writes leave nothing behind; the link itself is what unlink, rm and rename act on', async () => {
    const make = VARIANTS['links in a lower'] as () => Promise<Overlay>;
    let ov = await make();
    const before = ov.readdirSync('/').sort();
    for (const name of ['l', 'dl', 'dl2', 'c3']) {
      expect(outcome(() => ov.writeFileSync(`/${name}`, 'w'))).toBe('EISDIR');
      expect(outcome(() => ov.mkdirSync(`/${name}`, { recursive: true }))).not.toBe('ok');
    }
    // rm of 'ld/' (→ d/) refuses the symlink and leaves d whole.
    expect(outcome(() => ov.rmSync('/ld/', { recursive: true }))).toBe('ENOTDIR');
    expect(ov.readdirSync('/d').sort()).toEqual(['sl', 'sub', 'x']);
    expect(ov.readdirSync('/').sort()).toEqual(before);
    expect(ov.readFileSync('/file', 'utf8')).toBe('hi');
    ov.renameSync('/file2', '/l');
    expect(ov.lstatSync('/l').isFile()).toBe(true);
    expect(ov.readFileSync('/l', 'utf8')).toBe('two');
    ov.unlinkSync('/dl');
    ov.rmSync('/ld');
    expect(ov.existsSync('/d/x')).toBe(true);
    expect(ov.readdirSync('/').sort()).toEqual(
      before.filter((n) => n !== 'dl' && n !== 'ld' && n !== 'file2'),
    );
    await ov.close();
    // An error carries the call and the path given, as Node's do.
    ov = await make();
    // A last component '.' or '..' on a call that acts on a name: rmdir EINVAL / ENOTEMPTY
    // whatever is there, rename EBUSY.
    ov.mkdirSync('/e/f', { recursive: true });
    expect(outcome(() => ov.rmdirSync('/.'))).toBe('EINVAL');
    expect(outcome(() => ov.rmdirSync('/e/f/..'))).toBe('ENOTEMPTY');
    expect(outcome(() => ov.rmdirSync('/e/f/.'))).toBe('EINVAL');
    expect(outcome(() => ov.renameSync('/e/f/.', '/g'))).toBe('EBUSY');
    expect(ov.readdirSync('/e')).toEqual(['f']);
    expect(() => ov.statSync('/l')).toThrow(
      expect.objectContaining({ code: 'ENOTDIR', syscall: 'stat', path: '/l' }),
    );
    expect(() => ov.writeFileSync('/dl', 'w')).toThrow(
      expect.objectContaining({ code: 'EISDIR', syscall: 'open', path: '/dl' }),
    );
    await ov.close();
  });
});
