/**
 * The editor: one CodeMirror view whose state is swapped per file, so every open file keeps its own
 * undo history and unsaved text. Ctrl/Cmd-S saves; a buffer whose text differs from what was last
 * saved (or loaded) is dirty.
 */
import { EditorState } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { basicSetup, EditorView } from 'codemirror';
import { languageFor } from './languages.js';

export interface EditorEvents {
  /**
   * Stores `text` at `path`; `saved` is what the buffer was loaded from (or last saved), for
   * noticing a file that changed underneath. Resolves true once stored, false if it was not.
   */
  save(path: string, text: string, saved: string): Promise<boolean>;
  dirtyChanged(): void;
}

/** A buffer as another editor (or a later page) takes it over: its text and what it was loaded from. */
export interface BufferCopy {
  path: string;
  text: string;
  saved: string;
}

interface Buffer {
  state: EditorState;
  saved: string;
  /** As last reported, so a keystroke that does not flip it does not redraw the tree. */
  dirty: boolean;
}

export class Editor {
  readonly element: HTMLElement;
  readonly view: EditorView;
  readonly #buffers = new Map<string, Buffer>();
  #current: string | undefined;

  /** `readOnly`: text can be read and selected, not changed (a tab that does not write the workspace). */
  constructor(
    readonly events: EditorEvents,
    readonly readOnly = false,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'editor';
    this.element.dataset.testid = 'editor';
    if (readOnly) this.element.dataset.readOnly = 'true';
    this.view = new EditorView({ parent: this.element });
  }

  get current(): string | undefined {
    return this.#current;
  }

  dirtyPaths(): string[] {
    return [...this.#buffers].filter(([, b]) => b.dirty).map(([p]) => p);
  }

  isDirty(path: string): boolean {
    return this.dirtyPaths().includes(path);
  }

  /** Shows `path`; an open buffer keeps its unsaved text, a new one starts from `text`. */
  show(path: string, text: string): void {
    this.#stash();
    let buffer = this.#buffers.get(path);
    if (!buffer) {
      buffer = { state: this.#newState(path, text), saved: text, dirty: false };
      this.#buffers.set(path, buffer);
    }
    this.#current = path;
    this.view.setState(buffer.state);
    this.element.dataset.path = path;
  }

  /** The file changed on disk (revert, reset): a clean buffer follows it, a dirty one is left alone. */
  reload(path: string, text: string): void {
    this.#stash();
    const buffer = this.#buffers.get(path);
    if (!buffer || buffer.state.doc.toString() !== buffer.saved) return;
    buffer.state = this.#newState(path, text);
    buffer.saved = text;
    buffer.dirty = false;
    if (this.#current === path) this.view.setState(buffer.state);
  }

  /** Replaces the buffer of `path` with `text` as loaded now, dropping its unsaved edits (the user chose to). */
  replace(path: string, text: string): void {
    this.#stash();
    const buffer = this.#buffers.get(path);
    if (!buffer) return;
    buffer.state = this.#newState(path, text);
    buffer.saved = text;
    buffer.dirty = false;
    if (this.#current === path) this.view.setState(buffer.state);
    this.events.dirtyChanged();
  }

  /** Forgets buffers at or below `path` (deleted, or reset away). */
  forget(path: string): void {
    this.#stash();
    for (const p of [...this.#buffers.keys()])
      if (p === path || p.startsWith(`${path}/`)) this.#buffers.delete(p);
    if (this.#current !== undefined && (this.#current === path || this.#current.startsWith(`${path}/`)))
      this.#current = undefined;
    this.events.dirtyChanged();
  }

  forgetAll(): void {
    this.#buffers.clear();
    this.#current = undefined;
    this.events.dirtyChanged();
  }

  /** Buffers follow a rename or move of their file or of a folder above it. */
  move(from: string, to: string): void {
    this.#stash();
    for (const [p, b] of [...this.#buffers]) {
      if (p !== from && !p.startsWith(`${from}/`)) continue;
      this.#buffers.delete(p);
      this.#buffers.set(to + p.slice(from.length), b);
    }
    if (this.#current !== undefined && (this.#current === from || this.#current.startsWith(`${from}/`)))
      this.#current = to + this.#current.slice(from.length);
    this.events.dirtyChanged();
  }

  /** Every open buffer's text and last saved text (what another editor needs to take them over). */
  buffers(): BufferCopy[] {
    this.#stash();
    return [...this.#buffers].map(([path, b]) => ({ path, text: b.state.doc.toString(), saved: b.saved }));
  }

  /**
   * Takes over buffers from another editor (a workspace reopened over a new stack): their text,
   * unsaved edits included, in new states, since a state's key bindings belong to its editor.
   */
  restore(buffers: readonly BufferCopy[]): void {
    for (const { path, text, saved } of buffers)
      this.#buffers.set(path, { state: this.#newState(path, text), saved, dirty: text !== saved });
    this.events.dirtyChanged();
  }

  async save(): Promise<void> {
    const path = this.#current;
    if (path === undefined) return;
    const text = this.view.state.doc.toString();
    this.#stash();
    const before = this.#buffers.get(path);
    if (!before || !(await this.events.save(path, text, before.saved))) return;
    // The editor may show another file by now: the saved buffer's own state says whether it is dirty.
    this.#stash();
    const buffer = this.#buffers.get(path);
    if (buffer) {
      buffer.saved = text;
      buffer.dirty = buffer.state.doc.toString() !== text;
    }
    this.events.dirtyChanged();
  }

  #stash(): void {
    if (this.#current === undefined) return;
    const buffer = this.#buffers.get(this.#current);
    if (buffer) buffer.state = this.view.state;
  }

  #newState(path: string, text: string): EditorState {
    return EditorState.create({
      doc: text,
      extensions: [
        keymap.of([
          {
            key: 'Mod-s',
            preventDefault: true,
            run: () => {
              void this.save();
              return true;
            },
          },
        ]),
        basicSetup,
        languageFor(path),
        EditorState.readOnly.of(this.readOnly),
        EditorView.editable.of(!this.readOnly),
        // Only the shown buffer gets updates; look it up by the current path, which follows renames.
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || this.#current === undefined) return;
          const buffer = this.#buffers.get(this.#current);
          if (!buffer) return;
          const dirty = update.state.doc.toString() !== buffer.saved;
          if (dirty !== buffer.dirty) {
            buffer.dirty = dirty;
            this.events.dirtyChanged();
          }
        }),
      ],
    });
  }
}
