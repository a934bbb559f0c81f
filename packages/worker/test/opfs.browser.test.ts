/**
 * The OPFS upper for real: Chromium's origin private file system, `FileSystemSyncAccessHandle`
 * in the engine's dedicated worker (`{ type: 'opfs', name }` through `@vellum/worker`).
 */
import { type OpfsDirectoryHandle, OpfsUpper } from '@vellum/core/opfs';
import { expect, test } from 'vitest';
import { createOverlayWorker } from '../src/index.js';

const lowers = [{ type: 'memory', id: 'base', tree: { 'base.txt': 'base' } }] as const;
const unique = (label: string): string => `vellum-opfs-${label}-${crypto.randomUUID()}`;

/** The workspace's directory, as the page sees it. */
async function workspace(name: string): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return (await root.getDirectoryHandle('vellum-opfs')).getDirectoryHandle(encodeURIComponent(name));
}

test('changes survive closing the worker and reopening the workspace in a new one', async () => {
  const name = unique('reopen');
  const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
  const first = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'opfs', name } });
  await first.writeFile('/new.txt', 'kept');
  await first.writeFile('/big.bin', big);
  await first.mkdir('/d');
  await first.rename('/new.txt', '/d/moved.txt');
  await first.unlink('/base.txt');
  expect((await first.fsck()).ok).toBe(true);
  await first.close();
  // close() compacted: the snapshot holds everything, the journal is empty.
  const dir = await workspace(name);
  expect((await (await dir.getFileHandle('journal')).getFile()).size).toBe(0);
  expect((await (await dir.getFileHandle('snapshot')).getFile()).size).toBeGreaterThan(0);

  const second = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'opfs', name } });
  expect(await second.readdir('/')).toEqual(['big.bin', 'd']);
  expect(await second.readFile('/d/moved.txt', 'utf8')).toBe('kept');
  expect(await second.readFile('/big.bin')).toEqual(big);
  expect((await second.fsck()).ok).toBe(true);
  await second.close();
  await OpfsUpper.delete(name);
  const root = await navigator.storage.getDirectory();
  const left: string[] = [];
  // TypeScript's DOM library lacks the async iteration of directories; core's OPFS type has it.
  const parent = (await root.getDirectoryHandle('vellum-opfs')) as unknown as OpfsDirectoryHandle;
  for await (const key of parent.keys()) left.push(key);
  expect(left).not.toContain(encodeURIComponent(name));
});

test('a worker killed without closing: everything acknowledged is there; a torn header tail is dropped', async () => {
  const name = unique('killed');
  const worker = new Worker(new URL('../src/entry-web.ts', import.meta.url), { type: 'module' });
  const first = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'opfs', name }, worker });
  for (let i = 0; i < 50; i++) await first.writeFile(`/f${i}.txt`, `file ${i}`);
  worker.terminate(); // no close(): no compaction, the journal holds 50 records
  const dir = await workspace(name);
  const journal = await dir.getFileHandle('journal');
  // The lock goes with the worker; then a 7-byte header is appended, as a killed writer leaves one.
  let size = 0;
  for (let tries = 0; tries < 100; tries++) {
    try {
      const out = await journal.createWritable({ keepExistingData: true });
      size = (await journal.getFile()).size;
      await out.seek(size);
      await out.write(new Uint8Array([0x56, 0x4f, 0x46, 0x31, 0, 0, 1]));
      await out.close();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  expect(size).toBeGreaterThan(50 * 12);
  expect((await journal.getFile()).size).toBe(size + 7);

  const second = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'opfs', name } });
  expect((await second.readdir('/')).length).toBe(51);
  expect(await second.readFile('/f49.txt', 'utf8')).toBe('file 49');
  await second.writeFile('/after.txt', 'after');
  expect((await second.fsck()).ok).toBe(true);
  await second.close();
  const third = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'opfs', name } });
  expect(await third.readFile('/after.txt', 'utf8')).toBe('after');
  expect((await third.readdir('/')).length).toBe(52);
  await third.close();
  await OpfsUpper.delete(name);
});

test('one writer: a second worker on the same workspace fails with EBUSY until the first closes', async () => {
  const name = unique('busy');
  const first = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'opfs', name } });
  await first.writeFile('/a.txt', 'a');
  await expect(
    createOverlayWorker({ lowers: [...lowers], upper: { type: 'opfs', name } }),
  ).rejects.toMatchObject({
    code: 'EBUSY',
  });
  await first.close();
  const second = await createOverlayWorker({ lowers: [...lowers], upper: { type: 'opfs', name } });
  expect(await second.readFile('/a.txt', 'utf8')).toBe('a');
  await second.close();
  await OpfsUpper.delete(name);
});
