/**
 * `stat` through symlinks on a pnpm-style `node_modules` (each package in
 * `.pnpm/<name>@1.0.0/node_modules/<name>`, a symlink `node_modules/<name>` to it, and an app
 * whose `node_modules` is a symlink to the top one), against the same `stat` of the direct path:
 * what following a symlink costs, on Vellum, ZenFS (its VFS resolves symlinks) and the kernel's
 * overlayfs (tmpfs lower, `fs.statSync` on the mount; rows of their own, as the harness has one
 * peer column). All calls are synchronous, over the same 4,096 sampled packages on every side.
 */
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, fs as zenfs } from '@zenfs/core';
import type { Case, Measured, Row, Suite, SuiteContext } from '../lib/harness.js';
import { kernelProbe, mountOverlay, mountTmpfs, unmountAll } from '../lib/kernel-overlay.js';
import { timeSync } from '../lib/timing.js';
import { loadVellum, type Settled, settle, unwrap, type VellumOverlay } from '../lib/vellum.js';
import { zenMemory, zenStack } from '../lib/zenfs.js';

const PACKAGES = 1_000;
const SAMPLE = 4096;
/** Packages checked on every side before timing (size of package.json, realpath). */
const VERIFY = 64;

const real = (i: number): string => `/node_modules/.pnpm/pkg${i}@1.0.0/node_modules/pkg${i}`;
const manifest = (i: number): string => `{"name":"pkg${i}","version":"1.0.0","main":"index.js"}\n`;

/** The tree every side builds: directories, files, symlinks (relative targets, as pnpm writes them). */
const TREE = {
  dirs: ['/node_modules', '/node_modules/.pnpm', '/work', '/work/app'],
  files: Array.from({ length: PACKAGES }, (_, i) => [
    { path: `${real(i)}/package.json`, data: manifest(i) },
    { path: `${real(i)}/index.js`, data: `module.exports = ${i};\n` },
  ]).flat(),
  links: [
    ...Array.from({ length: PACKAGES }, (_, i) => ({
      path: `/node_modules/pkg${i}`,
      target: `.pnpm/pkg${i}@1.0.0/node_modules/pkg${i}`,
    })),
    { path: '/work/app/node_modules', target: '../../node_modules' },
  ],
};

type Route = 'direct' | 'one' | 'two';
/** The same package.json reached three ways: its real path, through 1 symlink, through 2. */
const ROUTES: Record<Route, { text: string; path: (i: number) => string }> = {
  direct: { text: 'the real path (no symlink)', path: (i) => `${real(i)}/package.json` },
  one: {
    text: 'through 1 symlink (`/node_modules/pkgN`)',
    path: (i) => `/node_modules/pkg${i}/package.json`,
  },
  two: {
    text: 'through 2 symlinks (`/work/app/node_modules` → `../../node_modules`, then `pkgN`)',
    path: (i) => `/work/app/node_modules/pkg${i}/package.json`,
  },
};

/** A side: a sync stat and realpath on the merged view. */
interface Side {
  stat(path: string): { size: number };
  realpath(path: string): string;
  dispose(): Promise<void>;
}

type SideName = 'vellum' | 'zenfs' | 'kernel';

interface State {
  readonly sides: Readonly<Record<SideName, Settled<Side>>>;
  readonly kernelSkip: string | null;
  readonly sample: readonly number[];
  readonly memo: Map<string, Measured>;
}

async function vellumSide(): Promise<Side> {
  const core = await loadVellum();
  const lower = core.MemoryLayer.fromEntries([
    ...TREE.dirs.map((path) => ({ path, kind: 'dir' as const })),
    ...TREE.files.map((f) => ({ path: f.path, kind: 'file' as const, data: f.data })),
    ...TREE.links.map((l) => ({ path: l.path, kind: 'symlink' as const, target: l.target })),
  ]);
  const ov: VellumOverlay = await core.Overlay.create({ lowers: [lower], upper: new core.MemoryUpper() });
  return {
    stat: (p) => ov.statSync(p),
    realpath: (p) => ov.realpathSync(p),
    dispose: () => ov.close(),
  };
}

