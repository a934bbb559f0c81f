/**
 * What one Python call costs in overlay calls: in way (b) each is a blocking round trip to the
 * engine's worker, so the count is the cost. Writing a new file is 7: two lookups of the missing
 * name (Emscripten's FS.open and its mknod each look it up), the create (its descriptor is kept
 * for the open that follows), the chmod FS.open makes after creating, Python's fstat, the write,
 * the close. Reading a file is 7 too.
 */
import { MemoryLayer, MemoryUpper, Overlay } from '@vellum/core';
import { loadPyodide } from 'pyodide';
import { expect, test } from 'vitest';
import { mountOverlay, type SyncFs } from '../src/index.js';

test('the overlay calls of writing a new file and of reading one', async () => {
  const pyodide = await loadPyodide();
  const ov = await Overlay.create({
    lowers: [MemoryLayer.fromTree({ d: { 'r.txt': 'read me' } })],
    upper: new MemoryUpper(),
  });
  const calls: string[] = [];
  const counted = new Proxy(ov, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return value.apply(target, args);
      };
    },
  }) as unknown as SyncFs;
  mountOverlay(pyodide.FS, counted, '/w');
  pyodide.runPython("import os\nos.chdir('/w/d')"); // the directories are looked up (and cached) once

  calls.length = 0;
  pyodide.runPython("f = open('new.bin', 'wb')\nf.write(b'x' * 1024)\nf.close()");
  expect(calls).toEqual([
    'lstatSync',
    'lstatSync',
    'openSync',
    'chmodSync',
    'fstatSync',
    'writeSync',
    'closeSync',
  ]);

  calls.length = 0;
  pyodide.runPython("f = open('r.txt', 'rb')\ndata = f.read()\nf.close()");
  expect(pyodide.globals.get('data').toJs().length).toBe(7);
  // The lookup, the open, Python's fstat at open and readall's for the size, the read and the
  // read that finds the end, the close.
  expect(calls).toEqual([
    'lstatSync',
    'openSync',
    'fstatSync',
    'fstatSync',
    'readSync',
    'readSync',
    'closeSync',
  ]);
  expect(await ov.readFile('/d/new.bin')).toHaveLength(1024);
});
