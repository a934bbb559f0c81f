/**
 * Boot: hand the served lowers to the engine's worker as zip descriptors (it reads them lazily,
 * its progress events feed the boot screen), open the workspace the URL names (`?workspace=<id>`,
 * persistent in IndexedDB) or the ephemeral one, and show the IDE. A tab that opened a persistent
 * workspace read-only (another tab writes it) waits for the writer lock and takes over with it.
 */
import './style.css';
import { IndexedDBUpper } from '@vellum/core/idb';
import { carryOver } from './fs/carry-over.js';
import { installInspector } from './inspect.js';
import { importedZip, type LowerSpec, progressByName, servedStack } from './layers/stack.js';
import { App } from './ui/app.js';
import { confirmAction } from './ui/ask.js';
import { BootProgress } from './ui/progress.js';
import { workspaceUrl } from './ui/workspace-bar.js';
import {
  acceptBase,
  closeWorkspace,
  createPersistent,
  deletePersistent,
  openEphemeral,
  openEphemeralFs,
  openPersistent,
  reopenLostEmpty,
  type Workspace,
  WorkspaceLostError,
  waitForWriterLock,
} from './workspace.js';
import {
  databaseOf,
  emptyTrash,
  findWorkspace,
  markTrashOffered,
  trashedWorkspace,
  trashWorkspace,
  untrashWorkspace,
} from './workspaces/registry.js';
import { takeUnsaved } from './workspaces/unsaved.js';

const root = document.querySelector<HTMLDivElement>('#app');
if (!root) throw new Error('#app is missing from index.html');

function openFromUrl(lowers: readonly LowerSpec[], progress?: BootProgress): Promise<Workspace> {
  const id = new URL(window.location.href).searchParams.get('workspace');
  const record = id === null ? undefined : findWorkspace(id);
  const onProgress = progress && progressByName(lowers, (p) => progress.update(p));
  return record ? openPersistent(lowers, record, { onProgress }) : openEphemeral(lowers, { onProgress });
}

/**
 * Opens `file` as the topmost lower and reopens the workspace over the new stack. A persistent
 * workspace's IndexedDB upper holds a writer lock, so its engine ends before the new one opens it;
 * an ephemeral workspace's memory upper lives in its worker, so its changes are carried over into
 * the new engine first and the old one ends after.
 */
