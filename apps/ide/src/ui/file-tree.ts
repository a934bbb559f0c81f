/**
 * The file tree view: a windowed list (fixed row height, only the rows in view exist in the DOM), so a
 * tree of thousands of entries scrolls as smoothly as one of ten. Drag a row onto a folder to move it;
 * drop files from the desktop to upload them.
 */
import { el } from './dom.js';
import { parentOf, type TreeModel, type TreeRow } from './tree-model.js';

export const ROW_HEIGHT = 22;
const OVERSCAN = 8;
const DRAG_TYPE = 'application/x-vellum-path';

export interface FileTreeEvents {
  open(row: TreeRow): void;
  move(from: string, toDir: string): void;
  upload(files: File[], toDir: string): void;
}

export class FileTree {
  readonly element: HTMLElement;
  readonly #spacer: HTMLElement;
  readonly #rowsBox: HTMLElement;
  #rows: TreeRow[] = [];
  #selected: string | undefined;
  #dirty = new Set<string>();
  #dropTarget: string | undefined;
  #frame = 0;
  /** Row elements of the last render by their look, reused so that unchanged rows keep their node. */
  #rendered = new Map<string, HTMLElement>();

  constructor(
    readonly model: TreeModel,
    readonly events: FileTreeEvents,
  ) {
    this.#rowsBox = el('div', { class: 'tree-rows' });
    this.#spacer = el('div', { class: 'tree-spacer' }, this.#rowsBox);
    this.element = el(
      'div',
      { class: 'tree', tabindex: '0', role: 'tree', 'data-testid': 'file-tree' },
      this.#spacer,
    );
    this.element.addEventListener('scroll', () => this.#schedule());
    new ResizeObserver(() => this.#schedule()).observe(this.element);
    this.element.addEventListener('click', (e) => this.#onClick(e));
    this.element.addEventListener('dblclick', (e) => {
      const row = this.#rowAt(e);
      if (row?.kind === 'dir') this.toggle(row.path);
    });
    this.element.addEventListener('dragstart', (e) => {
      const row = this.#rowAt(e);
      if (!row || row.ghost || !e.dataTransfer) return;
      e.dataTransfer.setData(DRAG_TYPE, row.path);
      e.dataTransfer.effectAllowed = 'move';
    });
    this.element.addEventListener('dragover', (e) => this.#onDragOver(e));
    this.element.addEventListener('dragleave', () => this.#setDropTarget(undefined));
    this.element.addEventListener('drop', (e) => this.#onDrop(e));
  }

  get selected(): string | undefined {
    return this.#selected;
  }

  /** Rebuilds the visible rows from the model (after a change of data or of expanded folders). */
  refresh(): void {
    this.#rows = this.model.visible();
    if (this.#selected !== undefined && !this.model.all.has(this.#selected)) this.#selected = undefined;
    this.#spacer.style.height = `${this.#rows.length * ROW_HEIGHT}px`;
    this.#render();
  }

  select(path: string | undefined, scroll = false): void {
    this.#selected = path;
    if (path !== undefined) {
      this.model.reveal(path);
      this.refresh();
      const index = this.#rows.findIndex((r) => r.path === path);
      if (scroll && index >= 0) this.#scrollIntoView(index);
    } else {
      this.#render();
    }
  }

  toggle(path: string): void {
    if (this.model.expanded.has(path)) this.model.expanded.delete(path);
    else this.model.expanded.add(path);
    this.refresh();
  }

  setDirty(paths: Iterable<string>): void {
    this.#dirty = new Set(paths);
    this.#render();
  }

  #scrollIntoView(index: number): void {
    const top = index * ROW_HEIGHT;
    const view = this.element;
    if (top < view.scrollTop) view.scrollTop = top;
    else if (top + ROW_HEIGHT > view.scrollTop + view.clientHeight)
      view.scrollTop = top + ROW_HEIGHT - view.clientHeight;
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  /** Creates only the rows between the scroll position and the bottom of the view (plus a margin). */
  #render(): void {
    const first = Math.max(0, Math.floor(this.element.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil((this.element.clientHeight || 600) / ROW_HEIGHT) + 2 * OVERSCAN;
    const slice = this.#rows.slice(first, first + count);
    this.#rowsBox.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const next = new Map<string, HTMLElement>();
    for (const row of slice) {
      const key = this.#keyOf(row);
      next.set(key, this.#rendered.get(key) ?? this.#rowElement(row));
    }
    this.#rendered = next;
    const nodes = [...next.values()];
    const same =
      nodes.length === this.#rowsBox.children.length &&
      nodes.every((n, i) => this.#rowsBox.children[i] === n);
    if (!same) this.#rowsBox.replaceChildren(...nodes);
  }

  /** Everything a row's look depends on. */
  #keyOf(row: TreeRow): string {
    return [
      row.path,
      row.kind,
      row.badge.status,
      row.badge.text,
      row.badge.title,
      row.ghost,
      row.path === this.#selected,
      this.#dirty.has(row.path),
      row.kind === 'dir' && this.model.expanded.has(row.path),
    ].join('\0');
  }

  #rowElement(row: TreeRow): HTMLElement {
    const isDir = row.kind === 'dir';
    const twisty = isDir && !row.ghost ? (this.model.expanded.has(row.path) ? '▾' : '▸') : '';
    const classes = ['tree-row', `status-${row.badge.status}`];
    if (row.ghost) classes.push('ghost');
    if (row.path === this.#selected) classes.push('selected');
    if (row.path === this.#dropTarget) classes.push('drop-target');
    const node = el(
      'div',
      {
        class: classes.join(' '),
        role: 'treeitem',
        draggable: row.ghost ? undefined : 'true',
        'data-path': row.path,
        'data-kind': row.kind,
        'data-status': row.badge.status,
        'aria-selected': row.path === this.#selected ? 'true' : 'false',
        title: row.badge.title ? `${row.path} — ${row.badge.title}` : row.path,
      },
      el('span', { class: 'twisty' }, twisty),
      el('span', { class: `icon icon-${row.kind}`, 'aria-hidden': 'true' }),
      el('span', { class: 'name' }, row.name),
      this.#dirty.has(row.path) ? el('span', { class: 'dirty', title: 'unsaved changes' }, '●') : '',
      row.badge.text ? el('span', { class: `badge badge-${row.badge.status}` }, row.badge.text) : '',
    );
    node.style.paddingLeft = `${6 + row.depth * 14}px`;
    return node;
  }

  #rowAt(e: Event): TreeRow | undefined {
    const target = e.target instanceof Element ? e.target.closest<HTMLElement>('.tree-row') : null;
    const path = target?.dataset.path;
    return path === undefined ? undefined : this.model.all.get(path);
  }

  #onClick(e: MouseEvent): void {
    const row = this.#rowAt(e);
    if (!row) return;
    this.select(row.path);
    if (row.ghost) return;
    if (row.kind === 'dir') this.toggle(row.path);
    else this.events.open(row);
  }

  /** The folder a drop at this event lands in: the row's folder, or the root below the last row. */
  #dropDir(e: DragEvent): string {
    const row = this.#rowAt(e);
    if (!row || row.ghost) return '/';
    return row.kind === 'dir' ? row.path : parentOf(row.path);
  }

  /** Marks the row in place: re-rendering would replace the row being dragged and end the drag. */
  #setDropTarget(dir: string | undefined): void {
    if (dir === this.#dropTarget) return;
    this.#dropTarget = dir;
    for (const row of this.#rowsBox.children) {
      if (row instanceof HTMLElement) row.classList.toggle('drop-target', row.dataset.path === dir);
    }
  }

  #onDragOver(e: DragEvent): void {
    const types = e.dataTransfer?.types ?? [];
    if (!types.includes(DRAG_TYPE) && !types.includes('Files')) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = types.includes(DRAG_TYPE) ? 'move' : 'copy';
    this.#setDropTarget(this.#dropDir(e));
  }

  #onDrop(e: DragEvent): void {
    e.preventDefault();
    const toDir = this.#dropDir(e);
    this.#setDropTarget(undefined);
    const from = e.dataTransfer?.getData(DRAG_TYPE);
    if (from) {
      if (from !== toDir && parentOf(from) !== toDir && !toDir.startsWith(`${from}/`))
        this.events.move(from, toDir);
      return;
    }
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length > 0) this.events.upload(files, toDir);
  }
}
