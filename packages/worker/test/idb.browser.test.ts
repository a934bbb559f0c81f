/** An IndexedDB upper in the worker (real IndexedDB in Chromium): persistence, and what `close()` releases. */
import { IndexedDBUpper } from '@vellum/core/idb';
import { expect, test } from 'vitest';
import { createOverlayWorker } from '../src/index.js';

// A fixed id: the default digest covers default times, which differ between two opens.
const lowers = [{ type: 'memory', id: 'base', tree: { 'base.txt': 'base' } }] as const;
const unique = (label: string): string => `vellum-worker-${label}-${crypto.randomUUID()}`;

test('changes survive closing the worker and reopening the same database in a new one', async () => {
  const name = unique('strict');
  const first = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'idb', name } });
  await first.writeFile('/new.txt', 'kept');
  await first.unlink('/base.txt');
  await first.close();

  const second = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'idb', name } });
  expect(await second.readFile('/new.txt', 'utf8')).toBe('kept');
  expect(await second.readdir('/')).toEqual(['new.txt']);
  expect((await second.fsck()).ok).toBe(true);
  await second.close();
  // Deleting waits for every open connection: it resolves only because close() released the worker's.
  await IndexedDBUpper.delete(name);
});

test('write-back: close() commits what is still queued before the worker ends', async () => {
  const name = unique('write-back');
  const upper = { type: 'idb', name, writeBack: { delayMs: 60_000 } } as const;
  const first = await createOverlayWorker({ lowers: [...lowers], upper });
  for (let i = 0; i < 20; i++) await first.writeFile(`/f${i}.txt`, `${i}`);
  await first.close(); // no sync(): the group commit is an hour away

  const second = await createOverlayWorker({ lowers: [...lowers], upper });
  expect((await second.readdir('/')).length).toBe(21);
  expect(await second.readFile('/f19.txt', 'utf8')).toBe('19');
  await second.writeFile('/late.txt', 'late');
  await second.sync();
  await second.close();
  await IndexedDBUpper.delete(name);
});

test('whenLocked: a second worker waits for the writer lock until the first one’s close() hands it on', async () => {
  const name = unique('lock');
  const upper = { type: 'idb', name, whenLocked: 'wait' } as const;
  const first = await createOverlayWorker({ lowers: [...lowers], upper });
  await first.writeFile('/first.txt', '1');
  let opened = false;
  const second = createOverlayWorker({ lowers: [...lowers], upper }).then((fs) => {
    opened = true;
    return fs;
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(opened).toBe(false);
  await first.close();
  const fs = await second;
  expect(await fs.readFile('/first.txt', 'utf8')).toBe('1');
  await fs.writeFile('/second.txt', '2');
  await fs.close();
  await IndexedDBUpper.delete(name);
});

test('whenLocked: a read-only worker refuses writes with EROFS and shows the writer’s commits without reopening', async () => {
  const name = unique('read-only');
  const upper = { type: 'idb', name, whenLocked: 'read-only' } as const;
  const writer = await createOverlayWorker({ lowers: [...lowers], upper });
  expect(writer.readOnly).toBe(false);
  await writer.writeFile('/w.txt', 'w');
  const reader = await createOverlayWorker({ lowers: [...lowers], upper });
  expect(reader.readOnly).toBe(true);
  await expect(reader.writeFile('/r.txt', 'r')).rejects.toMatchObject({ code: 'EROFS' });
  const baseIno = (await reader.stat('/base.txt')).ino;
  const heard = reader.events(['remote-change']);
  await writer.writeFile('/w2.txt', 'w2');
  expect((await heard.next()).value).toEqual({ type: 'remote-change', detail: { name } });
  // The event comes after the worker's overlay applied the commit: the same client reads it.
  expect(await reader.readFile('/w2.txt', 'utf8')).toBe('w2');
  await writer.rename('/w.txt', '/moved.txt');
  await heard.next();
  expect(await reader.readdir('/')).toEqual(['base.txt', 'moved.txt', 'w2.txt']);
  expect((await reader.stat('/base.txt')).ino).toBe(baseIno);
  await heard.return?.();
  await reader.close();
  await writer.close();
  await IndexedDBUpper.delete(name);
});

test("core's idb descriptor options cross unchanged: readOnly (a preview) refuses writes and follows the writer", async () => {
  const name = unique('forced-read-only');
  const writer = await createOverlayWorker({
    lowers: [...lowers],
    // The writer announces its commits because it takes the lock (whenLocked); the preview never writes.
    upper: { type: 'idb', name, whenLocked: 'read-only', durability: 'relaxed' },
  });
  await writer.writeFile('/w.txt', 'w');
  const preview = await createOverlayWorker({
    lowers: [...lowers],
    upper: { type: 'idb', name, readOnly: true, mustExist: true },
  });
  await expect(preview.writeFile('/p.txt', 'p')).rejects.toMatchObject({ code: 'EROFS' });
  expect(await preview.readFile('/w.txt', 'utf8')).toBe('w');
  const heard = preview.events(['remote-change']);
  await writer.writeFile('/w2.txt', 'w2');
  expect((await heard.next()).value).toEqual({ type: 'remote-change', detail: { name } });
  expect(await preview.readFile('/w2.txt', 'utf8')).toBe('w2');
  await heard.return?.();
  await preview.close();
  await writer.close();
  await IndexedDBUpper.delete(name);
});

test('reopening on a changed base: baseChanges names the copied-up files whose base changed or went', async () => {
  const name = unique('base-changes');
  const upper = { type: 'idb', name } as const;
  const v1 = { type: 'memory', id: 'v1', mtimeMs: 1000, tree: { 'a.txt': 'a', 'b.txt': 'b' } } as const;
  const first = await createOverlayWorker({ lowers: [v1], upper });
  expect(first.baseChanges).toEqual([]);
  await first.chmod('/a.txt', 0o600);
  await first.chmod('/b.txt', 0o600);
  await first.close();

  const v2 = { type: 'memory', id: 'v2', mtimeMs: 2000, tree: { 'a.txt': 'a, edited upstream' } } as const;
  const second = await createOverlayWorker({ lowers: [v2], upper, onLowerChange: 'open' });
  expect([...second.baseChanges].sort((x, y) => x.path.localeCompare(y.path))).toEqual([
    { path: '/a.txt', change: 'changed' },
    { path: '/b.txt', change: 'missing' },
  ]);
  await second.close();
  await IndexedDBUpper.delete(name);
});
