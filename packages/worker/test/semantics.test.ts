/**
 * The engine's semantics through the client: one script of calls runs on an in-process
 * `Overlay` and on a worker built from the same trees; every answer (values, stats,
 * errors with their Node fields) must be the same, and so must the final changes.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'vitest';
import { overlay } from '../../core/test/helpers.js';
import { createOverlayWorker, type OverlayClient } from '../src/index.js';
import { type AnyFs, answer, descriptors, SCRIPT, TREES } from './script.js';

describe('the engine through the client (Node worker_threads)', () => {
  let fs: OverlayClient;
  beforeAll(async () => {
    fs = await createOverlayWorker({
      lowers: descriptors(TREES),
      upper: { type: 'memory' },
      chunkSize: 4096,
    });
  });
  afterAll(() => fs.close());

  test('every call answers as the in-process engine does, errors included', async () => {
    const { ov } = await overlay(TREES, { chunkSize: 4096 });
    for (const step of SCRIPT) {
      const local = await answer(ov as unknown as AnyFs, step);
      const remote = await answer(fs as unknown as AnyFs, step);
      expect(remote, JSON.stringify(step)).toEqual(local);
    }
    const errors = await Promise.all(SCRIPT.map((s) => answer(ov as unknown as AnyFs, s)));
    expect(errors.filter((a) => 'error' in (a as object)).length).toBeGreaterThan(10);
  });

  test('results have Node types: Buffers, Stats and Dirent methods, Dates', async () => {
    const data = await fs.readFile('/bin/run');
    expect(Buffer.isBuffer(data)).toBe(true);
    const s = await fs.stat('/bin');
    expect(s.isDirectory()).toBe(true);
    expect(s.mtime).toBeInstanceOf(Date);
    const [d] = await fs.readdir('/bin', { withFileTypes: true });
    expect(d?.isFile()).toBe(true);
    expect(d?.path).toBe('/bin');
  });

  test('a file handle: positions, writes, stat, close, EBADF after close', async () => {
    const fh = await fs.open('/fh.txt', 'w+');
    expect(fh.fd).toBeGreaterThan(2);
    await fh.write('hello world');
    await fh.write(new Uint8Array([33]), 0, 1, 11);
    const buf = Buffer.alloc(5);
    const r = await fh.read(buf, 0, 5, 6);
    expectTypeOf(r.buffer).toEqualTypeOf(buf);
    expectTypeOf((await fh.read({ position: 0 })).buffer).toEqualTypeOf<Uint8Array>();
    expect(r.bytesRead).toBe(5);
    expect(buf.toString()).toBe('world');
    expect((await fh.stat()).size).toBe(12);
    await fh.truncate(5);
    expect((await fh.read({ position: 0 })).bytesRead).toBe(5);
    await fh.close();
    await expect(fh.stat()).rejects.toMatchObject({ code: 'EBADF' });
    expect(await fs.readFile('/fh.txt', 'utf8')).toBe('hello');
  });

  test('change events arrive before the call resolves', async () => {
    const seen: unknown[] = [];
    const listener = (e: Event): void => void seen.push((e as CustomEvent).detail);
    fs.addEventListener('change', listener);
    await fs.writeFile('/evt.txt', '1');
    expect(seen).toEqual([{ op: 'writeFile', paths: ['/evt.txt'] }]);
    await fs.rename('/evt.txt', '/evt2.txt');
    await fs.stat('/evt2.txt');
    await fs.writeMany(
      [
        { path: '/evt/a', data: 'a' },
        { path: '/evt/b', data: 'b' },
      ],
      { parents: true },
    );
    fs.removeEventListener('change', listener);
    expect(seen.slice(1)).toEqual([
      { op: 'rename', paths: ['/evt.txt', '/evt2.txt'] },
      { op: 'writeMany', paths: ['/evt/a', '/evt/b'] },
    ]);
  });

  test('bulk calls: walk, statMany, readMany, writeMany', async () => {
    const errors = await fs.writeMany(
      [
        { path: '/bulk/a.txt', data: 'a' },
        { path: '/bulk/sub/b.bin', data: new Uint8Array([1, 2]) },
        { path: '/README.md/x', data: 'fails' },
      ],
      { parents: true },
    );
    expect(errors.slice(0, 2)).toEqual([undefined, undefined]);
    expect(errors[2]).toMatchObject({ code: 'EEXIST', syscall: 'mkdir', path: '/README.md' });
    const walked = await fs.walk('/bulk');
    expect(walked.map((e) => [e.path, e.type])).toEqual([
      ['/bulk/a.txt', 'file'],
      ['/bulk/sub', 'dir'],
      ['/bulk/sub/b.bin', 'file'],
    ]);
    expect(walked[2]?.stats.size).toBe(2);
    const whole = await fs.walk('/');
    const single = await Promise.all(whole.map((e) => fs.lstat(e.path)));
    expect(whole.map((e) => e.stats)).toEqual(single);
    const stats = await fs.statMany(['/bulk/a.txt', '/nope', '/link'], { follow: false });
    expect((stats[0] as { size: number }).size).toBe(1);
    expect(stats[1]).toMatchObject({ code: 'ENOENT', syscall: 'lstat', path: '/nope' });
    expect((stats[2] as { isSymbolicLink(): boolean }).isSymbolicLink()).toBe(true);
    const read = await fs.readMany(['/bulk/a.txt', '/bulk/sub/b.bin', '/bulk']);
    expect(Buffer.from(read[0] as Uint8Array).toString()).toBe('a');
    expect([...(read[1] as Uint8Array)]).toEqual([1, 2]);
    expect(read[2]).toMatchObject({ code: 'EISDIR' });
    expect(await fs.readMany(['/bulk/a.txt'], 'utf8')).toEqual(['a']);
  });

  test('reset brings the lowers back', async () => {
    await fs.reset();
    expect(await fs.changes()).toEqual([]);
    expect(await fs.readFile('/src/main.ts', 'utf8')).toBe('export const top = 1;\n');
  });
});

test('an unknown layer type is refused with a clear error', async () => {
  await expect(
    createOverlayWorker({ lowers: [{ type: 'ftp', url: '/x' } as never], upper: { type: 'memory' } }),
  ).rejects.toThrow(/unknown lower layer type "ftp" \(known: memory, zip, http;/);
  // (`opfs` is a known kind now: another name stands for the unknown one.)
  await expect(createOverlayWorker({ lowers: [], upper: { type: 's3' } as never })).rejects.toThrow(
    /unknown upper layer type "s3" \(known: memory, idb, opfs;/,
  );
});
