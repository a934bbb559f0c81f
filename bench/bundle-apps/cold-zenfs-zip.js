// Cold start of the peer over the same zip, on the page: @zenfs/archives' Zip needs the whole archive,
// so it is fetched (one GET) and mounted, until the first `stat` of a file in it is answered.
import { Zip } from '@zenfs/archives';
import { configureSingle, fs } from '@zenfs/core';

const started = performance.now();
try {
  const data = await (await fetch('/layer.zip')).arrayBuffer();
  await configureSingle({ backend: Zip, data, name: 'layer.zip' });
  const stats = await fs.promises.stat('/a.txt');
  const answered = performance.now();
  if (!stats.isFile()) throw new Error('/a.txt is not a file');
  Object.assign(window, { coldStart: answered - started, sinceNavigation: answered });
} catch (error) {
  Object.assign(window, { coldError: String(error) });
}
