/**
 * The Python side of the `emscripten` suite: the timed operations, each timing itself with
 * `time.perf_counter()` inside Pyodide (so the figure is what the program sees, whichever way
 * its filesystem answers), and the data they run on.
 */
import type { Tree } from '@vellum/core';

/** Files of the walk (in directories of 100), files written, size of the big read. */
export const WALK_FILES = 10_000;
export const WRITE_FILES = 1_000;
export const WRITE_BYTES = 1024;
export const BIG_BYTES = 64 * 1024 * 1024;
/** The import tree: `bpkg/s<k>/m<j>.py`, SUBPACKAGES × MODULES modules plus the packages' `__init__`s. */
export const SUBPACKAGES = 20;
export const MODULES = 25;
export const MODULE_COUNT = 1 + SUBPACKAGES * (MODULES + 1);

/** Defines `bench_<op>(...) -> [ms, count]`; run once per Pyodide instance. */
export const PY_OPS = `
import importlib, os, sys, time
sys.dont_write_bytecode = True  # every import reads and compiles source, on every side alike

def bench_walk(root):
    t = time.perf_counter()
    n = sum(len(files) for _, _, files in os.walk(root + '/tree'))
    return [(time.perf_counter() - t) * 1000, n]

def bench_write(root, rep):
    d = f'{root}/out{rep}'
    data = b'x' * ${WRITE_BYTES}
    t = time.perf_counter()
    os.mkdir(d)
    for i in range(${WRITE_FILES}):
        with open(f'{d}/f{i}.bin', 'wb') as f:
            f.write(data)
    return [(time.perf_counter() - t) * 1000, ${WRITE_FILES}]

def bench_read(root):
    t = time.perf_counter()
    with open(root + '/big.bin', 'rb') as f:
        n = len(f.read())
    return [(time.perf_counter() - t) * 1000, n]

def bench_import(root, names):
    for k in [m for m in sys.modules if m == 'bpkg' or m.startswith('bpkg.')]:
        del sys.modules[k]
    sys.path.insert(0, root)
    importlib.invalidate_caches()
    t = time.perf_counter()
    for name in names:
        importlib.import_module(name)
    ms = (time.perf_counter() - t) * 1000
    sys.path.remove(root)
    return [ms, len([m for m in sys.modules if m == 'bpkg' or m.startswith('bpkg.')])]
`;

/** Every module of the import tree, leaves last. */
export function moduleNames(): string[] {
  const names: string[] = [];
  for (let k = 0; k < SUBPACKAGES; k++) for (let j = 0; j < MODULES; j++) names.push(`bpkg.s${k}.m${j}`);
  return names;
}

/** The walk tree and the big file (a memory lower on the Vellum side, copied into MEMFS on the other). */
export function dataTree(): Tree {
  const tree: Record<string, Record<string, string>> = {};
  for (let d = 0; d < WALK_FILES / 100; d++) {
    const dir: Record<string, string> = {};
    for (let f = 0; f < 100; f++) dir[`f${f}.txt`] = `file ${d}/${f}\n`;
    tree[`d${d}`] = dir;
  }
  return { tree, 'big.bin': new Uint8Array(BIG_BYTES).map((_, i) => i & 0xff) };
}

/** The pure-Python package: small modules with a function and a class each, as a real tree has. */
export function packageFiles(): Map<string, string> {
  const files = new Map<string, string>();
  files.set('bpkg/__init__.py', '"""A generated package for the import benchmark."""\n');
  for (let k = 0; k < SUBPACKAGES; k++) {
    files.set(`bpkg/s${k}/__init__.py`, `"""Subpackage ${k}."""\nVERSION = ${k}\n`);
    for (let j = 0; j < MODULES; j++) {
      files.set(
        `bpkg/s${k}/m${j}.py`,
        `"""Module ${k}.${j}."""\nimport math\n\nCONSTANT = ${k * 100 + j}\n\n\n` +
          `def compute(x):\n    """Something to compile."""\n    return math.sqrt(x) * CONSTANT + ${j}\n\n\n` +
          `class Thing${j}:\n    def __init__(self, value):\n        self.value = value\n\n` +
          `    def __repr__(self):\n        return f"Thing${j}({self.value!r})"\n` +
          `${'# padding line to give the module a realistic size\n'.repeat(20)}`,
      );
    }
  }
  return files;
}
