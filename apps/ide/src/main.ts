/**
 * Boot: load the lowers over HTTP with progress, open the workspace the URL names (`?workspace=<id>`,
 * persistent in IndexedDB) or the ephemeral one, and show the IDE.
 */
import './style.css';
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

try {
  const started = performance.now();
  const lowers = await loadStack(new URL('layers/', document.baseURI).href, (p) => progress.update(p));
  const ws = await openFromUrl(lowers);
  const app = new App(ws, {
    create: async (name) => window.location.assign(workspaceUrl((await createPersistent(lowers, name)).id)),
    remove: async () => {
      if (ws.record) await deletePersistent(ws.record);
      window.location.assign(workspaceUrl(undefined));
    },
    acceptBase: () => acceptBase(ws, lowers),
  });
  installInspector(() => app.ws);
  root.replaceChildren(app.element);
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
} catch (error) {
  progress.fail(error);
  throw error;
}
