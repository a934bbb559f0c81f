/** Side-by-side diff of a file against its base (read-only on both sides), with @codemirror/merge. */
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';
import { el } from './dom.js';
import { languageFor } from './languages.js';

export function diffView(
  path: string,
  base: string,
  current: string,
): { element: HTMLElement; destroy(): void } {
  const host = el('div', { class: 'diff-view', 'data-testid': 'diff-view', 'data-path': path });
  const readOnly = [
    basicSetup,
    languageFor(path),
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    // Two panes share the width: wrap rather than hide the end of long lines.
    EditorView.lineWrapping,
  ];
  const view = new MergeView({
    a: { doc: base, extensions: readOnly },
    b: { doc: current, extensions: readOnly },
    parent: host,
    collapseUnchanged: { margin: 3, minSize: 6 },
  });
  return { element: host, destroy: () => view.destroy() };
}
