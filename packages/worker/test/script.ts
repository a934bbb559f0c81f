/** One script of calls for the in-process engine and the client, and comparable forms of their answers. */
import { dir, file, hardlink, symlink, type Tree, whiteout } from '@vellum/core';
import type { LowerDescriptor } from '../src/index.js';

export const TREES: Tree[] = [
  {
    'README.md': '# top',
    src: { 'main.ts': 'export const top = 1;\n', util: { 'a.ts': 'a' } },
    bin: { run: file('#!/bin/sh\n', { mode: 0o755 }) },
    link: symlink('README.md'),
    same: hardlink('/README.md'),
    gone: whiteout(),
    shadow: dir({ 'new.txt': 'n' }, { opaque: true }),
  },
  {
    gone: 'hidden by a whiteout',
    shadow: { 'old.txt': 'hidden by opaque' },
    src: { 'lib.ts': 'from the bottom' },
    big: new Uint8Array(200_000).map((_, i) => i & 0xff),
  },
];

export type Step = [method: string, ...args: unknown[]];
export const SCRIPT: Step[] = [
  ['readdir', '/'],
  ['readdir', '/src', { withFileTypes: true }],
  ['readdir', '/src', { recursive: true }],
  ['stat', '/README.md'],
  ['lstat', '/link'],
  ['stat', '/link'],
  ['readlink', '/link'],
  ['realpath', '/link'],
  ['readFile', '/src/lib.ts', 'utf8'],
  ['readFile', '/big'],
  ['readFile', '/gone'],
  ['readFile', '/shadow/old.txt'],
  ['readFile', '/src'],
  ['access', '/nope'],
  ['origin', '/src/lib.ts'],
  ['writeFile', '/src/main.ts', 'export const top = 2;\n'],
  ['appendFile', '/src/main.ts', new Uint8Array([47, 47, 10])],
  ['readFile', '/src/main.ts', 'utf8'],
  ['writeFile', '/new/file.txt', 'x'],
  ['mkdir', '/new/deeper/still', { recursive: true }],
  ['mkdir', '/src'],
  ['mkdir', '/README.md/x'],
  ['writeFile', '/big', new Uint8Array([1, 2, 3]), { flag: 'r+' }],
  ['readFile', '/big'],
  ['chmod', '/bin/run', 0o700],
  ['origin', '/bin/run'],
  ['stat', '/same'],
  ['link', '/src/lib.ts', '/src/lib2.ts'],
  ['link', '/src/lib.ts', '/README.md'],
  ['symlink', '../README.md', '/src/readme'],
  ['copyFile', '/README.md', '/copy.md'],
  ['copyFile', '/missing', '/copy2.md'],
  ['rename', '/src/util', '/util2'],
  ['rename', '/nope', '/x'],
  ['rename', '/README.md', '/copy.md', { noReplace: true }],
  ['readdir', '/util2', { withFileTypes: true }],
  ['unlink', '/src/lib.ts'],
  ['unlink', '/src'],
  ['rmdir', '/new'],
  ['rm', '/new'],
  ['rm', '/new', { recursive: true }],
  ['rm', '/nope', { force: true }],
  ['truncate', '/copy.md', 2],
  ['readFile', '/copy.md', 'utf8'],
  ['utimes', '/copy.md', 1000, 2000],
  ['stat', '/copy.md'],
  ['readdir', '/nope'],
  ['readdir', '/README.md'],
  ['changes'],
  ['usage'],
];

export type AnyFs = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** Comparable form of an answer; times of new objects differ between the two runs, so stats keep the rest. */
export function normal(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return { bytes: value.length, sum: value.reduce((a, b) => (a * 31 + b) >>> 0, 0) };
  if (Array.isArray(value)) return value.map(normal);
  if (typeof value !== 'object' || value === null) return value;
  const v = value as Record<string, unknown> & { isFile?: () => boolean };
  if (typeof v.isFile === 'function') {
    const t = value as { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean };
    const kind = { file: t.isFile(), dir: t.isDirectory(), symlink: t.isSymbolicLink() };
    if ('name' in v) return { ...kind, name: v.name, parentPath: v.parentPath, ino: v.ino };
    const { atimeMs: _a, mtimeMs: _m, ctimeMs: _c, birthtimeMs: _b, ...rest } = v;
    return { ...kind, ...rest, times: v.mtimeMs === 2_000_000 ? 'set' : 'any' };
  }
  return value;
}

export async function answer(fs: AnyFs, [method, ...args]: Step): Promise<unknown> {
  try {
    return { value: normal(await fs[method]?.(...args)) };
  } catch (error) {
    const e = error as Error & Record<string, unknown>;
    return {
      error: {
        name: e.name,
        message: e.message,
        code: e.code,
        errno: e.errno,
        syscall: e.syscall,
        path: e.path,
        dest: e.dest,
      },
    };
  }
}

/** Descriptors of the lowers core's `layersOf(trees)` builds (same ids and times). */
export function descriptors(trees: Tree[]): LowerDescriptor[] {
  return trees.map((tree, i) => ({ type: 'memory', tree, mtimeMs: 1_000_000 + i, id: `l${i}` }));
}
