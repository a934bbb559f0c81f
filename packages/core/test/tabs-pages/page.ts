/**
 * One tab of the two-pages test (tabs-pages.test.ts): opens a workspace with
 * `whenLocked`, and lets the test write, read and watch it. Two pages of one
 * browser context share Web Locks and BroadcastChannel as two tabs do.
 */
import { IndexedDBUpper, type WhenLocked } from '../../src/idb/index.js';
import { MemoryLayer, Overlay } from '../../src/index.js';

/** What this tab saw at each remote-change event: the root listing and inode numbers, taken in the listener. */
interface Seen {
  names: string[];
  inos: Record<string, number>;
}

let upper: IndexedDBUpper | undefined;
let ov: Overlay | undefined;
const seen: Seen[] = [];

async function snapshot(o: Overlay): Promise<Seen> {
  const inos: Record<string, number> = {};
  const names = await o.readdir('/');
  for (const name of names) inos[name] = (await o.lstat(`/${name}`)).ino;
  return { names, inos };
}

const must = (): Overlay => {
  if (!ov) throw new Error('the workspace is not open in this tab');
  return ov;
};

declare global {
  interface Window {
    tab: typeof tab;
  }
}

const tab = {
  state: 'idle' as 'idle' | 'opening' | 'open',
  async open(name: string, whenLocked: WhenLocked): Promise<{ readOnly: boolean }> {
    tab.state = 'opening';
    upper = new IndexedDBUpper({ name, whenLocked });
    const lowers = [MemoryLayer.fromTree({ base: 'from the lower' }, { id: 'tabs-base', mtimeMs: 1 })];
    const opened = await Overlay.create({ lowers, upper });
    ov = opened;
    upper.onRemoteChange(() => {
      void snapshot(opened).then((s) => seen.push(s));
    });
    tab.state = 'open';
    return { readOnly: upper.readOnly };
  },
  write: (path: string, data: string) => must().writeFile(path, data),
  rename: (from: string, to: string) => must().rename(from, to),
  unlink: (path: string) => must().unlink(path),
  read: (path: string) => must().readFile(path, 'utf8'),
  list: () => snapshot(must()),
  /** A write that is expected to fail: its error code and its cause's message. */
  async tryWrite(path: string, data: string): Promise<{ code?: string; cause?: string }> {
    try {
      await must().writeFile(path, data);
      return {};
    } catch (error) {
      const e = error as { code?: string; cause?: { message?: string } };
      return { code: e.code, cause: e.cause?.message };
    }
  },
  seen: () => seen,
  close: () => must().close(),
};

window.tab = tab;
document.title = 'ready';
