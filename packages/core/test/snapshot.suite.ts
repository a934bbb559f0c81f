/**
 * Snapshots: `snapshot` / `restore` / `snapshots` / `dropSnapshot` over memory and IndexedDB
 * uppers. Round trips over random sequences (the tree after a restore is the tree at the
 * snapshot), what a snapshot costs (records, not data), and restore as one transaction. Run
 * under Node over fake-indexeddb (snapshot.test.ts) and in Chromium over its IndexedDB
 * (snapshot.browser.test.ts).
 */
import fc from 'fast-check';
import { promisifyRequest } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { databaseName, STORE } from '../src/idb/database.js';
import { IndexedDBUpper } from '../src/idb/index.js';
import {
  MemoryLayer,
  type MemoryUpper,
  type Overlay,
  Overlay as OverlayClass,
  type UpperLayer,
} from '../src/index.js';
import { rejection } from './helpers.js';
import { frozenImage } from './idb-env.js';
import type { UpperKind } from './upper-kinds.js';

const base = (): MemoryLayer =>
  MemoryLayer.fromTree(
    { 'a.txt': 'A', 'b.txt': 'B'.repeat(40), d: { 'x.txt': 'X', 'y.txt': 'Y' } },
    { id: 'base', mtimeMs: 1_000 },
  );
const open = (upper: UpperLayer): Promise<Overlay> =>
  OverlayClass.create({ lowers: [base()], upper, chunkSize: 16 });

/** Every path with what it is: contents, mode and inode number (what a restore must give back). */
async function view(ov: Overlay): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await ov.readdir('/', { recursive: true })) {
    const p = `/${name}`;
    const st = await ov.lstat(p);
    const what = st.isDirectory()
      ? 'dir'
      : st.isSymbolicLink()
        ? `-> ${await ov.readlink(p)}`
        : await ov.readFile(p, 'latin1');
    out[p] = `${what} ${(st.mode & 0o7777).toString(8)} #${st.ino}`;
  }
  return out;
}

