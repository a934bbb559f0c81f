// Peer: @zenfs/core's default filesystem (InMemory).
import { fs } from '@zenfs/core';

await fs.promises.writeFile('/a.txt', 'hello');
document.title = await fs.promises.readFile('/a.txt', 'utf8');
