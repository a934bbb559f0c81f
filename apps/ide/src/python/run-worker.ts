/**
 * The Python runner's Web Worker: loads Pyodide from the app's own copy of the npm package's
 * files, mounts the workspace at Pyodide's working directory through `@vellum/worker`'s
 * SharedArrayBuffer channel (`connectSync` on a port of the IDE's engine: every file call blocks
 * here while the engine worker answers, so the IndexedDB upper and lazy zip lowers work), runs one
 * script and streams what it prints. Stopping is the page terminating this worker: a script in a
 * loop never yields, so nothing short of that ends it.
 */
import { mountOverlay } from '@vellum/emscripten';
import { connectSync } from '@vellum/worker';
import { loadPyodide } from 'pyodide';
import type { RunnerMessage, RunRequest } from './protocol.js';

const post = (m: RunnerMessage): void =>
  (self as unknown as { postMessage(m: RunnerMessage): void }).postMessage(m);

self.addEventListener('message', async (event: MessageEvent<RunRequest>) => {
  const { port, indexURL, cwd, script } = event.data;
  try {
    const pyodide = await loadPyodide({
      indexURL,
      stdout: (line) => post({ type: 'out', stream: 'stdout', text: line }),
      stderr: (line) => post({ type: 'out', stream: 'stderr', text: line }),
    });
    mountOverlay(pyodide.FS, connectSync(port), cwd);
    post({ type: 'started' });
    pyodide.globals.set('__vellum_cwd', cwd);
    pyodide.globals.set('__vellum_script', script);
    // As `python script.py` from the workspace root: the script's folder first on sys.path.
    const code = await pyodide.runPythonAsync(`
import os, sys, runpy, traceback
os.chdir(__vellum_cwd)
_path = os.path.join(__vellum_cwd, __vellum_script.lstrip('/'))
sys.path.insert(0, os.path.dirname(_path))
sys.argv = [_path]
_code = 0
try:
    runpy.run_path(_path, run_name='__main__')
except SystemExit as e:
    _code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
except BaseException:
    traceback.print_exc()
    _code = 1
sys.stdout.flush(); sys.stderr.flush()
_code
`);
    post({ type: 'exit', code: Number(code) });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
