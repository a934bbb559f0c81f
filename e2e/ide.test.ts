/**
 * The demo IDE end to end, in real Chromium: ephemeral workspaces, tree operations, diff and revert,
 * reset, exports, persistent workspaces, the worker engine and the production build. Screenshots of
 * the main views go to test-results/ide/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Change } from '@vellum/core';
import { unzipSync } from 'fflate';
import type { Page, Response, Route } from 'playwright';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRange, STACK } from '../apps/ide/sample-layers-plugin.js';
import { zipLayerBytes } from '../apps/ide/src/layers/sources.js';
import { lessonLayer } from '../apps/ide/src/sample/lesson.js';
import { baseName, parentOf } from '../apps/ide/src/ui/tree-model.js';
import {
  answerDialog,
  answerName,
  boot,
  clickInTree,
  editAndSave,
  expectChanges,
  type Ide,
  ideRoot,
  importZip,
  row,
  SHOTS,
  startIde,
} from './ide-harness.js';

let ide: Ide;
let page: Page;

const inspect = {
  listing: (which: 'workspace' | 'base') => page.evaluate((w) => window.vellumIde?.listing(w) ?? [], which),
  read: (which: 'workspace' | 'base', path: string) =>
    page.evaluate(([w, p]) => window.vellumIde?.readText(w, p) ?? '', [which, path] as const),
  changes: () => page.evaluate(() => window.vellumIde?.changes() ?? []),
};

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

/** The layer entry name of one change: `.wh.<name>` for a deletion, `dir/` for a folder. */
function layerNameOf(change: Change): string {
  const rel = (path: string): string => path.replace(/^\/+/, '');
  if (change.change === 'deleted') {
    const dir = rel(parentOf(change.path));
    return `${dir ? `${dir}/` : ''}.wh.${baseName(change.path)}`;
  }
  return change.type === 'dir' ? `${rel(change.path)}/` : rel(change.path);
}

/**
 * An exported layer's entry names hold every change's, and beyond them only what a layer needs to
 * give the same view: a moved folder's contents (a layer has no redirect), a parent folder whose
 * mode is not the default, opaque marks.
 */
function expectLayerOf(names: readonly string[], changes: readonly Change[]): void {
  const want = changes.map(layerNameOf);
  for (const name of want) expect(names, name).toContain(name);
  const moved = changes.filter((c) => c.type === 'dir' && c.change === 'renamed').map(layerNameOf);
  const parents = new Set(
    want.flatMap((n) =>
      n
        .split('/')
        .slice(0, -1)
        .map((_, i, a) => `${a.slice(0, i + 1).join('/')}/`),
    ),
  );
  const extra = names.filter(
    (n) =>
      !want.includes(n) &&
      !n.endsWith('.wh..wh..opq') &&
      !moved.some((m) => n.startsWith(m)) &&
      !parents.has(n),
  );
  expect(extra).toEqual([]);
}

/** Names and bytes of a ustar archive (prefix + name), enough to check the export. */
function listTar(tar: Uint8Array): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = [];
  const text = (at: number, len: number) =>
    new TextDecoder().decode(tar.subarray(at, at + len)).replace(/\0.*$/s, '');
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = text(at, 100);
    if (name === '') break;
    const prefix = text(at + 345, 155);
    const size = Number.parseInt(text(at + 124, 12), 8);
    out.push({ name: prefix ? `${prefix}/${name}` : name, bytes: tar.subarray(at + 512, at + 512 + size) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Serves `bytes` to a request the way the dev server does, Range included (the page reads zips lazily). */
function fulfillRange(route: Route, bytes: Uint8Array): Promise<void> {
  const range = parseRange(route.request().headers().range, bytes.length);
  if (range === null) return route.fulfill({ status: 416 });
  const [start, end] = range ?? [0, bytes.length];
  return route.fulfill({
    status: range ? 206 : 200,
    contentType: 'application/zip',
    headers: {
      'Accept-Ranges': 'bytes',
      ...(range ? { 'Content-Range': `bytes ${start}-${end - 1}/${bytes.length}` } : {}),
    },
    body: Buffer.from(bytes.subarray(start, end)),
  });
}

/** The page's workers running @vellum/worker's engine (its module entry is `entry-web`). */
const engineWorkers = (): number => page.workers().filter((w) => /entry-web/.test(w.url())).length;

/** How many `type` listeners `window` has (DevTools protocol: the page cannot list them itself). */
async function windowListeners(type: string): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
    if (result.objectId === undefined) throw new Error('no handle on window');
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    return listeners.filter((l) => l.type === type).length;
  } finally {
    await cdp.detach();
  }
}

