/**
 * What one small write into a large lower file costs in the upper: open a 64 MiB lower
 * file with 'r+', write 1 byte at offset 10 MiB, close, then count what the upper stores.
 * A whole-file copy-up stores ~64 MiB; a block- or extent-level one stores far less.
 */
import { type CopyOnWriteFS, configure, fs as zenfs } from '@zenfs/core';
import type { Measured, Suite } from '../lib/harness.js';
import { timeOnce } from '../lib/timing.js';
import { loadVellum, type Settled, settle, unwrap, type VellumCore } from '../lib/vellum.js';
import { type StoreBytes, storeBytes, zenLayer, zenMemory, zenStack } from '../lib/zenfs.js';

const MiB = 1024 * 1024;
const FILE_SIZE = 64 * MiB;
const OFFSET = 10 * MiB;
const PATH = '/data/big.bin';
const BYTE = 0x5a;

interface SideResult {
  readonly bytes: number;
  readonly entries: number;
  readonly ms: number;
  readonly before: { readonly bytes: number; readonly entries: number };
  readonly peerDetail?: StoreBytes;
}

interface State {
  readonly core: Settled<VellumCore>;
  readonly data: Uint8Array;
  vellum?: Promise<SideResult>;
  zen?: Promise<SideResult>;
  /** Resolved copies of the above, for the synchronous `notes`. */
  vellumDone?: SideResult;
  zenDone?: SideResult;
}

/** The lower file: distinct bytes everywhere so a wrong read-back after the write is caught. */
function bigFile(): Uint8Array {
  const data = new Uint8Array(FILE_SIZE);
  for (let i = 0; i < FILE_SIZE; i++) data[i] = (i * 7 + (i >>> 12)) & 0xff;
  data[OFFSET] = BYTE ^ 0xff; // guarantees the write changes the byte
  return data;
}

/** Reads the file back and checks the written byte and a few untouched ones. */
function verify(side: string, original: Uint8Array, read: Uint8Array): void {
  if (read.byteLength !== FILE_SIZE)
    throw new Error(`${side}: size after write ${read.byteLength}, expected ${FILE_SIZE}`);
  if (read[OFFSET] !== BYTE)
    throw new Error(`${side}: byte at ${OFFSET} is ${read[OFFSET]}, expected ${BYTE}`);
  for (const at of [0, OFFSET - 1, OFFSET + 1, FILE_SIZE - 1]) {
    if (read[at] !== original[at]) throw new Error(`${side}: byte at ${at} changed`);
  }
}

function runVellum(state: State): Promise<SideResult> {
  state.vellum ??= (async () => {
    const core = unwrap(state.core);
    const lower = core.MemoryLayer.fromEntries([
      { path: '/data', kind: 'dir' as const },
      { path: PATH, kind: 'file' as const, data: state.data },
    ]);
    const ov = await core.Overlay.create({ lowers: [lower], upper: new core.MemoryUpper() });
    const before = await ov.usage();
    const { ms } = await timeOnce(async () => {
      const handle = await ov.open(PATH, 'r+');
      await handle.write(Uint8Array.of(BYTE), 0, 1, OFFSET);
      await handle.close();
    });
    const after = await ov.usage();
    verify('Vellum', state.data, await ov.readFile(PATH));
    state.vellumDone = {
      bytes: after.bytes,
      entries: after.entries,
      ms,
      before: { bytes: before.bytes, entries: before.entries },
    };
    return state.vellumDone;
  })();
  return state.vellum;
}

function runZen(state: State): Promise<SideResult> {
  state.zen ??= (async () => {
    const lower = zenLayer({ dirs: ['/data'], files: [{ path: PATH, data: state.data }] }, 'lower');
    const upper = zenMemory('upper');
    const cow: CopyOnWriteFS = await zenStack([lower.fs], upper.fs);
    await configure({ mounts: { '/': cow }, disableAccessChecks: true });
    const before = storeBytes(upper.store);
    const { ms } = await timeOnce(async () => {
      const handle = await zenfs.promises.open(PATH, 'r+');
      await handle.write(Uint8Array.of(BYTE), 0, 1, OFFSET);
      await handle.close();
    });
    const after = storeBytes(upper.store);
    verify('ZenFS', state.data, await zenfs.promises.readFile(PATH));
    // Unmount so the 64 MiB stack can be collected once this suite is done.
    await configure({ mounts: { '/': zenMemory('root').fs } });
    state.zenDone = {
      bytes: after.valueBytes,
      entries: after.entries,
      ms,
      before: { bytes: before.valueBytes, entries: before.entries },
      peerDetail: after,
    };
    return state.zenDone;
  })();
  return state.zen;
}

const pickValue =
  (run: (s: State) => Promise<SideResult>, key: 'bytes' | 'entries' | 'ms') =>
  async (s: State): Promise<Measured> => ({ value: (await run(s))[key] });

export const copyUpSuite: Suite<State> = {
  name: 'copy-up',
  title: 'Upper bytes after a 1-byte write into a 64 MiB lower file',
  description:
    "Open a 64 MiB file that lives only in the lower with `'r+'`, write 1 byte at offset 10 MiB, close; then count what the upper stores. " +
    'Vellum: `await ov.usage()`. Peer: ZenFS 2.7.6 `CopyOnWrite` (readable: InMemory holding the file, writable: empty InMemory), the same ' +
    'open/write/close through its VFS (`fs.promises.open`), then the bytes held by the writable InMemory store.',
  async setup() {
    return { core: await settle(loadVellum), data: bigFile() };
  },
  cases: () => [
    {
      id: 'bytes',
      figure: 'bytes stored in the upper afterwards',
      unit: 'bytes',
      vellum: pickValue(runVellum, 'bytes'),
      peer: pickValue(runZen, 'bytes'),
    },
    {
      // Not a like-for-like count (Vellum upper entries vs ZenFS store keys), so no ratio.
      figure: 'entries stored in the upper afterwards (Vellum: entries; ZenFS: store keys)',
      unit: 'count',
      ratio: 'none',
      vellum: pickValue(runVellum, 'entries'),
      peer: pickValue(runZen, 'entries'),
    },
    {
      figure: 'wall time of open r+ / write 1 B / close (single run)',
      unit: 'ms',
      vellum: pickValue(runVellum, 'ms'),
      peer: pickValue(runZen, 'ms'),
    },
  ],
  notes(state, _rows, ctx) {
    ctx.note(
      'Peer byte count: sum of `byteLength` over every value in the writable `InMemoryStore` (a `Map<number, Uint8Array>` of inode records, directory listings and file contents), ' +
        'read through a store reference kept at construction (`new StoreFS(new InMemoryStore())`, which is what `InMemory.create` does). Its "entries" are store keys, not files.',
    );
    const v = state.vellumDone;
    if (v) ctx.note(`Vellum upper before the write: ${v.before.bytes} B in ${v.before.entries} entries.`);
    const z = state.zenDone;
    if (z?.peerDetail) {
      const d = z.peerDetail;
      ctx.note(
        `ZenFS writable before the write: ${z.before.bytes} B in ${z.before.entries} keys (root inode and listing). After: ${d.valueBytes} B of values, ` +
          `${d.backingBytes} B of distinct backing ArrayBuffers, \`InMemoryStore.bytes\` (ZenFS's own estimate, +4 B per key) = ${d.zenfsBytes}.`,
      );
    }
    ctx.note(
      'Both sides read the file back afterwards and check the written byte and its neighbours, so a figure is only reported for a correct write.',
    );
  },
};
