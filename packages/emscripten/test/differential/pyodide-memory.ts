import type { PyodideAPI } from 'pyodide';
import type { EmscriptenMemory } from '../../src/index.js';

/** Pyodide's Emscripten module (`pyodide._module`), which its public typings leave out. */
export function pyodideMemory(pyodide: PyodideAPI): EmscriptenMemory {
  return (pyodide as unknown as { _module: EmscriptenMemory })._module;
}