/** Answers the IDE's inline name prompt. */
const answer = (name: string): Promise<void> => answerName(page, name);

/** Deletes `path` through the tree's Delete button and waits for its row to go. */
async function deleteInTree(path: string): Promise<void> {
  await clickInTree(page, path);
  await page.getByTestId('delete').click();
  await row(page, path).waitFor({ state: 'detached' });
}

/** The base changes two tests make: delete /tsconfig.json, rename the base folder /docs to /notes-docs. */
async function deleteAndRenameBase(): Promise<void> {
  await deleteInTree('/tsconfig.json');
  await clickInTree(page, '/docs');
  await page.getByTestId('rename').click();
  await answer('notes-docs');
  await row(page, '/notes-docs').waitFor();
}

beforeAll(async () => {
  ide = await startIde();
  page = ide.page;
});

afterAll(async () => {
  await ide?.close();
});

describe('demo IDE', () => {
  it('boots the lesson over the base, showing where each entry comes from', async () => {
    await boot(page, ide.url);
    await expect(row(page, '/README.md').getAttribute('data-status')).resolves.toBe('lower');
    await expect(row(page, '/README.md').textContent()).resolves.toContain('L0 lesson');
    await expect(row(page, '/package.json').textContent()).resolves.toContain('L1 base');
    await page.waitForSelector('.editor[data-path="/README.md"]');
    await expect(page.locator('.cm-content').textContent()).resolves.toContain('Lesson 1');
    await shot('01-boot');
    // A binary file opens as a hex view, not as text.
    await clickInTree(page, '/public/icons/icon-00.png');
    await page.waitForSelector('[data-testid="hex-view"]');
    await expect(page.locator('.hex-dump').textContent()).resolves.toMatch(/^00000000 {2}89 50 4e 47/);
    await shot('02-hex-view');
  });

  it("the boot screen's progress bars follow the worker's downloads", async () => {
    // The base's listing is held back, so the screen can be seen while the lesson has arrived.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/layers/base.zip', async (route) => {
      await held;
      await route.continue();
    });
    try {
      await page.goto(ide.url);
      const lesson = page.locator('[data-testid="boot"] .boot-layer', {
        has: page.locator('progress[data-layer="lesson"]'),
      });
      await page.waitForFunction(() => {
        const bar = document.querySelector<HTMLProgressElement>('progress[data-layer="lesson"]');
        return bar !== null && bar.value > 0 && bar.value === bar.max;
      });
      await expect(
        lesson.locator('progress').evaluate((b: HTMLProgressElement) => b.value),
      ).resolves.toBeGreaterThan(1000);
      // The whole lesson zip (4.x KiB since it holds the Python lesson), read in full, shown as such.
      await expect(lesson.locator('.boot-bytes').textContent()).resolves.toMatch(/^4\.\d KiB \/ 4\.\d KiB$/);
      await expect(page.evaluate(() => document.body.dataset.ready)).resolves.not.toBe('true');
      await shot('00-boot-progress');
    } finally {
      release();
      await page.unrouteAll({ behavior: 'wait' });
    }
    await page.waitForSelector('body[data-ready="true"]');
  });

  it('lazy loading: the worker opening one base file reads a few ranges of the zip, not the archive', async () => {
    const zipUrl = new URL('layers/base.zip', ide.url).href;
    const archive = (await (await fetch(zipUrl)).arrayBuffer()).byteLength;
    // Every answer from the base zip, with the bytes its body carried (a 206 carries its range only).
    const seen: { range: string | undefined; status: number; bytes: number }[] = [];
    const onResponse = async (res: Response): Promise<void> => {
      if (res.url() !== zipUrl) return;
      const entry = { range: res.request().headers().range, status: res.status(), bytes: 0 };
      seen.push(entry);
      entry.bytes = (await res.body()).length;
    };
    page.on('response', onResponse);
    try {
      await boot(page, ide.url);
      await page.waitForSelector('.editor[data-path="/README.md"]');
      const atBoot = seen.length;
      expect(atBoot).toBeGreaterThan(0);
      expect(seen.every((r) => r.range !== undefined && r.status === 206)).toBe(true);
      // /tsconfig.json is only in the base, and nothing has read it yet.
      await clickInTree(page, '/tsconfig.json');
      await page.waitForSelector('.editor[data-path="/tsconfig.json"]');
      await expect(page.locator('.cm-content').textContent()).resolves.toContain('compilerOptions');
      await page.waitForLoadState('networkidle');
      const opened = seen.slice(atBoot);
      const bytes = opened.reduce((n, r) => n + r.bytes, 0);
      const bootBytes = seen.slice(0, atBoot).reduce((n, r) => n + r.bytes, 0);
      console.log(
        `base.zip is ${archive} bytes; boot: ${atBoot} range requests, ${bootBytes} bytes; ` +
          `opening /tsconfig.json: ${opened.length} range requests, ${bytes} bytes`,
      );
      expect(opened.length).toBeGreaterThanOrEqual(1);
      expect(opened.length).toBeLessThanOrEqual(3);
      expect(opened.every((r) => r.status === 206)).toBe(true);
      expect(bytes).toBeLessThan(archive / 20);
      // Boot reads the listing only (README.md comes from the lesson): one suffix request of
      // ZipLayer's default tail (64 KiB, most of this small archive) or two, never the whole file.
      expect(atBoot).toBeLessThanOrEqual(2);
      expect(bootBytes).toBeLessThan(archive);
      // Those requests are the engine worker's: the page itself fetched no zip (a dedicated worker
      // has its own resource timeline), and one worker runs @vellum/worker (the base view's has not
      // started: nothing needed it).
      await expect(
        page.evaluate(
          () =>
            performance.getEntriesByType('resource').filter((e) => /\/layers\/.*\.zip/.test(e.name)).length,
        ),
      ).resolves.toBe(0);
      await expect.poll(() => engineWorkers()).toBe(1);
    } finally {
      page.off('response', onResponse);
    }
  });

  it('imports a zip as a new topmost lower', async () => {
    await boot(page, ide.url);
    const zip = zipLayerBytes(
      [
        { path: '/IMPORTED.md', kind: 'file', data: '# from the imported zip\n' },
        { path: '/README.md', kind: 'file', data: '# README from the imported zip\n' },
        { path: '/tsconfig.json', kind: 'whiteout' },
      ],
      Date.UTC(2025, 2, 1),
    );
    await importZip(page, zip);
    await page.waitForSelector(`body[data-ready="true"][data-lowers="${STACK.length + 1}"]`);
    await expect(row(page, '/IMPORTED.md').textContent()).resolves.toContain('L0 extra');
    await expect(row(page, '/README.md').textContent()).resolves.toContain('L0 extra');
    await expect(row(page, '/package.json').textContent()).resolves.toContain('L2 base');
    await expect(row(page, '/tsconfig.json').count()).resolves.toBe(0);
    await expect(inspect.read('workspace', '/README.md')).resolves.toBe('# README from the imported zip\n');
    await expect(inspect.read('base', '/IMPORTED.md')).resolves.toBe('# from the imported zip\n');
    await shot('02c-imported-lower');
    // The import lasts until the next reload: the served stack is back.
    await boot(page, ide.url);
    await expect(row(page, '/IMPORTED.md').count()).resolves.toBe(0);
  });

  it('importing into the ephemeral workspace keeps its changes over the new stack, and one Ctrl-S handler', async () => {
    await boot(page, ide.url);
    const keydown = await windowListeners('keydown');
    await editAndSave(page, '/src/app.ts', '\n// before the import\n');
    await deleteAndRenameBase();
    await page.getByTestId('new-folder').click();
    await answer('drafts');
    await row(page, '/notes-docs/drafts').waitFor();
    // And an edit not saved yet.
    await clickInTree(page, '/package.json');
    await page.waitForSelector('.editor[data-path="/package.json"] .cm-content');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n// not saved yet\n');
    await page.waitForSelector('[data-testid="title-dirty"]:not([hidden])');
    const changes = await inspect.changes();
    expect(changes.length).toBeGreaterThanOrEqual(4);
    const listing = await inspect.listing('workspace');
    // The zip adds a file, and has its own versions of a file edited and a file deleted here.
    await importZip(
      page,
      zipLayerBytes(
        [
          { path: '/IMPORTED.md', kind: 'file', data: 'imported\n' },
          { path: '/src/app.ts', kind: 'file', data: "// the zip's app.ts\n" },
          { path: '/tsconfig.json', kind: 'file', data: '{}\n' },
        ],
        Date.UTC(2025, 2, 1),
      ),
    );
    await page.waitForSelector(`body[data-ready="true"][data-lowers="${STACK.length + 1}"]`);
    await expect(page.evaluate(() => document.body.dataset.workspace)).resolves.toBe('ephemeral');
    // The same changes, and the same tree apart from what the zip adds: the upper still wins.
    await expect(inspect.changes()).resolves.toEqual(changes);
    expect((await inspect.listing('workspace')).filter((l) => !l.startsWith('/IMPORTED.md '))).toEqual(
      listing,
    );
    await expect(inspect.read('workspace', '/src/app.ts')).resolves.toContain('// before the import');
    await expect(row(page, '/tsconfig.json').count()).resolves.toBe(0);
    await expect(row(page, '/notes-docs').getAttribute('data-status')).resolves.toBe('moved');
    await expect(row(page, '/IMPORTED.md').textContent()).resolves.toContain('L0 extra');
    await expect(page.getByTestId('status').textContent()).resolves.toContain(
      `${changes.length} changes carried over`,
    );
    // The unsaved edit is still in its buffer, marked dirty, in the file that was shown.
    await page.waitForSelector('.editor[data-path="/package.json"]');
    await expect(page.locator('.cm-content').textContent()).resolves.toContain('// not saved yet');
    await page.waitForSelector('[data-testid="title-dirty"]:not([hidden])');
    await shot('02d-ephemeral-import-kept-changes');
    // The old view's window listener went with it: one Ctrl-S handler, as before the import, and
    // it saves into the new workspace (pressed with the focus outside the editor).
    await expect(windowListeners('keydown')).resolves.toBe(keydown);
    await page.getByTestId('status').click();
    await page.keyboard.press('Control+s');
    await expectChanges(page, changes.length + 1);
    await expect(inspect.read('workspace', '/package.json')).resolves.toContain('// not saved yet');
    // Still ephemeral: a reload is the served stack with nothing changed.
    await boot(page, ide.url);
    await expectChanges(page, 0);
    await expect(row(page, '/IMPORTED.md').count()).resolves.toBe(0);
  });

  it('the tree is windowed: all rows expanded, only those in view exist in the DOM', async () => {
    await page.getByTestId('expand-all').click();
    const total = (await inspect.listing('workspace')).length;
    expect(total).toBeGreaterThan(300);
    const tree = page.getByTestId('file-tree');
    await page.waitForFunction(
      (n) => (document.querySelector('.tree-spacer') as HTMLElement | null)?.style.height === `${n * 22}px`,
      total,
    );
    expect(await page.locator('.tree-row').count()).toBeLessThan(80);
    await tree.evaluate((t) => {
      t.scrollTop = t.scrollHeight;
    });
    await row(page, '/tsconfig.json').waitFor();
    await shot('02b-tree-expanded-bottom');
    expect(await page.locator('.tree-row').count()).toBeLessThan(80);
    await page.getByTestId('collapse-all').click();
    await row(page, '/src').waitFor();
  });

  it('ephemeral: an edit is gone after a reload and the base is back', async () => {
    const base = await inspect.read('base', '/src/app.ts');
    await editAndSave(page, '/src/app.ts', '\n// edited in the e2e test\n');
    await expectChanges(page, 1);
    await expect(row(page, '/src/app.ts').getAttribute('data-status')).resolves.toBe('modified');
    await expect(inspect.read('workspace', '/src/app.ts')).resolves.toContain('edited in the e2e test');
    await boot(page, ide.url);
    await expectChanges(page, 0);
    await expect(inspect.read('workspace', '/src/app.ts')).resolves.toBe(base);
  });

  it('diff of one changed file against its base, and revert to base', async () => {
    const base = await inspect.read('base', '/README.md');
    await editAndSave(page, '/README.md', '\nA line added by the e2e test.\n');
    await expectChanges(page, 1);
    await page.locator('.change[data-path="/README.md"] [data-action="diff"]').click();
    await page.waitForSelector('[data-testid="diff-view"][data-path="/README.md"] .cm-mergeView');
    await expect(page.locator('.cm-changedLine').count()).resolves.toBeGreaterThan(0);
    await shot('03-diff');
    await page.locator('.change[data-path="/README.md"] [data-action="revert"]').click();
    await answerDialog(page);
    await page.waitForFunction(() => document.querySelector('.cm-changedLine') === null);
    await expect(inspect.read('workspace', '/README.md')).resolves.toBe(base);
    // The engine's revert drops the copy-up: nothing is left in the upper.
    await expectChanges(page, 0);
  });

  it('tree operations: create, rename, move by drag and drop, upload, delete', async () => {
    await page.getByTestId('reset').click();
    await expectChanges(page, 0);
    // New folder at the root, a new file inside it.
    await clickInTree(page, '/README.md');
    await page.getByTestId('new-folder').click();
    await answer('notes');
    await row(page, '/notes').waitFor();
    await row(page, '/notes').click();
    await page.getByTestId('new-file').click();
    await answer('todo.md');
    await page.waitForSelector('.editor[data-path="/notes/todo.md"]');
    await expect(row(page, '/notes/todo.md').getAttribute('data-status')).resolves.toBe('new');
    // Rename a base file.
    await clickInTree(page, '/index.html');
    await page.getByTestId('rename').click();
    await answer('home.html');
    await row(page, '/home.html').waitFor();
    await expect(row(page, '/home.html').getAttribute('data-status')).resolves.toBe('moved');
    // Move a lesson file into the new folder by drag and drop.
    await clickInTree(page, '/lesson/INSTRUCTIONS.md');
    await row(page, '/lesson/INSTRUCTIONS.md').dragTo(row(page, '/notes'));
    await row(page, '/notes/INSTRUCTIONS.md').waitFor();
    // Upload a file from the desktop into the selected folder.
    await row(page, '/notes').click();
    await page.getByTestId('upload-input').setInputFiles({
      name: 'data.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from([0, 1, 2, 3, 255]),
    });
    await row(page, '/notes/data.bin').waitFor();
    // Delete a base file; "show deleted" lists it struck through.
    await deleteInTree('/tsconfig.json');
    await page.getByTestId('show-deleted').check();
    await expect(row(page, '/tsconfig.json').getAttribute('data-status')).resolves.toBe('deleted');
    const changes = (await inspect.changes()).map(({ path, change }) => ({ path, change }));
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: '/home.html', change: 'renamed' },
        { path: '/index.html', change: 'deleted' },
        { path: '/notes', change: 'added' },
        { path: '/notes/INSTRUCTIONS.md', change: 'renamed' },
        { path: '/notes/data.bin', change: 'added' },
        { path: '/notes/todo.md', change: 'added' },
        { path: '/tsconfig.json', change: 'deleted' },
        { path: '/lesson/INSTRUCTIONS.md', change: 'deleted' },
      ]),
    );
    await expectChanges(page, changes.length);
    await shot('04-changes');
  });

  it('export: the zip holds every change, and beyond them only what a moved folder or a parent needs', async () => {
    await editAndSave(page, '/package.json', '\n');
    const changes = await inspect.changes();
    expect(changes.length).toBeGreaterThan(5);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const file = await download.path();
    const entries = unzipSync(new Uint8Array(readFileSync(file)));
    expectLayerOf(Object.keys(entries), changes);
    expect([...(entries['notes/data.bin'] ?? [])]).toEqual([0, 1, 2, 3, 255]);
    expect(new TextDecoder().decode(entries['package.json'])).toBe(
      await inspect.read('workspace', '/package.json'),
    );
  });

  it('export as an OCI layer: a tar whose entries are the same names, bytes and whiteouts', async () => {
    const changes = await inspect.changes();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-tar').click(),
    ]);
    const tar = readFileSync(await download.path());
    const names = listTar(tar).map((e) => e.name);
    expectLayerOf(names, changes);
    const data = listTar(tar).find((e) => e.name === 'notes/data.bin');
    expect([...(data?.bytes ?? [])]).toEqual([0, 1, 2, 3, 255]);
    // GNU tar reads the same names.
    expect(execFileSync('tar', ['-tf', '-'], { input: tar }).toString().trim().split('\n').sort()).toEqual(
      [...names].sort(),
    );
  });

  it('revert of a moved file puts it back where the base has it', async () => {
    const before = (await inspect.changes()).length;
    await page.locator('.change[data-path="/home.html"] [data-action="revert"]').click();
    await answerDialog(page);
    await expectChanges(page, before - 2);
    await expect(row(page, '/index.html').getAttribute('data-status')).resolves.toBe('lower');
    await expect(row(page, '/home.html').count()).resolves.toBe(0);
    await expect(inspect.read('workspace', '/index.html')).resolves.toBe(
      await inspect.read('base', '/index.html'),
    );
  });

  it('reset: the tree and every file equal the base again', async () => {
    await page.getByTestId('reset').click();
    await answerDialog(page);
    await expectChanges(page, 0);
    expect(await inspect.listing('workspace')).toEqual(await inspect.listing('base'));
    await expect(page.locator('.tree-row:not([data-status="lower"])').count()).resolves.toBe(0);
    await shot('05-after-reset');
  });
});