const op = fc.oneof(
  fc.record({
    op: fc.constant('write' as const),
    path: fc.constantFrom('/a.txt', '/b.txt', '/d/x.txt', '/n.txt', '/d/n'),
    text: fc.string({ maxLength: 40 }),
  }),
  fc.record({
    op: fc.constant('patch' as const),
    path: fc.constantFrom('/a.txt', '/b.txt', '/n.txt'),
    at: fc.nat({ max: 50 }),
    text: fc.string({ minLength: 1, maxLength: 5 }),
  }),
  fc.record({
    op: fc.constant('unlink' as const),
    path: fc.constantFrom('/a.txt', '/b.txt', '/d/x.txt', '/n.txt'),
  }),
  fc.record({
    op: fc.constant('rename' as const),
    path: fc.constantFrom('/a.txt', '/b.txt', '/d', '/n.txt'),
    to: fc.constantFrom('/r', '/d/r'),
  }),
  fc.record({ op: fc.constant('chmod' as const), path: fc.constantFrom('/a.txt', '/d', '/n.txt') }),
  fc.record({ op: fc.constant('mkdir' as const), path: fc.constantFrom('/m', '/d/m') }),
  fc.record({ op: fc.constant('rm' as const), path: fc.constantFrom('/d', '/m', '/r') }),
  fc.record({ op: fc.constant('snapshot' as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function run(ov: Overlay, o: Op): Promise<void> {
  try {
    if (o.op === 'write') await ov.writeFile(o.path, o.text);
    else if (o.op === 'patch') {
      const fh = await ov.open(o.path, 'r+');
      try {
        await fh.write(o.text, o.at, 'utf8');
      } finally {
        await fh.close();
      }
    } else if (o.op === 'unlink') await ov.unlink(o.path);
    else if (o.op === 'rename') await ov.rename(o.path, o.to);
    else if (o.op === 'chmod') await ov.chmod(o.path, 0o700);
    else if (o.op === 'mkdir') await ov.mkdir(o.path);
    else if (o.op === 'rm') await ov.rm(o.path, { recursive: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!['ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY', 'EINVAL'].includes(code ?? '')) throw error;
  }
}

/** Where the suite runs: the uppers, an IndexedDB factory for the storage checks, how many property runs. */
export interface SnapshotEnv {
  kinds: [string, UpperKind][];
  factory: () => IDBFactory;
  runs: (kind: UpperKind) => number;
}

export function snapshotSuite(env: SnapshotEnv): void {
  describe.each(env.kinds)('snapshots over a %s upper', (_name, kind) => {
    it('restore gives back the tree at the snapshot, also after reset and across a reopen', async () => {
      const { upper, reopen } = kind();
      const ov = await open(upper);
      await ov.writeFile('/a.txt', 'mine');
      await ov.mkdir('/new');
      const at = await view(ov);
      const snap = await ov.snapshot('before solve');
      expect(snap).toMatchObject({ label: 'before solve' });
      await ov.writeFile('/a.txt', 'solution');
      await ov.rm('/new', { recursive: true });
      await ov.writeFile('/b.txt', 'changed');
      await ov.restore(snap.id);
      expect(await view(ov)).toEqual(at);
      await ov.reset(); // "Reset lesson": snapshots stay
      expect(await ov.readFile('/a.txt', 'utf8')).toBe('A');
      expect((await ov.snapshots()).map((s) => s.id)).toEqual([snap.id]);
      await ov.restore(snap.id);
      expect(await view(ov)).toEqual(at);
      await ov.writeFile('/later.txt', 'L'); // a new inode number after the restore: never one the snapshot had
      const again = await OverlayClass.create({ lowers: [base()], upper: reopen(), chunkSize: 16 });
      expect((await again.snapshots()).map((s) => s.label)).toEqual(['before solve']);
      const inos = Object.values(await view(again)).map((v) => v.split('#')[1]);
      expect(new Set(inos).size).toBe(inos.length);
      await again.restore(snap.id);
      expect(await view(again)).toEqual(at);
      await again.close();
      await ov.close();
    });

    it('drops a snapshot; unknown ids are ENOENT; bad arguments EINVAL', async () => {
      const { upper } = kind();
      const ov = await open(upper);
      const a = await ov.snapshot();
      const b = await ov.snapshot('second');
      expect((await ov.snapshots()).map((s) => s.id)).toEqual([a.id, b.id]);
      await ov.dropSnapshot(a.id);
      expect((await ov.snapshots()).map((s) => s.id)).toEqual([b.id]);
      expect((await rejection(ov.restore(a.id))).code).toBe('ENOENT');
      expect((await rejection(ov.dropSnapshot(a.id))).code).toBe('ENOENT');
      expect((await rejection(ov.restore(42 as never))).code).toBe('EINVAL');
      expect((await rejection(ov.snapshot(42 as never))).code).toBe('EINVAL');
      await ov.close();
    });

    it('costs records, not data: chunks are shared until the live file changes', async () => {
      const { upper } = kind();
      const ov = await open(upper);
      const big = 'z'.repeat(16 * 64); // 64 chunks of 16 bytes
      await ov.writeFile('/big.txt', big);
      await ov.writeFile('/small.txt', 's');
      const before = await ov.usage();
      const snap = await ov.snapshot();
      // What it froze: the records the upper holds (root, 2 files, their 2 names), 65 chunks by reference.
      expect(snap.records).toBe(before.entries);
      expect(snap.chunks).toBe(65);
      expect((await ov.usage()).bytes).toBe(before.bytes);
      // One chunk changed: the live file stores one new chunk; the snapshot still reads the old.
      const fh = await ov.open('/big.txt', 'r+');
      await fh.write('Y', 5, 'utf8');
      await fh.close();
      await ov.restore(snap.id);
      expect(await ov.readFile('/big.txt', 'utf8')).toBe(big);
      await ov.close();
    });

    it('refuses to restore while a file is open for writing', async () => {
      const { upper } = kind();
      const ov = await open(upper);
      const snap = await ov.snapshot();
      const fh = await ov.open('/a.txt', 'r+');
      expect((await rejection(ov.restore(snap.id))).code).toBe('EBUSY');
      await fh.close();
      await ov.restore(snap.id);
      await ov.close();
    });

    it('round trips over random sequences (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(op, { maxLength: 14 }),
          fc.array(fc.nat(), { maxLength: 4 }),
          async (ops, order) => {
            const { upper } = kind();
            const ov = await open(upper);
            const taken: { id: string; tree: Record<string, string> }[] = [];
            for (const o of [...ops, { op: 'snapshot' as const }]) {
              if (o.op === 'snapshot') taken.push({ id: (await ov.snapshot()).id, tree: await view(ov) });
              else await run(ov, o);
            }
            // Restores in a random order, with changes in between: each gives back its tree.
            for (const n of [...order, 0]) {
              const s = taken[n % taken.length] as (typeof taken)[number];
              await ov.restore(s.id);
              expect(await view(ov)).toEqual(s.tree);
              await run(ov, { op: 'write', path: '/a.txt', text: `after ${n}` });
            }
            await ov.close();
          },
        ),
        { numRuns: env.runs(kind) },
      );
    });
  });

  describe('snapshots in IndexedDB', () => {
    /** How many records of each kind the database holds (`c` chunks, `v` kept chunk versions, `S` snapshots). */
    async function keys(name: string, factory: IDBFactory): Promise<Record<string, number>> {
      const db = await promisifyRequest(factory.open(databaseName(name)));
      try {
        const all = await promisifyRequest(db.transaction(STORE, 'readonly').objectStore(STORE).getAllKeys());
        const out: Record<string, number> = {};
        for (const key of all) {
          const tag = String((key as unknown[])[0]);
          out[tag] = (out[tag] ?? 0) + 1;
        }
        return out;
      } finally {
        db.close();
      }
    }

    it('stores records per snapshot, and one chunk per chunk changed since, never the data', async () => {
      const factory = env.factory();
      const name = `counts-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
      const upper = new IndexedDBUpper({ name, factory });
      const ov = await open(upper);
      await ov.writeFile('/big.txt', 'z'.repeat(16 * 256)); // 256 chunks
      await upper.compact();
      const before = await keys(name, factory);
      expect(before.c).toBe(256);
      const snap = await ov.snapshot();
      const after = await keys(name, factory);
      // One snapshot record and one pin per chunk it shares: no chunk bytes were copied.
      expect(after).toEqual({ ...before, S: 1, p: 256 });
      // Three chunks changed (twice each): three kept versions, not six, not 256.
      for (const round of [1, 2]) {
        const fh = await ov.open('/big.txt', 'r+');
        for (const at of [0, 16 * 100, 16 * 200]) await fh.write(`v${round}`, at, 'utf8');
        await fh.close();
        await upper.compact();
      }
      expect(await keys(name, factory)).toEqual({ ...before, S: 1, p: 253, v: 3 });
      await ov.restore(snap.id);
      expect(await ov.readFile('/big.txt', 'utf8')).toBe('z'.repeat(16 * 256));
      // The kept chunks are live again: no version copies left.
      expect(await keys(name, factory)).toEqual({ ...before, S: 1, p: 256 });
      await ov.dropSnapshot(snap.id);
      expect(await keys(name, factory)).toEqual(before);
      expect(await upper.check()).toEqual([]);
      await ov.close();
    });

    it('a crash at any moment of a restore finds the state before it or after it, never a mix', async () => {
      const factory = env.factory();
      const name = `crash-restore-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
      const ov = await open(new IndexedDBUpper({ name, factory }));
      await ov.writeFile('/a.txt', 'snapshot state');
      await ov.mkdir('/kept');
      const snap = await ov.snapshot();
      const then = JSON.stringify(await view(ov));
      await ov.writeFile('/a.txt', 'later state');
      await ov.rm('/kept', { recursive: true });
      await ov.writeFile('/b.txt', 'x'.repeat(100));
      const now = JSON.stringify(await view(ov));
      let done = false;
      const restoring = ov.restore(snap.id).then(() => {
        done = true;
      });
      const images: MemoryUpper[] = [];
      while (!done) {
        images.push(await frozenImage(name, factory));
        await new Promise((r) => setTimeout(r, 0));
      }
      await restoring;
      images.push(await frozenImage(name, factory));
      const seen = new Set<string>();
      for (const image of images) {
        const tree = JSON.stringify(await view(await open(image)));
        expect([then, now]).toContain(tree);
        seen.add(tree === then ? 'after' : 'before');
      }
      expect([...seen].sort()).toEqual(['after', 'before']);
      await ov.close();
    });
  });
}
