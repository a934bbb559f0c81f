// Peer: @zenfs/core mounted on @zenfs/dom's IndexedDB backend.
import { configureSingle, fs } from '@zenfs/core';
import { IndexedDB } from '@zenfs/dom';

await configureSingle({ backend: IndexedDB });
await fs.promises.writeFile('/a.txt', 'hello');
document.title = await fs.promises.readFile('/a.txt', 'utf8');