describe('engine in a Web Worker', () => {
  it('edits, diffs, reverts and resets through @vellum/worker', async () => {
    await boot(page, ide.url);
    // One engine worker for the workspace; the base view's starts when a diff first needs it.
    await expect.poll(() => engineWorkers()).toBe(1);
    await expect(row(page, '/README.md').textContent()).resolves.toContain('L0 lesson');
    const base = await inspect.read('base', '/src/app.ts');
    await editAndSave(page, '/src/app.ts', '\n// through the worker\n');
    await expectChanges(page, 1);
    await expect(row(page, '/src/app.ts').getAttribute('data-status')).resolves.toBe('modified');
    await page.locator('.change[data-path="/src/app.ts"] [data-action="diff"]').click();
    await page.waitForSelector('[data-testid="diff-view"] .cm-changedLine');
    await expect.poll(() => engineWorkers()).toBe(2);
    await shot('08-worker-diff');
    // Revert goes through the worker's ov.revert: the base's bytes, and no change left.
    await page.locator('[data-action="revert"]').first().click();
    await answerDialog(page);
    await page.waitForFunction(() => document.querySelector('.cm-changedLine') === null);
    await expect(inspect.read('workspace', '/src/app.ts')).resolves.toBe(base);
    await expectChanges(page, 0);
    await page.getByTestId('reset').click();
    await expectChanges(page, 0);
    expect(await inspect.listing('workspace')).toEqual(await inspect.listing('base'));
  });
});

