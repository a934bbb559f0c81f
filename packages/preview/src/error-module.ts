/**
 * A module that reports why the real one could not be served (a compile error, an
 * import that does not resolve): it shows the error over the page with file:line:column
 * and then throws, so the console and `window.onerror` see it too.
 */

/** Where a served module failed. */
export interface ModuleFailure {
  /** What went wrong. */
  message: string;
  /** The file, as an overlay path. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
}

/** The place as editors print it: `/src/app.tsx:3:14`. */
export function failurePlace({ file, line, column }: ModuleFailure): string {
  return line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`;
}

/** The JavaScript of the reporting module. */
export function errorModule(failure: ModuleFailure): string {
  const text = `${failurePlace(failure)}\n${failure.message}`;
  return `const text = ${JSON.stringify(text)};
const id = 'vellum-preview-error';
const box = document.getElementById(id) ?? document.createElement('pre');
box.id = id;
box.setAttribute('role', 'alert');
box.style.cssText = 'position:fixed;inset:0;margin:0;padding:24px;z-index:2147483647;background:rgba(24,0,0,.92);color:#ffd7d7;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;overflow:auto';
box.textContent = (box.isConnected ? box.textContent + '\\n\\n' : '') + text;
document.documentElement.append(box);
throw new SyntaxError(text);
`;
}
