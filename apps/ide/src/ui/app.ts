/**
 * The IDE's page: lays out the tree, the editor and the changes panel, and turns their events into
 * filesystem calls on the workspace. Every call goes through `run`, which reports failures in the
 * status bar and refreshes the tree and the changes from the overlay afterwards.
 *
 * Nothing is lost without asking: "Reset to base" and "Revert" ask first and can be undone once
 * (`UndoPoint`, the Undo button in the status bar); a save over a file that changed since its buffer
 * was loaded asks before overwriting; leaving the page with unsaved buffers asks (`beforeunload`).
 * A tab that opened its workspace read-only (another tab writes it) says so, refuses edits, and
 * follows the writer's saves.
 */
import type { Change } from '@vellum/core';
import { movesBack, revertChange } from '../fs/revert.js';
import { UndoPoint } from '../fs/undo-point.js';
import { PreviewPane } from '../preview/pane.js';
import { RunPanel } from '../python/run-panel.js';
import type { Workspace } from '../workspace.js';
import { keepUnsaved } from '../workspaces/unsaved.js';
import { askChoice, askName, confirmAction } from './ask.js';
import { ChangesPanel } from './changes-panel.js';
import { diffView } from './diff-view.js';
import { el, formatBytes } from './dom.js';
import { type BufferCopy, Editor } from './editor.js';
import { FileTree } from './file-tree.js';
import { hexView } from './hex-view.js';
import { asText } from './text.js';
import { baseName, parentOf, TreeModel } from './tree-model.js';
import { UndoOffer } from './undo-offer.js';
import { type WorkspaceActions, workspaceBar } from './workspace-bar.js';

/** Where the IDE remembers that the preview is shown. */
const PREVIEW_KEY = 'vellum-ide-preview';

const join = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);

