// @vellum/core alone in the page: the engine over a memory lower and a memory upper.
import { MemoryLayer, MemoryUpper, Overlay } from '@vellum/core';

const fs = await Overlay.create({ lowers: [MemoryLayer.fromTree({})], upper: new MemoryUpper() });
await fs.writeFile('/a.txt', 'hello');
document.title = await fs.readFile('/a.txt', 'utf8');
