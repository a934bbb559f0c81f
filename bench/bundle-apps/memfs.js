// Peer: memfs (in memory).
import { fs } from 'memfs';

await fs.promises.writeFile('/a.txt', 'hello');
document.title = String(await fs.promises.readFile('/a.txt', 'utf8'));