/** Hands `bytes` to the browser as a download called `name`. */
function download(bytes: Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

type CenterView =
  | { kind: 'none' }
  | { kind: 'editor' | 'hex'; path: string }
  | { kind: 'diff'; path: string; destroy(): void };

export class App {
  readonly element: HTMLElement;
  readonly #model = new TreeModel();
  readonly #tree: FileTree;
  readonly #editor: Editor;
  readonly #changes: ChangesPanel;
  /** The workspace's app running on the preview origin, while the preview is shown. */
  #preview: PreviewPane | undefined;
  /** The Python runner's output panel, from the first Run on. */
  #runPanel: RunPanel | undefined;
  readonly #right = el('aside', { class: 'right' });
  readonly #center = el('div', { class: 'center-body' });
  readonly #title = el('span', { class: 'title-path', 'data-testid': 'title-path' });
  readonly #titleDirty = el('span', { class: 'dirty', 'data-testid': 'title-dirty', hidden: true }, '●');
  readonly #titleActions = el('span', { class: 'title-actions' });
  readonly #askHost = el('div', { class: 'ask-host' });
  readonly #statusText = el('span', { 'data-testid': 'status-text' });
  readonly #status = el('div', { class: 'statusbar', 'data-testid': 'status' }, this.#statusText);
  readonly #upload = el('input', {
    type: 'file',
    multiple: true,
    hidden: true,
    'data-testid': 'upload-input',
  });
  #view: CenterView = { kind: 'none' };
  #showDeleted = false;
  #lastChanges: Change[] = [];
  /** Ends the listeners this view put outside its own element (on `window`). */
  readonly #disposed = new AbortController();
  /** The one undo on offer (the last reset, revert or workspace deletion). */
  readonly #undo: UndoOffer;
  /** The page is being left by the IDE itself, its unsaved buffers kept: no `beforeunload` prompt. */
  #leaving = false;

  constructor(
    readonly ws: Workspace,
    readonly actions: WorkspaceActions & { acceptBase(): Promise<void> },
  ) {
    this.#undo = new UndoOffer(this.#status, (fn) => this.run(fn));
    this.#tree = new FileTree(this.#model, {
      open: (row) => void this.run(() => this.open(row.path)),
      move: (from, toDir) => void this.run(() => this.#move(from, join(toDir, baseName(from)))),
      upload: (files, toDir) => void this.run(() => this.#uploadFiles(files, toDir)),
    });
    this.#editor = new Editor(
      {
        save: (path, text, saved) => this.#save(path, text, saved),
        dirtyChanged: () => this.#showDirty(),
      },
      ws.readOnly,
    );
    this.#changes = new ChangesPanel(
      {
        open: (c) =>
          void this.run(async () => {
            if (c.change === 'deleted') await this.#revealDeleted(c.path);
            else if (c.type === 'file') await this.open(c.path);
            else this.#tree.select(c.path, true);
          }),
        diff: (c) => void this.run(() => this.showDiff(c.path)),
        revert: (c) => void this.run(() => this.revert(c.path)),
      },
      ws.readOnly,
    );
    this.#upload.addEventListener('change', () => {
      const files = [...(this.#upload.files ?? [])];
      this.#upload.value = '';
      void this.run(() => this.#uploadFiles(files, this.#targetDir()));
    });
    this.element = this.#layout();
    window.addEventListener(
      'keydown',
      (e) => {
        // Outside the editor too, Ctrl/Cmd-S saves instead of the browser's "Save page".
        // The editor's own Mod-s binding has already handled (and prevented) it when focus is there.
        if (!e.defaultPrevented && (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
          e.preventDefault();
          void this.#editor.save();
        }
      },
      { signal: this.#disposed.signal },
    );
    window.addEventListener(
      'beforeunload',
      (e) => {
        if (this.#leaving || this.#editor.dirtyPaths().length === 0) return;
        // Both spellings: Chromium asks on preventDefault, older engines on a returnValue.
        e.preventDefault();
        e.returnValue = '';
      },
      { signal: this.#disposed.signal },
    );
    if (ws.readOnly)
      ws.fs.client.addEventListener('remote-change', () => void this.#followWriter(), {
        signal: this.#disposed.signal,
      });
  }

  /** The file shown in the editor, if one is. */
  get editing(): string | undefined {
    return this.#view.kind === 'editor' ? this.#view.path : undefined;
  }

  /** Takes over the open buffers of the view this one replaces, unsaved text included. */
  adopt(previous: App): void {
    this.#editor.restore(previous.#editor.buffers());
  }

  /** Takes back buffers kept when this tab last left the workspace (they stay unsaved). */
  restoreUnsaved(buffers: readonly BufferCopy[]): void {
    this.#editor.restore(buffers);
  }

  /**
   * Leaves the page for `url` (another workspace), keeping this workspace's unsaved buffers for
   * when this tab comes back to it: nothing to ask, so no `beforeunload` prompt.
   */
  leave(url: string): void {
    keepUnsaved(this.ws.record?.id, this.#editor.buffers());
    this.#leaving = true;
    window.location.assign(url);
  }

  /**
   * Detaches this view from the page before another replaces it (a workspace reopened over a new
   * stack): its window listeners go, and it stops refreshing from a workspace about to be closed.
   */
  dispose(): void {
    this.#disposed.abort();
    this.#preview?.dispose();
    this.#runPanel?.dispose();
    this.#undo.drop();
  }

  /** Runs one user action; errors go to the status bar, and the views are refreshed from the overlay. */
  async run(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EROFS')
        this.#say('Read-only: this workspace is open for writing in another tab; nothing was changed', true);
      else this.#say(error instanceof Error ? error.message : String(error), true);
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (this.#disposed.signal.aborted) return;
    const [entries, changes] = await Promise.all([this.ws.fs.walk(), this.ws.fs.changes()]);
    this.#lastChanges = changes;
    this.#model.set(entries, changes, this.#showDeleted, this.ws.lowerNames);
    this.#tree.refresh();
    this.#changes.set(changes);
    // The title's buttons depend on whether the shown file is changed.
    if (this.#view.kind !== 'none')
      this.#setTitle(this.#view.path, this.#view.kind === 'diff' ? 'diff against base' : undefined);
    document.body.dataset.changes = String(changes.length);
  }

  async open(path: string): Promise<void> {
    const bytes = await this.ws.fs.readFile(path);
    this.#closeView();
    this.#tree.select(path, true);
    const text = asText(bytes);
    if (text === undefined) {
      this.#center.replaceChildren(hexView(path, bytes));
      this.#view = { kind: 'hex', path };
    } else {
      this.#editor.show(path, text);
      this.#center.replaceChildren(this.#editor.element);
      this.#view = { kind: 'editor', path };
    }
    this.#setTitle(path);
  }

  async showDiff(path: string): Promise<void> {
    const current = asText(await this.ws.fs.readFile(path)) ?? '';
    const base = (await this.ws.base.lstat(path)) ? (asText(await this.ws.base.readFile(path)) ?? '') : '';
    this.#closeView();
    const view = diffView(path, base, current);
    this.#center.replaceChildren(view.element);
    this.#view = { kind: 'diff', path, destroy: view.destroy };
    this.#setTitle(path, 'diff against base');
  }

  /**
   * Reverts `path` (moved entries go back to their base name first), after asking, then refreshes
   * what shows it; undoable once from the status bar.
   */
  async revert(path: string): Promise<void> {
    const change: Change = this.#lastChanges.find((c) => c.path === path) ?? {
      path,
      type: null,
      change: 'modified',
    };
    const inBase = (await this.ws.base.lstat(path)) !== undefined;
    const what = (await movesBack(this.ws.fs, change))
      ? `${path} goes back to ${change.from}, as the base has it there.`
      : inBase
        ? `${path} becomes what the base has there${change.change === 'deleted' ? ' (it comes back)' : ''}; what this workspace holds at that name is dropped.`
        : `${path} is not in the base: it goes, with what this workspace holds there.`;
    const going = (await movesBack(this.ws.fs, change)) ? [] : await this.#unsavedGoing(path);
    if (
      !(await confirmAction(
        `Revert ${path} to the base?`,
        `${what}${going.length > 0 ? ` Unsaved edits go with it: ${going.join(', ')}.` : ''}\nYou can undo it from the status bar (the files, not unsaved edits).`,
        'Revert',
      ))
    )
      return;
    const point = await UndoPoint.take(this.ws, `revert of ${path}`);
    let at: string;
    try {
      at = await revertChange(this.ws.fs, this.ws.base, change);
    } catch (error) {
      await point.close();
      throw error;
    }
    if (at !== path) this.#editor.move(path, at);
    const shown = this.#view.kind === 'none' ? undefined : this.#view.path;
    const diff = this.#view.kind === 'diff';
    await this.#reloadBuffers();
    this.#offerUndo(point, `Reverted ${at} to the base`);
    // Moved back: what was shown below the new name is shown at the old one.
    if (at !== path && shown !== undefined && (shown === path || shown.startsWith(`${path}/`))) {
      const moved = at + shown.slice(path.length);
      if ((await this.ws.fs.lstat(moved))?.kind === 'file')
        await (diff ? this.showDiff(moved) : this.open(moved));
    }
  }

  /**
   * The unsaved buffers at or below `scope` whose file the base does not have: resetting or
   * reverting `scope` removes the file, and the buffer goes with it (the question says so first).
   */
  async #unsavedGoing(scope: string): Promise<string[]> {
    const going: string[] = [];
    for (const p of this.#editor.dirtyPaths())
      if ((scope === '/' || p === scope || p.startsWith(`${scope}/`)) && !(await this.ws.base.lstat(p)))
        going.push(p);
    return going;
  }

  /** Drops every change of the workspace, after asking; undoable once from the status bar. */
  async reset(): Promise<void> {
    const changes = await this.ws.fs.changes();
    if (changes.length === 0) {
      this.#say('Nothing to reset: the workspace equals its base');
      return;
    }
    const going = await this.#unsavedGoing('/');
    const staying = this.#editor.dirtyPaths().length - going.length;
    if (
      !(await confirmAction(
        'Reset the workspace to its base?',
        `Every change in the upper layer goes (${changes.length} change${changes.length === 1 ? '' : 's'}).` +
          (going.length > 0
            ? ` Unsaved edits of files the base does not have go too: ${going.join(', ')}.`
            : '') +
          (staying > 0 ? ` ${staying} unsaved buffer${staying === 1 ? ' stays' : 's stay'} open.` : '') +
          '\nYou can undo it from the status bar (the files, not unsaved edits).',
        'Reset',
      ))
    )
      return;
    const point = await UndoPoint.take(this.ws, 'reset');
    try {
      await this.ws.fs.reset();
    } catch (error) {
      await point.close();
      throw error;
    }
    await this.#reloadBuffers();
    this.#offerUndo(point, 'Reset: the workspace is the base again');
  }

  /**
   * Saves a buffer. `saved` is what the buffer was loaded from: if the file no longer holds that
   * (another tab saved it, an imported lower or a new base shows another version, a revert), the
   * user chooses between overwriting it, taking its current content, or going on editing.
   */
  async #save(path: string, text: string, saved: string): Promise<boolean> {
    let stored = false;
    await this.run(async () => {
      if (this.ws.readOnly)
        throw new Error('Read-only: this workspace is open for writing in another tab; not saved');
      const now = (await this.ws.fs.lstat(path)) ? asText(await this.ws.fs.readFile(path)) : undefined;
      if (now !== saved) {
        const choice = await askChoice(
          `${path} changed since it was opened`,
          `${now === undefined ? 'It is gone (or is no longer text)' : 'It holds another version now'}: another tab saved it, an imported lower or a new base shows another one, or it was reverted. Saving writes your version over it.`,
          [
            { key: 'overwrite', label: 'Overwrite with my version', primary: true },
            ...(now === undefined ? [] : [{ key: 'reload' as const, label: 'Load its current version' }]),
          ],
        );
        if (choice === 'reload' && now !== undefined) {
          this.#editor.replace(path, now);
          this.#say(`Loaded the current version of ${path}; your edits were dropped`);
          return;
        }
        if (choice !== 'overwrite') {
          this.#say(`Not saved: ${path} changed underneath; your edits are still in the editor`);
          return;
        }
      }
      await this.ws.fs.mkdir(parentOf(path), { recursive: true });
      await this.ws.fs.writeFile(path, text);
      stored = true;
      this.#say(`Saved ${path} (${formatBytes(new TextEncoder().encode(text).length)}) to the upper layer`);
    });
    return stored;
  }

  /**
   * Open buffers follow the files after the workspace changed under them (a reset, a revert, an
   * undo, the writer's save seen by a read-only tab): a buffer whose file is gone goes with it (the
   * reset or revert said so first); a clean one takes the file's content; an unsaved one is left as
   * it is (its save will ask).
   */
  async #reloadBuffers(): Promise<void> {
    for (const { path, text, saved } of this.#editor.buffers()) {
      const there = (await this.ws.fs.lstat(path))?.kind === 'file';
      if (!there) this.#editor.forget(path);
      else if (text === saved) {
        const now = asText(await this.ws.fs.readFile(path));
        // No longer text: the buffer goes, and the file shows as bytes.
        if (now === undefined) this.#editor.forget(path);
        else this.#editor.reload(path, now);
      }
    }
    const shown = this.#view.kind === 'none' ? undefined : this.#view.path;
    if (shown === undefined) return;
    const there = await this.ws.fs.lstat(shown);
    if (!there) this.#clearCenter();
    else if (this.#view.kind === 'diff') await this.showDiff(shown);
    else if (this.#view.kind === 'hex' || this.#editor.current !== shown) await this.open(shown);
  }

  /** A read-only tab heard the writer commit: its view already shows it; redraw and follow. */
  async #followWriter(): Promise<void> {
    await this.refresh();
    await this.#reloadBuffers();
    document.body.dataset.remoteChanges = String(Number(document.body.dataset.remoteChanges ?? '0') + 1);
  }

  /**
   * Says `message` with an Undo button that restores `point`. The offer ends at the next change to
   * the workspace (undoing then would drop that change too), or at the next offer.
   */
  #offerUndo(point: UndoPoint, message: string): void {
    this.#say(message);
    this.#undo.offer(
      `Undo ${point.label}`,
      async () => {
        try {
          await point.restore(this.ws);
        } finally {
          await point.close();
        }
        await this.refresh();
        await this.#reloadBuffers();
        this.#say(
          `Undone: the ${point.label} (${point.changes} change${point.changes === 1 ? '' : 's'} back)`,
        );
      },
      () => void point.close(),
    );
    // The client's `change` event fires for every mutating call made after this one.
    this.#undo.until(this.ws.fs.client, 'change');
  }

  async exportZip(): Promise<void> {
    const changes = await this.ws.fs.changes();
    const zip = await this.ws.fs.changesZip();
    download(zip, 'vellum-changes.zip', 'application/zip');
    this.#say(`Exported ${changes.length} changes as a zip (${formatBytes(zip.length)})`);
  }

  async exportTar(): Promise<void> {
    const changes = await this.ws.fs.changes();
    const tar = await this.ws.fs.changesTar();
    download(tar, 'vellum-layer.tar', 'application/x-tar');
    this.#say(`Exported ${changes.length} changes as an OCI layer tar (${formatBytes(tar.length)})`);
  }

  // ── tree actions ─────────────────────────────────────────────────────

  /** The folder new entries go to: the selected folder, or the selected file's folder. */
  #targetDir(): string {
    const sel = this.#tree.selected;
    const row = sel === undefined ? undefined : this.#model.all.get(sel);
    if (!row || row.ghost) return '/';
    return row.kind === 'dir' ? row.path : parentOf(row.path);
  }

  async #newEntry(kind: 'file' | 'dir'): Promise<void> {
    const dir = this.#targetDir();
    const name = await askName(
      this.#askHost,
      kind === 'file' ? `New file in ${dir}` : `New folder in ${dir}`,
    );
    if (name === undefined) return;
    const path = join(dir, name);
    if (await this.ws.fs.lstat(path)) throw new Error(`${path} already exists`);
    if (kind === 'dir') {
      await this.ws.fs.mkdir(path, { recursive: true });
      this.#model.expanded.add(path);
      this.#tree.select(path, true);
    } else {
      await this.ws.fs.mkdir(parentOf(path), { recursive: true });
      await this.ws.fs.writeFile(path, '');
      await this.refresh();
      await this.open(path);
    }
    this.#say(`Created ${path}`);
  }

  async #rename(): Promise<void> {
    const path = this.#tree.selected;
    if (path === undefined || this.#model.all.get(path)?.ghost)
      throw new Error('Select a file or folder to rename');
    const name = await askName(this.#askHost, `Rename ${path} to`, baseName(path));
    if (name === undefined || name === baseName(path)) return;
    await this.#move(path, join(parentOf(path), name));
  }

  async #move(from: string, to: string): Promise<void> {
    if (await this.ws.fs.lstat(to)) throw new Error(`${to} already exists`);
    await this.ws.fs.rename(from, to);
    this.#editor.move(from, to);
    if (this.#model.expanded.delete(from)) this.#model.expanded.add(to);
    if (this.#view.kind !== 'none' && (this.#view.path === from || this.#view.path.startsWith(`${from}/`))) {
      const moved = to + this.#view.path.slice(from.length);
      await this.refresh();
      await this.open(moved);
    }
    await this.refresh();
    this.#tree.select(to, true);
    this.#say(`Moved ${from} → ${to}`);
  }

  async #delete(): Promise<void> {
    const path = this.#tree.selected;
    if (path === undefined || this.#model.all.get(path)?.ghost)
      throw new Error('Select a file or folder to delete');
    await this.ws.fs.rm(path, { recursive: true });
    this.#editor.forget(path);
    if (this.#view.kind !== 'none' && (this.#view.path === path || this.#view.path.startsWith(`${path}/`)))
      this.#clearCenter();
    this.#tree.select(undefined);
    this.#say(`Deleted ${path} (revert it from the Changes panel)`);
  }

  async #uploadFiles(files: readonly File[], dir: string): Promise<void> {
    for (const file of files) {
      await this.ws.fs.writeFile(join(dir, file.name), new Uint8Array(await file.arrayBuffer()));
    }
    if (dir !== '/') this.#model.expanded.add(dir);
    this.#say(`Uploaded ${files.length} file${files.length === 1 ? '' : 's'} to ${dir}`);
  }

  async #revealDeleted(path: string): Promise<void> {
    this.#showDeleted = true;
    const box = this.element.querySelector<HTMLInputElement>('[data-testid="show-deleted"]');
    if (box) box.checked = true;
    await this.refresh();
    this.#tree.select(path, true);
  }

  // ── view plumbing ────────────────────────────────────────────────────

  #closeView(): void {
    if (this.#view.kind === 'diff') this.#view.destroy();
    this.#view = { kind: 'none' };
  }

  #clearCenter(): void {
    this.#closeView();
    this.#center.replaceChildren(el('div', { class: 'welcome' }, 'Open a file from the tree.'));
    this.#setTitle(undefined);
  }

  #setTitle(path: string | undefined, note?: string): void {
    this.#title.textContent = path === undefined ? 'No file open' : note ? `${path} — ${note}` : path;
    this.#titleActions.replaceChildren();
    if (path !== undefined) {
      const action = (label: string, name: string, fn: () => Promise<void>): HTMLButtonElement => {
        const b = el('button', { type: 'button', class: 'small', 'data-action': name }, label);
        b.addEventListener('click', () => void this.run(fn));
        return b;
      };
      const changed = this.#lastChanges.some((c) => c.path === path);
      if (this.#view.kind === 'editor' && !this.ws.readOnly)
        this.#titleActions.append(action('Save', 'save', () => this.#editor.save()));
      if (this.#view.kind === 'editor' && path.endsWith('.py'))
        this.#titleActions.append(action('Run', 'run', () => this.#runPython(path)));
      if (this.#view.kind === 'diff')
        this.#titleActions.append(action('Edit', 'edit', () => this.open(path)));
      else if (changed && this.#view.kind === 'editor')
        this.#titleActions.append(action('Diff', 'diff', () => this.showDiff(path)));
      if ((changed || this.#view.kind === 'diff') && !this.ws.readOnly)
        this.#titleActions.append(action('Revert to base', 'revert', () => this.revert(path)));
    }
    this.#showDirty();
  }

  #showDirty(): void {
    const dirty = this.#editor.dirtyPaths();
    this.#tree.setDirty(dirty);
    const shown = this.#view.kind === 'editor' ? this.#view.path : undefined;
    this.#titleDirty.hidden = shown === undefined || !dirty.includes(shown);
  }

  /** What a tab that opened its workspace read-only shows above everything. */
  #readOnlyBanner(): HTMLElement | string {
    if (!this.ws.readOnly) return '';
    return el(
      'div',
      { class: 'read-only', role: 'status', 'data-testid': 'read-only' },
      el('strong', {}, 'Read-only: this workspace is open for writing in another tab.'),
      el(
        'span',
        {},
        ' This tab shows its saves as they happen, and takes over writing when that tab closes.',
      ),
    );
  }

  /** The warning shown when the base changed under a persistent workspace. */
  #driftBanner(): HTMLElement | string {
    const drift = this.ws.drift;
    if (!drift) return '';
    const banner = el(
      'div',
      { class: 'drift', role: 'alert', 'data-testid': 'drift' },
      el(
        'strong',
        {},
        `The base changed since this workspace was made: ${drift.changed.length} base file${drift.changed.length === 1 ? ' is' : 's are'} new, gone, or of another size or time.`,
      ),
      drift.affected.length > 0
        ? el(
            'span',
            {},
            ' Your changes touch: ',
            ...drift.affected.map((p) => el('code', { 'data-affected': p }, p)),
          )
        : el('span', {}, ' None of them is one you changed.'),
      el(
        'span',
        { class: 'drift-list', title: drift.changed.join('\n') },
        ` (${drift.changed.slice(0, 5).join(', ')}${drift.changed.length > 5 ? ', …' : ''})`,
      ),
    );
    const keep = el(
      'button',
      { type: 'button', class: 'small', 'data-testid': 'drift-accept' },
      'Keep my changes on the new base',
    );
    keep.addEventListener(
      'click',
      () =>
        void this.run(async () => {
          await this.actions.acceptBase();
          banner.remove();
        }),
    );
    banner.append(keep);
    return banner;
  }

  /** A message in the status bar. */
  note(message: string): void {
    this.#say(message);
  }

  /**
   * A message in the status bar with an Undo button labelled `label` that runs `undo` (the deletion
   * of a workspace, undone on the page that follows it).
   */
  noteUndo(message: string, label: string, undo: () => Promise<void>): void {
    this.#say(message);
    this.#undo.offer(label, undo);
  }

  /** An error message in the status bar. */
  fail(message: string): void {
    this.#say(message, true);
  }

  #say(message: string, error = false): void {
    this.#statusText.textContent = message;
    this.#status.classList.toggle('error', error);
  }

  /** Runs a `.py` file of the workspace in Pyodide (its unsaved edits saved first), output beside. */
  async #runPython(path: string): Promise<void> {
    if (this.#editor.dirtyPaths().includes(path)) await this.#editor.save();
    if (this.#runPanel === undefined) {
      // Refreshes coalesced: a script writing many files fires many change events.
      let pending = false;
      this.#runPanel = new RunPanel(this.ws.fs.client, () => {
        if (pending) return;
        pending = true;
        setTimeout(() => {
          pending = false;
          void this.refresh();
        }, 100);
      });
      this.#right.prepend(this.#runPanel.element);
    }
    await this.#runPanel.run(path);
    this.#say(`Started ${path} in Python (Pyodide): its output shows in the Python panel`);
  }

  /**
   * Shows or hides the preview. It starts on demand (and stays shown across reloads once shown):
   * running the app reads its modules from the lowers, which a session that only edits never needs.
   */
  #togglePreview(): void {
    if (this.#preview === undefined) {
      this.#preview = new PreviewPane(this.ws.fs.client, (message) => this.fail(message));
      this.#right.prepend(this.#preview.element);
      localStorage.setItem(PREVIEW_KEY, 'shown');
    } else {
      this.#preview.dispose();
      this.#preview.element.remove();
      this.#preview = undefined;
      localStorage.removeItem(PREVIEW_KEY);
    }
  }

  #layout(): HTMLElement {
    const button = (
      label: string,
      testid: string,
      fn: () => Promise<void>,
      title = label,
    ): HTMLButtonElement => {
      const b = el('button', { type: 'button', 'data-testid': testid, title }, label);
      b.addEventListener('click', () => void this.run(fn));
      return b;
    };
    // A read-only tab keeps the buttons that would write, disabled: the engine would refuse them (EROFS).
    const writes = (b: HTMLButtonElement): HTMLButtonElement => {
      if (this.ws.readOnly) {
        b.disabled = true;
        b.title = 'Read-only: this workspace is open for writing in another tab';
      }
      return b;
    };
    const showDeleted = el('input', { type: 'checkbox', 'data-testid': 'show-deleted' });
    showDeleted.addEventListener('change', () => {
      this.#showDeleted = showDeleted.checked;
      void this.refresh();
    });
    const workspaces = workspaceBar(
      this.ws.record?.id,
      this.ws.readOnly,
      (label) => askName(this.#askHost, label),
      this.actions,
      (fn) => this.run(fn),
    );
    const legend = this.ws.lowerNames.map((n, i) => el('span', { class: 'badge badge-lower' }, `L${i} ${n}`));
    const header = el(
      'header',
      { class: 'topbar' },
      el('span', { class: 'brand' }, 'Vellum IDE'),
      el('span', { class: 'legend', title: 'lower layers, topmost first' }, 'upper ▸ ', ...legend),
      workspaces,
      el('label', { class: 'check' }, showDeleted, ' Show deleted'),
      el('span', { class: 'spacer' }),
      button(
        'Preview',
        'preview-toggle',
        async () => this.#togglePreview(),
        'Run the workspace: show its app beside the editor',
      ),
      writes(button('Reset to base', 'reset', () => this.reset(), 'Discard every change in the upper layer')),
      button('Export changes (.zip)', 'export', () => this.exportZip()),
      button(
        'OCI layer (.tar)',
        'export-tar',
        () => this.exportTar(),
        'The changes as a container image layer, with .wh. whiteouts',
      ),
    );
    const treeTools = el(
      'div',
      { class: 'tree-tools' },
      writes(button('+ File', 'new-file', () => this.#newEntry('file'), 'New file in the selected folder')),
      writes(
        button('+ Folder', 'new-folder', () => this.#newEntry('dir'), 'New folder in the selected folder'),
      ),
      writes(button('Rename', 'rename', () => this.#rename())),
      writes(button('Delete', 'delete', () => this.#delete())),
      writes(
        button('Upload', 'upload', async () => this.#upload.click(), 'Upload files into the selected folder'),
      ),
      button('Expand all', 'expand-all', async () => this.#model.expandAll()),
      button('Collapse', 'collapse-all', async () => this.#model.collapseAll()),
      this.#upload,
    );
    this.#tree.element.addEventListener('keydown', (e) => {
      if (e.key === 'F2') void this.run(() => this.#rename());
      if (e.key === 'Delete') void this.run(() => this.#delete());
    });
    this.#clearCenter();
    this.#right.append(this.#changes.element);
    if (localStorage.getItem(PREVIEW_KEY) === 'shown') this.#togglePreview();
    return el(
      'div',
      { class: 'app' },
      header,
      el('div', { class: 'banners' }, this.#readOnlyBanner(), this.#driftBanner()),
      el('aside', { class: 'sidebar' }, treeTools, this.#askHost, this.#tree.element),
      el(
        'main',
        { class: 'center' },
        el('div', { class: 'titlebar' }, this.#titleDirty, this.#title, this.#titleActions),
        this.#center,
      ),
      this.#right,
      this.#status,
    );
  }
}
