/**
 * The page the crash test drives (crash.test.ts): `run` writes, renames and
 * deletes as fast as it can, reporting each acknowledged operation; `inspect`
 * reopens the workspace and returns what it holds.
 */
import { IndexedDBUpper } from '../../src/idb/index.js';
import { MemoryLayer, Overlay } from '../../src/index.js';
import { opAt } from './ops.js';

declare global {
  interface Window {
    /** Exposed by the test: operation `i` was acknowledged. */
    ack(i: number): Promise<void>;
    crashPage: {
      run(name: string, from: number): Promise<never>;
      inspect(
        name: string,
      ): Promise<{ files: Record<string, string>; problems: string[]; databases: string[] }>;
    };
  }
}

const lowers = () => [MemoryLayer.fromTree({ base: 'from the lower' }, { id: 'crash-base', mtimeMs: 1 })];
const open = (name: string) => Overlay.create({ lowers: lowers(), upper: new IndexedDBUpper({ name }) });

window.crashPage = {
  async run(name, from) {
    const ov = await open(name);
    for (let i = from; ; i++) {
      const op = opAt(i);
      if (op.kind === 'write') await ov.writeFile(op.path, op.data);
      else if (op.kind === 'rename') await ov.rename(op.from, op.to);
      else await ov.unlink(op.path);
      await window.ack(i);
    }
  },
  async inspect(name) {
    const ov = await open(name);
    const files: Record<string, string> = {};
    for (const entry of await ov.readdir('/')) files[`/${entry}`] = await ov.readFile(`/${entry}`, 'utf8');
    const { problems } = await ov.fsck();
    // For a failure's message: whether the workspace's database is there at all.
    const databases = (await indexedDB.databases()).map((d) => d.name ?? '');
    return { files, problems: problems.map((p) => `${p.kind}: ${p.message}`), databases };
  },
};
document.title = 'ready';
