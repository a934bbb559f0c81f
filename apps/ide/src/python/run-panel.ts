/**
 * The output panel of the Python runner: runs a workspace `.py` file in Pyodide in a Web Worker of
 * its own (see run-worker.ts), streams its stdout/stderr here, and stops it by terminating that
 * worker. While a script runs, the engine's `change` events (its writes come through the same
 * engine) refresh the tree and the changes panel.
 */
import type { OverlayClient } from '@vellum/worker';
import { el } from '../ui/dom.js';
import { setIsolation } from './isolation.js';
import type { RunnerMessage, RunRequest } from './protocol.js';

/** Where the workspace appears inside Pyodide (its default home's working folder). */
export const PYTHON_CWD = '/home/pyodide/work';

/** Pyodide's files as served by the app (pyodide-assets-plugin.ts), absolute for the worker. */
function indexURL(): string {
  return new URL(`${import.meta.env.BASE_URL}pyodide/`, window.location.href).href;
}

export class RunPanel {
  readonly element: HTMLElement;
  readonly #output = el('pre', { class: 'run-output', 'data-testid': 'run-output' });
  readonly #state = el('span', { class: 'run-state', 'data-testid': 'run-state' }, 'idle');
  readonly #stop = el(
    'button',
    { type: 'button', class: 'small', 'data-testid': 'run-stop', disabled: true, title: 'Stop the script' },
    'Stop',
  );
  #worker: Worker | undefined;
  #events: AbortController | undefined;

  constructor(
    readonly client: OverlayClient,
    /** Refreshes the tree and the changes panel (the script changed the workspace). */
    readonly changed: () => void,
  ) {
    this.#stop.addEventListener('click', () => this.stop());
    this.element = el(
      'section',
      { class: 'run-panel', 'data-testid': 'run-panel' },
      el('h2', {}, 'Python ', this.#state, this.#stop),
      this.#output,
    );
  }

  /** Whether a script is running. */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /**
   * Runs `script` (a workspace path) with the workspace as its working directory. Needs a
   * cross-origin isolated page: the runner's file calls block on a SharedArrayBuffer.
   */
  async run(script: string): Promise<void> {
    this.stop(false);
    this.#output.replaceChildren();
    if (!globalThis.crossOriginIsolated) {
      this.#notIsolated();
      return;
    }
    this.#setState(`loading Python for ${script}…`);
    const worker = new Worker(new URL('./run-worker.ts', import.meta.url), { type: 'module' });
    this.#worker = worker;
    this.#stop.disabled = false;
    const events = new AbortController();
    this.#events = events;
    this.client.addEventListener('change', () => this.changed(), { signal: events.signal });
    worker.addEventListener('message', (e: MessageEvent<RunnerMessage>) => this.#message(script, e.data));
    worker.addEventListener('error', (e) => this.#finish(`failed: ${e.message}`));
    const port = await this.client.syncPort();
    if (this.#worker !== worker) return;
    const request: RunRequest = { port, indexURL: indexURL(), cwd: PYTHON_CWD, script };
    worker.postMessage(request, [port]);
  }

  /** Stops the running script by ending its worker; what it wrote so far stays in the workspace. */
  stop(say = true): void {
    if (this.#worker === undefined) return;
    if (say) this.#line('stderr', '[stopped: the script was interrupted (its worker was terminated)]');
    this.#finish('stopped');
  }

  /** Ends the panel's worker (the workspace is being replaced). */
  dispose(): void {
    this.stop(false);
  }

  /**
   * Says why Python cannot run here and offers the reload that can (the IDE asks its server for an
   * isolated page by a cookie: see isolation.ts).
   */
  #notIsolated(): void {
    this.#line(
      'stderr',
      'Python needs a cross-origin isolated page: the runner waits on the workspace through a SharedArrayBuffer (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp), and this page is not isolated. Isolated, the preview can no longer open in a new tab (the browser cuts the IDE off from a tab of another origin); the preview pane works either way.',
    );
    const reload = el(
      'button',
      { type: 'button', class: 'small', 'data-testid': 'run-isolate' },
      'Reload isolated',
    );
    reload.addEventListener('click', () => {
      setIsolation(true);
      window.location.reload();
    });
    this.#output.append(reload);
    this.#setState('not isolated');
  }

  #message(script: string, m: RunnerMessage): void {
    if (m.type === 'started') this.#setState(`running ${script}`);
    else if (m.type === 'out') this.#line(m.stream, m.text);
    else if (m.type === 'exit') this.#finish(`exited with code ${m.code}`);
    else {
      this.#line('stderr', m.message);
      this.#finish('failed');
    }
  }

  #finish(state: string): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#events?.abort();
    this.#events = undefined;
    this.#stop.disabled = true;
    this.#setState(state);
    this.changed();
  }

  #line(stream: 'stdout' | 'stderr', text: string): void {
    this.#output.append(el('span', { class: stream, 'data-stream': stream }, `${text}\n`));
    this.#output.scrollTop = this.#output.scrollHeight;
  }

  #setState(state: string): void {
    this.#state.textContent = state;
    this.#state.dataset.state = state.split(' ')[0] ?? state;
  }
}
