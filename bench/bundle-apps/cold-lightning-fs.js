// Cold start of lightning-fs on the page (it runs in the page only): `new FS` until the first `stat`
// (of the root: a fresh database has no file) is answered.
import FS from '@isomorphic-git/lightning-fs';

const started = performance.now();
try {
  const fs = new FS('cold-start');
  const stats = await fs.promises.stat('/');
  const answered = performance.now();
  if (!stats.isDirectory()) throw new Error('/ is not a directory');
  Object.assign(window, { coldStart: answered - started, sinceNavigation: answered });
} catch (error) {
  Object.assign(window, { coldError: String(error) });
}