async function zenSide(): Promise<Side> {
  // Built through the VFS on a plain InMemory (it writes symlinks as its VFS does), then used
  // as the readable layer of a CopyOnWrite with an empty writable, like the other suites.
  const lower = zenMemory('lower');
  await configure({ mounts: { '/': lower.fs }, disableAccessChecks: true });
  for (const d of TREE.dirs) zenfs.mkdirSync(d, { recursive: true });
  for (const f of TREE.files) {
    zenfs.mkdirSync(f.path.slice(0, f.path.lastIndexOf('/')), { recursive: true });
    zenfs.writeFileSync(f.path, f.data);
  }
  for (const l of TREE.links) zenfs.symlinkSync(l.target, l.path);
  const cow = await zenStack([lower.fs], zenMemory('upper').fs);
  await configure({ mounts: { '/': cow }, disableAccessChecks: true });
  return {
    stat: (p) => zenfs.statSync(p),
    realpath: (p) => zenfs.realpathSync(p),
    dispose: () => configure({ mounts: { '/': zenMemory('root').fs } }),
  };
}

async function kernelSide(): Promise<Side> {
  const base = nodeFs.mkdtempSync(join(tmpdir(), 'vellum-symlinks-'));
  const dirs = ['lower', 'top', 'merged'].map((d) => join(base, d));
  const [lower, top, merged] = dirs as [string, string, string];
  for (const d of dirs) nodeFs.mkdirSync(d);
  const mounted: string[] = [];
  try {
    mountTmpfs(lower);
    mounted.push(lower);
    for (const d of TREE.dirs) nodeFs.mkdirSync(join(lower, d), { recursive: true });
    for (const f of TREE.files) {
      nodeFs.mkdirSync(join(lower, f.path, '..'), { recursive: true });
      nodeFs.writeFileSync(join(lower, f.path), f.data);
    }
    for (const l of TREE.links) nodeFs.symlinkSync(l.target, join(lower, l.path));
    mountTmpfs(top);
    mounted.push(top);
    nodeFs.mkdirSync(join(top, 'upper'));
    nodeFs.mkdirSync(join(top, 'work'));
    mountOverlay(lower, join(top, 'upper'), join(top, 'work'), merged);
    mounted.push(merged);
  } catch (error) {
    unmountAll(mounted);
    throw error;
  }
  return {
    stat: (p) => nodeFs.statSync(merged + p),
    realpath: (p) => nodeFs.realpathSync(merged + p).slice(merged.length),
    async dispose() {
      unmountAll(mounted);
      nodeFs.rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Every route of the first packages gives package.json's size and the real path. */
function verify(name: string, side: Side, sample: readonly number[]): void {
  for (const i of sample.slice(0, VERIFY)) {
    const size = new TextEncoder().encode(manifest(i)).byteLength;
    for (const route of Object.values(ROUTES)) {
      const p = route.path(i);
      const got = side.stat(p).size;
      if (got !== size) throw new Error(`${name}: stat ${p} gives size ${got}, expected ${size}`);
      const resolved = side.realpath(p);
      if (resolved !== `${real(i)}/package.json`) throw new Error(`${name}: realpath ${p} = ${resolved}`);
    }
  }
}

function measure(state: State, side: SideName, what: 'stat' | 'realpath', route: Route): Measured {
  const key = `${side} ${what} ${route}`;
  const known = state.memo.get(key);
  if (known) return known;
  const s = unwrap(state.sides[side]);
  const paths = state.sample.map(ROUTES[route].path);
  const op =
    what === 'stat'
      ? (i: number) => s.stat(paths[i & (SAMPLE - 1)] as string)
      : (i: number) => s.realpath(paths[i & (SAMPLE - 1)] as string);
  const timing = timeSync(op);
  const measured = { value: timing.nsPerOp, timing };
  state.memo.set(key, measured);
  return measured;
}

const PEER_TEXT: Record<'zenfs' | 'kernel', string> = {
  zenfs: 'peer: ZenFS 2.7.6 CopyOnWrite, VFS `fs.statSync`',
  kernel: 'peer: kernel overlayfs, `fs.statSync` on the mount',
};

function cases(state: State): readonly Case<State>[] {
  const rows: Case<State>[] = [];
  for (const peer of ['zenfs', 'kernel'] as const) {
    const skipped = peer === 'kernel' && state.kernelSkip !== null ? ` (skipped: ${state.kernelSkip})` : '';
    for (const route of Object.keys(ROUTES) as Route[]) {
      rows.push({
        id: `stat-${route}-${peer}`,
        figure: `stat of package.json ${ROUTES[route].text} · ${PEER_TEXT[peer]}${skipped}`,
        unit: 'ns/op',
        vellum: async (s) => measure(s, 'vellum', 'stat', route),
        ...(skipped ? {} : { peer: async (s: State) => measure(s, peer, 'stat', route) }),
      });
    }
    rows.push({
      id: `realpath-two-${peer}`,
      figure: `realpath ${ROUTES.two.text} · ${PEER_TEXT[peer].replace('statSync', 'realpathSync')}${skipped}`,
      unit: 'ns/op',
      vellum: async (s) => measure(s, 'vellum', 'realpath', 'two'),
      ...(skipped ? {} : { peer: async (s: State) => measure(s, peer, 'realpath', 'two') }),
    });
    for (const route of ['one', 'two'] as const) {
      rows.push({
        figure: `stat ${ROUTES[route].text} ÷ stat of the real path (what the symlinks add; lower is better) · ${peer === 'zenfs' ? 'peer: ZenFS' : 'peer: kernel overlayfs'}${skipped}`,
        unit: 'x',
        ratio: 'none',
        vellum: async (_s, ctx) =>
          ctx.value(`stat-${route}-${peer}`, 'vellum') / ctx.value(`stat-direct-${peer}`, 'vellum'),
        ...(skipped
          ? {}
          : {
              peer: async (_s: State, ctx) =>
                ctx.value(`stat-${route}-${peer}`, 'peer') / ctx.value(`stat-direct-${peer}`, 'peer'),
            }),
      });
    }
  }
  return rows;
}

export const symlinksSuite: Suite<State> = {
  name: 'symlinks',
  title: 'stat through symlinks on a pnpm-style node_modules (`symlinks`)',
  description:
    `ns per call, median over batches, of a synchronous \`stat\` of a package's package.json on a lower holding ${PACKAGES.toLocaleString('en-US')} packages laid out as pnpm does (\`/node_modules/.pnpm/pkgN@1.0.0/node_modules/pkgN\`, a relative symlink \`/node_modules/pkgN\` to it, and \`/work/app/node_modules\` → \`../../node_modules\`), reached by its real path, through 1 symlink and through 2; and \`realpath\` through 2. ` +
    `The same ${SAMPLE.toLocaleString('en-US')} sampled packages on every side. Vellum: \`Overlay\` over a MemoryLayer, \`statSync\`/\`realpathSync\`. ZenFS: CopyOnWrite over an InMemory built through its VFS (which resolves symlinks), \`fs.statSync\`/\`fs.realpathSync\`. Kernel: overlayfs mounted over a tmpfs lower, Node's \`fs.statSync\`/\`fs.realpathSync\` on the mount (a syscall each).`,
  async setup(ctx: SuiteContext): Promise<State> {
    const kernelSkip = kernelProbe();
    if (kernelSkip !== null) ctx.note(`Kernel rows skipped: ${kernelSkip}.`);
    const sample = Array.from({ length: SAMPLE }, (_, k) => (k * 7919 + 13) % PACKAGES);
    const sides = {} as Record<SideName, Settled<Side>>;
    const build: Record<SideName, () => Promise<Side>> = {
      vellum: vellumSide,
      zenfs: zenSide,
      kernel: () =>
        kernelSkip === null ? kernelSide() : Promise.reject(new Error(`skipped: ${kernelSkip}`)),
    };
    for (const name of ['vellum', 'zenfs', 'kernel'] as const) {
      const start = performance.now();
      sides[name] = await settle(async () => {
        const side = await build[name]();
        verify(name, side, sample);
        return side;
      });
      ctx.log(`${name}: built and checked in ${(performance.now() - start).toFixed(0)} ms`);
    }
    return { sides, kernelSkip, sample, memo: new Map() };
  },
  cases,
  notes(_state: State, rows: readonly Row[], ctx: SuiteContext) {
    const failed = rows.filter((r) => (r.vellum && !r.vellum.ok) || (r.peer && !r.peer.ok)).length;
    ctx.note(
      'Every side is checked before timing: for the first 64 sampled packages, each route stats to the size of package.json and realpaths to its real path.' +
        (failed > 0 ? ` ${failed} row(s) have a failed cell: see the error text.` : ''),
    );
  },
  async teardown(state: State) {
    for (const side of Object.values(state.sides)) if (side.ok) await side.value.dispose();
  },
};
