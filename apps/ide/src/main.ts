/**
 * Boot: hand the served lowers to the engine's worker as zip descriptors (it reads them lazily,
 * its progress events feed the boot screen), open the workspace the URL names (`?workspace=<id>`,
 * persistent in IndexedDB) or the ephemeral one, and show the IDE.
 */
import './style.css';
import { carryOver } from './fs/carry-over.js';
import { installInspector } from './inspect.js';
import { importedZip, type LowerSpec, progressByName, servedStack } from './layers/stack.js';
import { App } from './ui/app.js';
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
} from './workspace.js';
import { findWorkspace } from './workspaces/registry.js';

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
    create: async (name) => window.location.assign(workspaceUrl((await createPersistent(lowers, name)).id)),
    remove: async () => {
      if (ws.record) {
        // The database cannot be deleted while this page's worker holds it open.
        app.dispose();
        await closeWorkspace(ws);
        await deletePersistent(ws.record);
      }
      window.location.assign(workspaceUrl(undefined));
    },
    acceptBase: () => acceptBase(ws),
    importLower: (file) => importLower(lowers, ws, app, file),
  });
  if (previous) app.adopt(previous);
  installInspector(() => app.ws);
  root?.replaceChildren(app.element);
  await app.refresh();
  const kind = ws.record
    ? `persistent workspace "${ws.record.name}": changes are kept in IndexedDB`
    : 'ephemeral workspace: reload and it is fresh again';
  app.note(
    `Loaded ${lowers.map((l) => l.name).join(' over ')} in ${Math.round(performance.now() - started)} ms · ${kind} · engine in a Web Worker${extra}`,
  );
  const shown = previous?.editing;
  const first = shown !== undefined && (await ws.fs.lstat(shown)) ? shown : '/README.md';
  if (await ws.fs.lstat(first)) await app.run(() => app.open(first));
  document.body.dataset.ready = 'true';
  document.body.dataset.workspace = ws.record?.id ?? 'ephemeral';
  document.body.dataset.lowers = String(lowers.length);
  return app;
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
