// @vellum/core in the page with a zip lower (read by HTTP Range) and the IndexedDB upper.
import { Overlay } from '@vellum/core';
import { IndexedDBUpper } from '@vellum/core/idb';
import { ZipLayer } from '@vellum/core/zip';

const fs = await Overlay.create({
  lowers: [await ZipLayer.open('/layer.zip')],
  upper: new IndexedDBUpper({ name: 'bundle-app' }),
});
await fs.writeFile('/a.txt', 'hello');
document.title = await fs.readFile('/a.txt', 'utf8');
