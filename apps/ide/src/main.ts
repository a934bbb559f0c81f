/** Boot: load the lowers over HTTP with progress, open an ephemeral workspace, show the IDE. */
import './style.css';
import { installInspector } from './inspect.js';
import { loadStack } from './layers/load.js';
import { App } from './ui/app.js';
import { BootProgress } from './ui/progress.js';
import { openEphemeral } from './workspace.js';

const root = document.querySelector<HTMLDivElement>('#app');
if (!root) throw new Error('#app is missing from index.html');

const progress = new BootProgress();
root.replaceChildren(progress.element);

try {
  const started = performance.now();
  const lowers = await loadStack(new URL('layers/', document.baseURI).href, (p) => progress.update(p));
  const ws = await openEphemeral(lowers);
  const app = new App(ws);
  installInspector(() => app.ws);
  root.replaceChildren(app.element);
  await app.refresh();
  app.note(
    `Loaded ${lowers.map((l) => l.name).join(' over ')} in ${Math.round(performance.now() - started)} ms · ephemeral workspace: reload and it is fresh again`,
  );
  await app.run(() => app.open('/README.md'));
  document.body.dataset.ready = 'true';
} catch (error) {
  progress.fail(error);
  throw error;
}
