// Peer: @isomorphic-git/lightning-fs (IndexedDB-backed).
import FS from '@isomorphic-git/lightning-fs';

const fs = new FS('bundle-app');
await fs.promises.writeFile('/a.txt', 'hello');
document.title = await fs.promises.readFile('/a.txt', 'utf8');
