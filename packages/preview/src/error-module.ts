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

/**
 * `show(text)`: the box over the page both reporters draw in (the error modules, and the page
 * script for errors the browser finds), as the source of a JavaScript function.
 */
export const SHOW_ERROR = `function show(text) {
  const id = 'vellum-preview-error';
  const box = document.getElementById(id) ?? document.createElement('pre');
  box.id = id;
  box.setAttribute('role', 'alert');
  box.style.cssText = 'position:fixed;inset:0;margin:0;padding:24px;z-index:2147483647;background:rgba(24,0,0,.92);color:#ffd7d7;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;overflow:auto';
  box.textContent = (box.isConnected ? box.textContent + '\\n\\n' : '') + text;
  document.documentElement.append(box);
}`;

/** The place as editors print it: `/src/app.tsx:3:14`. */
export function failurePlace({ file, line, column }: ModuleFailure): string {
  return line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`;
}

/**
 * The JavaScript of the reporting module. It declares the failed module's export names
 * (`exports`), so that its importers link and it gets to run and report: an import of a
 * name it lacks would fail before any module runs, with a message about the name.
 */
export function errorModule(failure: ModuleFailure, exports: readonly string[] = []): string {
  const text = `${failurePlace(failure)}\n${failure.message}`;
  const names = [...new Set(exports)];
  const declared = names.map((_, i) => `_${i}`);
  const exported =
    names.length === 0
      ? ''
      : `let ${declared.join(', ')};\nexport { ${names.map((n, i) => `_${i} as ${JSON.stringify(n)}`).join(', ')} };\n`;
  return `${exported}const text = ${JSON.stringify(text)};
${SHOW_ERROR}
show(text);
throw Object.assign(new SyntaxError(text), { vellumShown: true });
`;
}
