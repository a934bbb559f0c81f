/**
 * The workspace switcher: the ephemeral workspace and every persistent one, "new" and "delete".
 * Switching reloads the page on `?workspace=<id>`, so a reload keeps showing the same workspace;
 * the unsaved buffers stay with the workspace they were typed in (`workspaces/unsaved.ts`).
 */
import { listWorkspaces } from '../workspaces/registry.js';
import { el } from './dom.js';
import { storageStatus } from './storage-status.js';

export interface WorkspaceActions {
  /** Shows the workspace `id` (undefined: the ephemeral one), keeping this one's unsaved buffers. */
  switchTo(id: string | undefined): void;
  /** Creates a persistent workspace called `name` and switches to it. */
  create(name: string): Promise<void>;
  /** Deletes the current persistent workspace (after asking; undoable once) and switches to the ephemeral one. */
  remove(): Promise<void>;
  /** Opens `file` (a zip) as a new topmost lower and reopens the workspace over the new stack. */
  importLower(file: File): Promise<void>;
}

export function workspaceUrl(id: string | undefined): string {
  const url = new URL(window.location.href);
  if (id === undefined) url.searchParams.delete('workspace');
  else url.searchParams.set('workspace', id);
  return url.href;
}

/** `readOnly`: this tab does not write the workspace, so it cannot delete it either. */
export function workspaceBar(
  currentId: string | undefined,
  readOnly: boolean,
  ask: (label: string) => Promise<string | undefined>,
  actions: WorkspaceActions,
  run: (fn: () => Promise<void>) => Promise<void>,
): HTMLElement {
  const select = el(
    'select',
    { 'data-testid': 'workspace-select', 'aria-label': 'Workspace' },
    el('option', { value: '', selected: currentId === undefined }, 'Ephemeral — memory (reload = fresh)'),
    ...listWorkspaces().map((w) =>
      el('option', { value: w.id, selected: w.id === currentId }, `${w.name} — persistent (IndexedDB)`),
    ),
  );
  select.addEventListener('change', () => actions.switchTo(select.value === '' ? undefined : select.value));
  const create = el(
    'button',
    { type: 'button', 'data-testid': 'workspace-new', title: 'New persistent workspace' },
    'New',
  );
  create.addEventListener('click', () =>
    run(async () => {
      const name = await ask('Name of the new persistent workspace');
      if (name !== undefined) await actions.create(name);
    }),
  );
  const remove = el(
    'button',
    {
      type: 'button',
      'data-testid': 'workspace-delete',
      title: 'Delete this persistent workspace and its changes',
      disabled: currentId === undefined || readOnly,
    },
    'Delete',
  );
  remove.addEventListener('click', () => run(() => actions.remove()));
  const importInput = el('input', {
    type: 'file',
    accept: '.zip,application/zip',
    hidden: true,
    'data-testid': 'import-lower-input',
  });
  importInput.addEventListener('change', () => {
    const file = importInput.files?.[0];
    importInput.value = '';
    if (file) void run(() => actions.importLower(file));
  });
  const importButton = el(
    'button',
    {
      type: 'button',
      'data-testid': 'import-lower',
      title: 'Mount a zip as a new read-only layer above the others (until the next reload)',
    },
    'Import zip as lower',
  );
  importButton.addEventListener('click', () => importInput.click());
  return el(
    'span',
    { class: 'workspace-bar' },
    select,
    create,
    remove,
    importButton,
    importInput,
    storageStatus(currentId !== undefined),
  );
}
