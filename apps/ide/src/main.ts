/**
 * Boot: load the lowers over HTTP with progress, open the workspace the URL names (`?workspace=<id>`,
 * persistent in IndexedDB) or the ephemeral one, and show the IDE.
 */
import './style.css';
import { ZipLayer } from '@vellum/core/zip';
import { InProcessFs } from './fs/in-process.js';
import { installInspector } from './inspect.js';
import { type LoadedLower, loadStack } from './layers/load.js';
import { App } from './ui/app.js';
import { BootProgress } from './ui/progress.js';
import { workspaceUrl } from './ui/workspace-bar.js';
import {
  acceptBase,
  createPersistent,
  deletePersistent,
  openEphemeral,
  openPersistent,
  type Workspace,
} from './workspace.js';
import { findWorkspace } from './workspaces/registry.js';

const root = document.querySelector<HTMLDivElement>('#app');
if (!root) throw new Error('#app is missing from index.html');

async function openFromUrl(lowers: readonly LoadedLower[]): Promise<Workspace> {
  const params = new URL(window.location.href).searchParams;
  const id = params.get('workspace');
  const record = id === null ? undefined : findWorkspace(id);
  // `?engine=worker` runs an ephemeral workspace's engine in a Web Worker (@vellum/worker).
  return record
    ? openPersistent(lowers, record)
    : openEphemeral(lowers, params.get('engine') === 'worker' ? 'worker' : 'page');
}

const progress = new BootProgress();
root.replaceChildren(progress.element);

/**
 * Opens the workspace over `lowers` and shows it. Importing a zip calls this again with the zip on
 * top: the old overlay is closed first, so a persistent workspace's IndexedDB upper (which holds a
 * writer lock) can be opened again over the new stack.
 */
async function mount(lowers: readonly LoadedLower[], started: number): Promise<void> {
  const ws = await openFromUrl(lowers);
  const app: App = new App(ws, {
    create: async (name) => window.location.assign(workspaceUrl((await createPersistent(lowers, name)).id)),
    remove: async () => {
      if (ws.record) await deletePersistent(ws.record);
      window.location.assign(workspaceUrl(undefined));
    },
    acceptBase: () => acceptBase(ws, lowers),
    importLower: async (file) => {
      const at = performance.now();
      // A Blob is read lazily too (a slice per entry), so a large zip is not copied into memory.
      const layer = await ZipLayer.open(file, { whiteouts: 'oci' });
      if (ws.fs instanceof InProcessFs) await ws.fs.ov.close();
      document.body.dataset.ready = 'false';
      await mount([{ name: file.name.replace(/\.zip$/i, ''), layer }, ...lowers], at);
    },
  });
  installInspector(() => app.ws);
  root?.replaceChildren(app.element);
  await app.refresh();
  const kind = ws.record
    ? `persistent workspace "${ws.record.name}": changes are kept in IndexedDB`
    : 'ephemeral workspace: reload and it is fresh again';
  const where = ws.engine === 'worker' ? 'engine in a Web Worker' : 'engine in the page';
  app.note(
    `Loaded ${lowers.map((l) => l.name).join(' over ')} in ${Math.round(performance.now() - started)} ms · ${kind} · ${where}`,
  );
  if (await ws.fs.lstat('/README.md')) await app.run(() => app.open('/README.md'));
  document.body.dataset.ready = 'true';
  document.body.dataset.workspace = ws.record?.id ?? 'ephemeral';
  document.body.dataset.engine = ws.engine;
  document.body.dataset.lowers = String(lowers.length);
}

try {
  const started = performance.now();
  const lowers = await loadStack(new URL('layers/', document.baseURI).href, (p) => progress.update(p));
  await mount(lowers, started);
} catch (error) {
  progress.fail(error);
  throw error;
}
