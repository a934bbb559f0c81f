/**
 * The IDE's page: lays out the tree, the editor and the changes panel, and turns their events into
 * filesystem calls on the workspace. Every call goes through `run`, which reports failures in the
 * status bar and refreshes the tree and the changes from the overlay afterwards.
 */
import type { Change } from '@vellum/core';
import { changesToTar } from '../export/tar.js';
import { changesToZip } from '../export/zip.js';
import { revertChange } from '../fs/revert.js';
import type { Workspace } from '../workspace.js';
import { askName } from './ask.js';
import { ChangesPanel } from './changes-panel.js';
import { diffView } from './diff-view.js';
import { el, formatBytes } from './dom.js';
import { Editor } from './editor.js';
import { FileTree } from './file-tree.js';
import { hexView } from './hex-view.js';
import { asText } from './text.js';
import { baseName, parentOf, TreeModel } from './tree-model.js';
import { type WorkspaceActions, workspaceBar } from './workspace-bar.js';

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
  readonly #center = el('div', { class: 'center-body' });
  readonly #title = el('span', { class: 'title-path', 'data-testid': 'title-path' });
  readonly #titleDirty = el('span', { class: 'dirty', 'data-testid': 'title-dirty', hidden: true }, '●');
  readonly #titleActions = el('span', { class: 'title-actions' });
  readonly #askHost = el('div', { class: 'ask-host' });
  readonly #status = el('div', { class: 'statusbar', 'data-testid': 'status' });
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

  constructor(
    readonly ws: Workspace,
    readonly actions: WorkspaceActions & { acceptBase(): Promise<void> },
  ) {
    this.#tree = new FileTree(this.#model, {
      open: (row) => void this.run(() => this.open(row.path)),
      move: (from, toDir) => void this.run(() => this.#move(from, join(toDir, baseName(from)))),
      upload: (files, toDir) => void this.run(() => this.#uploadFiles(files, toDir)),
    });
    this.#editor = new Editor({
      save: (path, text) =>
        this.run(async () => {
          await this.ws.fs.writeFile(path, text);
          this.#say(
            `Saved ${path} (${formatBytes(new TextEncoder().encode(text).length)}) to the upper layer`,
          );
        }),
      dirtyChanged: () => this.#showDirty(),
    });
    this.#changes = new ChangesPanel({
      open: (c) =>
        void this.run(async () => {
          if (c.change === 'deleted') await this.#revealDeleted(c.path);
          else if (c.type === 'file') await this.open(c.path);
          else this.#tree.select(c.path, true);
        }),
      diff: (c) => void this.run(() => this.showDiff(c.path)),
      revert: (c) => void this.run(() => this.revert(c.path)),
    });
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
  }

  /** The file shown in the editor, if one is. */
  get editing(): string | undefined {
    return this.#view.kind === 'editor' ? this.#view.path : undefined;
  }

  /** Takes over the open buffers of the view this one replaces, unsaved text included. */
  adopt(previous: App): void {
    this.#editor.restore(previous.#editor.buffers());
  }

  /**
   * Detaches this view from the page before another replaces it (a workspace reopened over a new
   * stack): its window listeners go, and it stops refreshing from a workspace about to be closed.
   */
  dispose(): void {
    this.#disposed.abort();
  }

  /** Runs one user action; errors go to the status bar, and the views are refreshed from the overlay. */
  async run(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.#say(error instanceof Error ? error.message : String(error), true);
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

  /** Reverts `path` (moved entries go back to their base name first), then refreshes what shows it. */
  async revert(path: string): Promise<void> {
    const change: Change = this.#lastChanges.find((c) => c.path === path) ?? {
      path,
      type: null,
      change: 'modified',
    };
    const at = await revertChange(this.ws.fs, this.ws.base, change);
    if (at !== path) this.#editor.move(path, at);
    const now = await this.ws.fs.lstat(at);
    if (now?.kind === 'file') {
      const text = asText(await this.ws.fs.readFile(at));
      if (text !== undefined) this.#editor.reload(at, text);
    } else {
      this.#editor.forget(at);
    }
    this.#say(`Reverted ${at} to the base`);
    const shown = this.#view.kind === 'none' ? undefined : this.#view.path;
    if (shown === path || (shown?.startsWith(`${path}/`) ?? false)) {
      if (this.#view.kind === 'diff' && now?.kind === 'file') await this.showDiff(at);
      else if (now?.kind === 'file') await this.open(at);
      else this.#clearCenter();
    }
  }

  async reset(): Promise<void> {
    await this.ws.fs.reset();
    this.#editor.forgetAll();
    this.#clearCenter();
    this.#say('Reset: the workspace is the base again');
  }

  async exportZip(): Promise<void> {
    const changes = await this.ws.fs.changes();
    const zip = await changesToZip(this.ws.fs, changes);
    download(zip, 'vellum-changes.zip', 'application/zip');
    this.#say(`Exported ${changes.length} changes as a zip (${formatBytes(zip.length)})`);
  }

  async exportTar(): Promise<void> {
    const changes = await this.ws.fs.changes();
    const tar = await changesToTar(this.ws.fs, changes);
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
      if (this.#view.kind === 'editor')
        this.#titleActions.append(action('Save', 'save', () => this.#editor.save()));
      if (this.#view.kind === 'diff')
        this.#titleActions.append(action('Edit', 'edit', () => this.open(path)));
      else if (changed && this.#view.kind === 'editor')
        this.#titleActions.append(action('Diff', 'diff', () => this.showDiff(path)));
      if (changed || this.#view.kind === 'diff')
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

  /** An error message in the status bar. */
  fail(message: string): void {
    this.#say(message, true);
  }

  #say(message: string, error = false): void {
    this.#status.textContent = message;
    this.#status.classList.toggle('error', error);
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
    const showDeleted = el('input', { type: 'checkbox', 'data-testid': 'show-deleted' });
    showDeleted.addEventListener('change', () => {
      this.#showDeleted = showDeleted.checked;
      void this.refresh();
    });
    const workspaces = workspaceBar(
      this.ws.record?.id,
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
      button('Reset to base', 'reset', () => this.reset(), 'Discard every change in the upper layer'),
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
      button('+ File', 'new-file', () => this.#newEntry('file'), 'New file in the selected folder'),
      button('+ Folder', 'new-folder', () => this.#newEntry('dir'), 'New folder in the selected folder'),
      button('Rename', 'rename', () => this.#rename()),
      button('Delete', 'delete', () => this.#delete()),
      button('Upload', 'upload', async () => this.#upload.click(), 'Upload files into the selected folder'),
      button('Expand all', 'expand-all', async () => this.#model.expandAll()),
      button('Collapse', 'collapse-all', async () => this.#model.collapseAll()),
      this.#upload,
    );
    this.#tree.element.addEventListener('keydown', (e) => {
      if (e.key === 'F2') void this.run(() => this.#rename());
      if (e.key === 'Delete') void this.run(() => this.#delete());
    });
    this.#clearCenter();
    return el(
      'div',
      { class: 'app' },
      header,
      this.#driftBanner(),
      el('aside', { class: 'sidebar' }, treeTools, this.#askHost, this.#tree.element),
      el(
        'main',
        { class: 'center' },
        el('div', { class: 'titlebar' }, this.#titleDirty, this.#title, this.#titleActions),
        this.#center,
      ),
      el('aside', { class: 'right' }, this.#changes.element),
      this.#status,
    );
  }
}
