/** Messages between the IDE's page and its Python runner worker. */

/** What the page sends the runner: one script to run. */
export interface RunRequest {
  /** A port of the IDE's engine for `connectSync` (from `OverlayClient.syncPort()`). */
  port: MessagePort;
  /** Where Pyodide's files are served (the app's /pyodide/, ending in a slash). */
  indexURL: string;
  /** Where the workspace is mounted in Pyodide's FS; the script runs there. */
  cwd: string;
  /** The workspace path of the script, e.g. `/lesson/python/stats.py`. */
  script: string;
}

/** What the runner posts back. */
export type RunnerMessage =
  | { type: 'started' }
  | { type: 'out'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'exit'; code: number }
  | { type: 'error'; message: string };
