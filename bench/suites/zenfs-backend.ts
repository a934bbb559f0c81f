/**
 * Vellum as a ZenFS backend (@vellum/zenfs `OverlayBackend`) against ZenFS's own
 * `CopyOnWrite` over `InMemory`, both mounted in ZenFS's VFS and called through its `fs`:
 * `fs.statSync`, `fs.readFileSync`, `fs.promises.readFile` on the same 20,000-file tree; and
 * the time to open a 10,000-entry zip lower vs CopyOnWrite over @zenfs/archives' Zip.
 */
import { writeZip } from '@vellum/core/zip';
import { Zip } from '@zenfs/archives';
import {
  CopyOnWrite,
  type CopyOnWriteFS,
  configure,
  InMemory,
  mount,
  umount,
  fs as zenfs,
} from '@zenfs/core';
import type { Case, Measured, Suite } from '../lib/harness.js';
import { buildStack, checkContent, FILE_COUNT, FILE_SIZE, samplePaths } from '../lib/stack.js';
import { timeAsync, timeSync } from '../lib/timing.js';
import { loadVellum, type Settled, settle, unwrap } from '../lib/vellum.js';
import { zenLayer, zenMemory, zenStack } from '../lib/zenfs.js';

const SAMPLE_SIZE = 4096;
/** Entries of the zip whose mount (open) time is measured. */
const ZIP_ENTRIES = 10_000;
const VERIFY = 64;
/** Mount points: both live in the same VFS, so path resolution costs the same on both sides. */
const VELLUM_AT = '/vellum';
const COW_AT = '/cow';

interface State {
  /** Sample paths, relative to a mount point. */
  readonly paths: readonly string[];
  readonly vellum: Settled<unknown>;
  readonly cow: Settled<CopyOnWriteFS>;
  readonly mountMs: { vellum: number; cow: number };
  /** A ZIP_ENTRIES-entry archive, in memory. */
  readonly zip: Uint8Array;
}

const pick = (paths: readonly string[], i: number): string => paths[i % paths.length] as string;

function syncCase(
  figure: string,
  call: (path: string) => unknown,
  check: (path: string, result: unknown) => void,
): Case<State> {
  const side =
    (at: string, built: (s: State) => Settled<unknown>) =>
    async (s: State): Promise<Measured> => {
      unwrap(built(s));
      for (const p of s.paths.slice(0, VERIFY)) check(p, call(at + p));
      const paths = s.paths.map((p) => at + p);
      const timing = timeSync((i) => call(pick(paths, i)));
      return { value: timing.nsPerOp, timing };
    };
  return {
    figure,
    unit: 'ns/op',
    vellum: side(VELLUM_AT, (s) => s.vellum),
    peer: side(COW_AT, (s) => s.cow),
  };
}

function asyncCase(
  figure: string,
  call: (path: string) => Promise<unknown>,
  check: (path: string, result: unknown) => void,
): Case<State> {
  const side =
    (at: string, built: (s: State) => Settled<unknown>) =>
    async (s: State): Promise<Measured> => {
      unwrap(built(s));
      for (const p of s.paths.slice(0, VERIFY)) check(p, await call(at + p));
      const paths = s.paths.map((p) => at + p);
      const timing = await timeAsync((i) => call(pick(paths, i)));
      return { value: timing.nsPerOp, timing };
    };
  return {
    figure,
    unit: 'ns/op',
    vellum: side(VELLUM_AT, (s) => s.vellum),
    peer: side(COW_AT, (s) => s.cow),
  };
}

const statSize = (path: string, result: unknown): void => {
  const size = (result as { size: number }).size;
  if (size !== FILE_SIZE) throw new Error(`${path}: size ${size}`);
};

const content = (path: string, result: unknown): void => checkContent(path, result as Uint8Array);

