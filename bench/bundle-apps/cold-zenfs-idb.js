// Cold start of the peer, on the page (ZenFS's worker setup needs a Port backend and a worker script
// of its own): configureSingle on @zenfs/dom's IndexedDB until the first `stat` is answered. A fresh
// database has no file, so the root is stat'ed.
import { configureSingle, fs } from '@zenfs/core';
import { IndexedDB } from '@zenfs/dom';

const started = performance.now();
try {
  await configureSingle({ backend: IndexedDB });
  const stats = await fs.promises.stat('/');
  const answered = performance.now();
  if (!stats.isDirectory()) throw new Error('/ is not a directory');
  Object.assign(window, { coldStart: answered - started, sinceNavigation: answered });
} catch (error) {
  Object.assign(window, { coldError: String(error) });
}