async function importLower(lowers: readonly LowerSpec[], ws: Workspace, app: App, file: File): Promise<void> {
  const at = performance.now();
  const stack = [importedZip(file), ...lowers];
  if (ws.record) {
    const record = ws.record;
    app.dispose();
    await closeWorkspace(ws);
    document.body.dataset.ready = 'false';
    let next: Workspace;
    try {
      next = await openPersistent(stack, record);
    } catch (error) {
      // The zip could not be mounted: back to the stack the workspace was on, saying why.
      const back = await mount(lowers, await openPersistent(lowers, record), at, app);
      back.fail(`Could not import ${file.name}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    await mount(stack, next, at, app);
    return;
  }
  const fs = await openEphemeralFs(stack);
  let carried: Awaited<ReturnType<typeof carryOver>>;
  try {
    carried = await carryOver(ws.fs.client, fs.client);
  } catch (error) {
    await fs.close();
    throw error;
  }
  app.dispose();
  await closeWorkspace(ws);
  document.body.dataset.ready = 'false';
  const copied = carried.copiedMoves.length
    ? ` (moved entries the new stack no longer has were copied: ${carried.copiedMoves.join(', ')})`
    : '';
  await mount(
    stack,
    await openEphemeral(stack, {}, fs),
    at,
    app,
    ` · ${carried.changes} changes carried over${copied}`,
  );
}

/**
 * Shows `ws` (opened over `lowers`) in a new `App`. `previous` is the view it replaces (a reopen over
 * a new stack): its open buffers, unsaved text included, and the file it showed carry over.
 */
async function mount(
  lowers: readonly LowerSpec[],
  ws: Workspace,
  started: number,
  previous?: App,
  extra = '',
): Promise<App> {
  const app: App = new App(ws, {
    switchTo: (id) => app.leave(workspaceUrl(id)),
    create: async (name) => app.leave(workspaceUrl((await createPersistent(lowers, name)).id)),
    remove: async () => {
      const record = ws.record;
      if (!record) return;
      const sure = await confirmAction(
        `Delete workspace "${record.name}"?`,
        'It leaves the list and this tab shows the ephemeral workspace. You can undo it on the next page (its changes are kept until then).',
        'Delete workspace',
      );
      if (!sure) return;
      // Kept in the trash, database and all, for one undo: the database is deleted once the undo is
      // no longer on offer (the workspace deleted before this one: now).
      app.dispose();
      await closeWorkspace(ws);
      const older = trashWorkspace(record);
      if (older) await IndexedDBUpper.delete(databaseOf(older.id));
      app.leave(workspaceUrl(undefined));
    },
    acceptBase: () => acceptBase(ws),
    importLower: (file) => importLower(lowers, ws, app, file),
  });
  const unsaved = previous ? [] : takeUnsaved(ws.record?.id);
  if (previous) app.adopt(previous);
  else app.restoreUnsaved(unsaved);
  installInspector(() => app.ws);
  root?.replaceChildren(app.element);
  await app.refresh();
  const kind = ws.record
    ? `persistent workspace "${ws.record.name}": changes are kept in IndexedDB${ws.readOnly ? ' (read-only in this tab: another tab writes it)' : ''}`
    : 'ephemeral workspace: reload and it is fresh again';
  const kept =
    unsaved.length > 0
      ? ` · ${unsaved.length} unsaved buffer${unsaved.length === 1 ? '' : 's'} kept from before: ${unsaved.map((b) => b.path).join(', ')}`
      : '';
  app.note(
    `Loaded ${lowers.map((l) => l.name).join(' over ')} in ${Math.round(performance.now() - started)} ms · ${kind} · engine in a Web Worker${extra}${kept}`,
  );
  offerUndelete(app);
  if (ws.readOnly) void takeOverWhenFree(ws, app);
  const shown = previous?.editing ?? unsaved[0]?.path;
  const first = shown !== undefined && (await ws.fs.lstat(shown)) ? shown : '/README.md';
  if (await ws.fs.lstat(first)) await app.run(() => app.open(first));
  document.body.dataset.ready = 'true';
  document.body.dataset.workspace = ws.record?.id ?? 'ephemeral';
  document.body.dataset.lowers = String(lowers.length);
  document.body.dataset.readOnly = String(ws.readOnly);
  return app;
}

/**
 * The workspace deleted last, offered once for an undo on the page that follows the deletion; on
 * the page after that, its database is deleted for good.
 */
function offerUndelete(app: App): void {
  const trashed = trashedWorkspace();
  if (!trashed) return;
  if (trashed.offered) {
    emptyTrash();
    void IndexedDBUpper.delete(databaseOf(trashed.record.id)).catch((error) => console.warn(error));
    return;
  }
  markTrashOffered();
  app.noteUndo(
    `Deleted workspace "${trashed.record.name}"`,
    `Undo delete of "${trashed.record.name}"`,
    async () => {
      const record = untrashWorkspace();
      if (record) app.leave(workspaceUrl(record.id));
    },
  );
}

/**
 * A read-only tab waits for the writer lock (the writing tab closes or goes away), then reopens the
 * workspace as its writer in place, saying so. Nothing of this tab is lost: it had nothing to save.
 */
async function takeOverWhenFree(ws: Workspace, app: App): Promise<void> {
  let fs: Awaited<ReturnType<typeof waitForWriterLock>>;
  try {
    fs = await waitForWriterLock(ws);
  } catch (error) {
    app.fail(`Could not take over the workspace: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  // Replaced meanwhile (a lower imported): that view has its own wait.
  if (app.element.isConnected === false) {
    await fs.close();
    return;
  }
  const at = performance.now();
  app.dispose();
  await ws.fs.close();
  await mount(
    ws.lowers,
    { ...ws, fs, readOnly: false },
    at,
    app,
    ' · the tab that was writing this workspace closed: this tab took over and writes it now',
  );
}

const progress = new BootProgress();
root.replaceChildren(progress.element);
try {
  const started = performance.now();
  const lowers = await servedStack(new URL('layers/', document.baseURI).href);
  await mount(lowers, await openFromUrl(lowers, progress), started);
} catch (error) {
  if (!(error instanceof WorkspaceLostError)) {
    progress.fail(error);
    throw error;
  }
  const { record } = error;
  progress.lost(error.message, {
    reopenEmpty: () => {
      reopenLostEmpty(record);
      window.location.reload();
    },
    remove: async () => {
      await deletePersistent(record);
      window.location.assign(workspaceUrl(undefined));
    },
  });
  console.warn(error);
}