export const zenfsBackendSuite: Suite<State> = {
  name: 'zenfs-backend',
  title: "Vellum as a ZenFS backend vs ZenFS's CopyOnWrite, through ZenFS's fs",
  description:
    `ns per call (median over batches) through ZenFS 2.7.6's VFS (\`fs.statSync\`, \`fs.readFileSync\`, \`fs.promises.readFile\`) on ${FILE_COUNT.toLocaleString('en-US')} files of ${FILE_SIZE} B in one lower, ` +
    `each call on the next of ${SAMPLE_SIZE} seeded random existing paths. Vellum: \`OverlayBackend\` (@vellum/zenfs) over a \`MemoryLayer\` and a \`MemoryUpper\`, mounted at ${VELLUM_AT}. ` +
    `Peer: \`CopyOnWrite(readable: InMemory, writable: InMemory)\` with the same tree, mounted at ${COW_AT} in the same VFS.`,
  async setup(ctx) {
    const stack = buildStack(1);
    const layer = stack.layers[0];
    if (!layer) throw new Error('no layer');
    const { paths } = samplePaths(SAMPLE_SIZE);
    // disableAccessChecks: the peer's best case; Vellum does no permission checks on these calls either.
    await configure({ mounts: { '/': zenMemory('root').fs }, disableAccessChecks: true });
    let t = performance.now();
    const vellum = await settle(async () => {
      const core = await loadVellum();
      const { OverlayBackend } = await import('@vellum/zenfs');
      const lower = core.MemoryLayer.fromEntries([
        ...layer.dirs.map((path) => ({ path, kind: 'dir' as const })),
        ...layer.files.map((f) => ({ path: f.path, kind: 'file' as const, data: f.data })),
      ]);
      const backend = new OverlayBackend({ lowers: [lower], upper: new core.MemoryUpper() });
      await backend.ready();
      mount(VELLUM_AT, backend);
      return backend;
    });
    const vellumMs = performance.now() - t;
    if (!vellum.ok) ctx.log(`Vellum unavailable, measuring the peer only: ${String(vellum.error)}`);
    t = performance.now();
    const cow = await settle(async () => {
      const fs = await zenStack([zenLayer(layer, 'lower0').fs], zenMemory('upper').fs);
      mount(COW_AT, fs);
      return fs;
    });
    const cowMs = performance.now() - t;
    const text = new TextEncoder();
    const zip = writeZip(
      Array.from({ length: ZIP_ENTRIES }, (_, i) => ({
        path: `pkg/${String(i % 100).padStart(2, '0')}/file-${i}.ts`,
        kind: 'file' as const,
        data: text.encode(`export const value${i} = ${i};\n`.repeat(20 + (i % 80))),
      })),
    );
    return { paths, vellum, cow, mountMs: { vellum: vellumMs, cow: cowMs }, zip };
  },
  cases: () => [
    syncCase('fs.statSync', (p) => zenfs.statSync(p), statSize),
    syncCase('fs.readFileSync', (p) => zenfs.readFileSync(p), content),
    asyncCase('fs.promises.stat', (p) => zenfs.promises.stat(p), statSize),
    asyncCase('fs.promises.readFile', (p) => zenfs.promises.readFile(p), content),
    {
      figure: `open a ${ZIP_ENTRIES.toLocaleString('en-US')}-entry zip lower (archive in memory) · peer: CopyOnWrite over @zenfs/archives Zip`,
      unit: 'ns/op',
      vellum: async (s) => {
        const { Vellum } = await import('@vellum/zenfs');
        const timing = await timeAsync(async () => {
          const fs = await Vellum.create({ lowers: [{ type: 'zip', data: s.zip }] });
          if (fs.statSync('/pkg/07/file-107.ts').size === 0) throw new Error('zip entry missing');
        });
        return { value: timing.nsPerOp, timing };
      },
      peer: async (s) => {
        const timing = await timeAsync(async () => {
          const readable = await Zip.create({ data: s.zip, name: 'bench.zip' });
          await readable.ready();
          const fs = await CopyOnWrite.create({ readable, writable: InMemory.create({}) });
          await fs.ready();
          if (fs.statSync('/pkg/07/file-107.ts').size === 0) throw new Error('zip entry missing');
        });
        return { value: timing.nsPerOp, timing };
      },
    },
    {
      figure: 'build + mount (MemoryLayer from entries vs InMemory filled with createFileSync/writeSync)',
      unit: 'ms',
      vellum: async (s) => s.mountMs.vellum,
      peer: async (s) => s.mountMs.cow,
    },
  ],
  notes(_state, rows, ctx) {
    ctx.note(
      "Both backends sit behind the same ZenFS VFS code (path resolution, vnode cache, handles), so the figures include ZenFS's own per-call cost. " +
        'Vellum `statSync` = engine `lstatSync` plus, for a path below the root, `realpathSync` of its parent (a path crossing a symlink must be ENOENT for ZenFS to resolve it); ' +
        "its `readSync` reads only the asked range through the engine's descriptors (`openSync`, `readSync`, `closeSync`); reads never copy up (`no_atime`).",
    );
    for (const row of rows) {
      if (row.ratio != null && row.unit === 'ns/op')
        ctx.note(`${row.figure}: CopyOnWrite / Vellum = ${row.ratio.toFixed(2)}×.`);
    }
  },
  async teardown() {
    for (const at of [VELLUM_AT, COW_AT]) {
      try {
        umount(at);
      } catch {
        // Not mounted (its side failed to build).
      }
    }
    await configure({ mounts: { '/': zenMemory('root').fs } });
  },
};