describe('persistent workspaces', () => {
  it('keep an edit, a deleted base file and a renamed base folder across a reload', async () => {
    await boot(page, ide.url);
    await page.getByTestId('workspace-new').click();
    await answer('lesson work');
    await page.waitForFunction(() => (document.body.dataset.workspace ?? 'ephemeral') !== 'ephemeral');
    await page.waitForSelector('body[data-ready="true"]');
    await editAndSave(page, '/src/app.ts', '\n// kept in IndexedDB\n');
    await deleteAndRenameBase();

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    // The IndexedDB upper is opened by the engine's worker; the base view's worker gave the stamps
    // compared for base changes.
    await expect.poll(() => engineWorkers()).toBe(2);
    await expect(inspect.read('workspace', '/src/app.ts')).resolves.toContain('kept in IndexedDB');
    const changes = (await inspect.changes()).map(({ path, change }) => ({ path, change }));
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: '/src/app.ts', change: 'modified' },
        { path: '/tsconfig.json', change: 'deleted' },
        { path: '/notes-docs', change: 'renamed' },
      ]),
    );
    await expect(row(page, '/tsconfig.json').count()).resolves.toBe(0);
    await expect(row(page, '/docs').count()).resolves.toBe(0);
    await expect(row(page, '/notes-docs').getAttribute('data-status')).resolves.toBe('moved');
    await expect(page.getByTestId('workspace-select').inputValue()).resolves.not.toBe('');
    // Storage hygiene: the persistent workspace asked to be kept, and says what the site uses.
    await expect
      .poll(() => page.getByTestId('storage-status').textContent())
      .toMatch(
        /^(kept by the browser|best effort \(may be evicted\)) · [\d.]+ (B|KiB|MiB) of [\d.]+ (B|KiB|MiB) used$/,
      );
    await shot('06-persistent-after-reload');
  });

  it('warns when the base changed under the workspace, naming the files affected', async () => {
    // A new release of the lesson layer that changes a file this workspace also changed.
    const lesson = lessonLayer().map((e) =>
      e.path === '/src/app.ts' && e.kind === 'file' ? { ...e, data: `${String(e.data)}// lesson v2\n` } : e,
    );
    const zip = zipLayerBytes(lesson, Date.UTC(2025, 1, 1));
    await page.route('**/layers/lesson.zip', (route) => fulfillRange(route, zip));
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByTestId('drift').waitFor();
    await page.locator('[data-testid="drift"] [data-affected="/src/app.ts"]').waitFor();
    // The workspace's own version still wins over the new base.
    await expect(inspect.read('workspace', '/src/app.ts')).resolves.toContain('kept in IndexedDB');
    await shot('07-base-changed');
    await page.getByTestId('drift-accept').click();
    await page.getByTestId('drift').waitFor({ state: 'detached' });
    await page.unrouteAll();
  });

  it('an imported lower reopens the persistent workspace with its changes', async () => {
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const id = await page.evaluate(() => document.body.dataset.workspace);
    expect(id).not.toBe('ephemeral');
    await importZip(
      page,
      zipLayerBytes([{ path: '/IMPORTED.md', kind: 'file', data: 'imported\n' }], Date.UTC(2025, 2, 1)),
    );
    // The IndexedDB upper was closed and opened again (its writer lock released in between).
    await page.waitForSelector(`body[data-ready="true"][data-lowers="${STACK.length + 1}"]`);
    await expect(page.evaluate(() => document.body.dataset.workspace)).resolves.toBe(id);
    await expect(row(page, '/IMPORTED.md').textContent()).resolves.toContain('L0 extra');
    await expect(inspect.read('workspace', '/src/app.ts')).resolves.toContain('kept in IndexedDB');
  });

  it('a workspace whose database the browser deleted says so instead of opening empty', async () => {
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const id = await page.evaluate(() => document.body.dataset.workspace);
    expect(id).not.toBe('ephemeral');
    const database = `vellum-upper:vellum-ide:${id}`;
    // What Chromium does to a store it finds corrupt at startup: the database is gone. The worker's
    // connection closes itself on the versionchange, so the deletion is not blocked.
    await page.evaluate(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error);
        }),
      database,
    );
    const databases = () => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

    await page.reload();
    const lost = page.getByTestId('workspace-lost');
    await lost.waitFor();
    await expect(lost.textContent()).resolves.toMatch(/saved changes of workspace "lesson work" are gone/);
    // Nothing was made in its place, and the page did not boot into an empty workspace.
    await expect(databases()).resolves.not.toContain(database);
    await expect(page.evaluate(() => document.body.dataset.ready)).resolves.not.toBe('true');
    await shot('09-workspace-lost');

    await page.getByTestId('lost-reopen').click();
    await page.waitForSelector('body[data-ready="true"]');
    await expect(page.evaluate(() => document.body.dataset.workspace)).resolves.toBe(id);
    await expectChanges(page, 0);
    await expect(databases()).resolves.toContain(database);
  });

  it('delete removes the workspace and returns to the ephemeral one', async () => {
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByTestId('workspace-delete').click();
    await answerDialog(page);
    await page.waitForFunction(() => document.body.dataset.workspace === 'ephemeral');
    await page.waitForSelector('body[data-ready="true"]');
    await expectChanges(page, 0);
    await expect(page.locator('[data-testid="workspace-select"] option').count()).resolves.toBe(1);
  });
});

describe('production build', () => {
  it('bundles the page, the engine worker and the layer zips (packed by vellum pack, same bytes as in dev)', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'vellum-ide-build-'));
    try {
      await build({
        root: ideRoot,
        configFile: join(ideRoot, 'vite.config.ts'),
        logLevel: 'warn',
        build: { outDir, emptyOutDir: true },
      });
      for (const f of ['index.html', 'layers/stack.json', 'layers/base.zip', 'layers/lesson.zip'])
        expect(existsSync(join(outDir, f)), f).toBe(true);
      expect(readdirSync(join(outDir, 'assets')).some((f) => f.startsWith('entry-web'))).toBe(true);
      // Packing is deterministic (fixed modes and times), so a rebuild keeps every layer's id and a
      // persistent workspace opens on it without a base-changed warning.
      for (const name of ['base', 'lesson']) {
        const served = new Uint8Array(
          await (await fetch(new URL(`layers/${name}.zip`, ide.url))).arrayBuffer(),
        );
        expect(new Uint8Array(readFileSync(join(outDir, 'layers', `${name}.zip`))), name).toEqual(served);
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
