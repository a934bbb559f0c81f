/**
 * Issue 22 in the demo IDE, end to end in real Chromium: the journeys that lost data. Revert of a
 * renamed file's old name; two tabs on one persistent workspace (the second read-only, following
 * the writer, taking over when it closes); unsaved buffers (`beforeunload`, kept per workspace);
 * reset, revert and workspace deletion asked first and undoable; a save over a file that changed
 * underneath asks first.
 */
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK } from '../apps/ide/sample-layers-plugin.js';
import { zipLayerBytes } from '../apps/ide/src/layers/sources.js';
import {
  answerDialog,
  answerName,
  boot,
  clickInTree,
  editAndSave,
  expectChanges,
  type Ide,
  importZip,
  newPersistent,
  row,
  SHOTS,
  startIde,
  typeUnsaved,
} from './ide-harness.js';

let ide: Ide;
let page: Page;

/** The running IDE's inspector (`window.vellumIde`) on `p`. */
const inspect = (p: Page) => ({
  listing: (which: 'workspace' | 'base') => p.evaluate((w) => window.vellumIde?.listing(w) ?? [], which),
  read: (which: 'workspace' | 'base', path: string) =>
    p.evaluate(([w, q]) => window.vellumIde?.readText(w, q) ?? '', [which, path] as const),
  changes: () => p.evaluate(() => window.vellumIde?.changes() ?? []),
});

const editorText = (p: Page) => p.locator('.cm-content').textContent();
const statusText = (p: Page) => p.getByTestId('status-text').textContent();
const workspaceUrl = (id: string) => `${ide.url}?workspace=${id}`;
const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`) });

/** A second tab (page) in the same browser context: same origin, same IndexedDB and Web Locks. */
async function openTab(url: string): Promise<Page> {
  const tab = await page.context().newPage();
  tab.on('pageerror', (error) => console.error(`[ide tab] ${error.message}`));
  await boot(tab, url);
  return tab;
}

beforeAll(async () => {
  ide = await startIde();
  page = ide.page;
});

afterAll(async () => {
  await ide?.close();
});

describe('issue 22: no data loss in the IDE', () => {
  it('rename, edit the new name, revert the old name: the edit stays, the base file is back (and after a reload)', async () => {
    await boot(page, ide.url);
    await newPersistent(page, 'rename-revert');
    const base = await inspect(page).read('base', '/src/main.ts');
    await clickInTree(page, '/src/main.ts');
    await page.getByTestId('rename').click();
    await answerName(page, 'entry.ts');
    await row(page, '/src/entry.ts').waitFor();
    await editAndSave(page, '/src/entry.ts', '// EDITED\n');
    const edited = await inspect(page).read('workspace', '/src/entry.ts');
    expect(edited).toContain('// EDITED');
    // The Changes panel lists the old name as deleted: revert that row, confirming.
    await page
      .locator('.change[data-path="/src/main.ts"][data-change="deleted"] [data-action="revert"]')
      .click();
    await answerDialog(page);
    await row(page, '/src/main.ts').waitFor();
    const check = async (): Promise<void> => {
      await expect(inspect(page).read('workspace', '/src/main.ts')).resolves.toBe(base);
      await expect(inspect(page).read('workspace', '/src/entry.ts')).resolves.toBe(edited);
      const changes = await inspect(page).changes();
      // entry.ts is not in the base: the diff must say so (and export it).
      expect(changes.some((c) => c.path === '/src/entry.ts' && c.change !== 'deleted')).toBe(true);
      expect(changes.some((c) => c.path === '/src/main.ts')).toBe(false);
      // After a reload the tree starts collapsed: open /src to see the row.
      if (!(await page.locator('.tree-row[data-path^="/src/"]').count())) await row(page, '/src').click();
      await expect(row(page, '/src/main.ts').getAttribute('data-status')).resolves.toBe('lower');
    };
    await check();
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await check();
    // The undo of a reset brings back this very state (the old name reads the base, the new one
    // keeps its edit).
    const changes = await inspect(page).changes();
    await page.getByTestId('reset').click();
    await answerDialog(page);
    await expectChanges(page, 0);
    await page.getByTestId('undo').click();
    await expectChanges(page, changes.length);
    await check();
    await expect(inspect(page).changes()).resolves.toEqual(changes);
  });

  it('revert and reset ask first and can be undone: contents, deletions and renames come back exactly', async () => {
    await boot(page, ide.url);
    await editAndSave(page, '/README.md', '\nedited before the revert\n');
    await clickInTree(page, '/index.html');
    await page.getByTestId('rename').click();
    await answerName(page, 'home.html');
    await row(page, '/home.html').waitFor();
    await clickInTree(page, '/tsconfig.json');
    await page.getByTestId('delete').click();
    await row(page, '/tsconfig.json').waitFor({ state: 'detached' });
    await expectChanges(page, 4);
    const listing = await inspect(page).listing('workspace');
    const changes = await inspect(page).changes();

    // Cancel leaves everything as it was.
    await page.locator('.change[data-path="/README.md"] [data-action="revert"]').click();
    await expect(page.getByTestId('confirm-message').textContent()).resolves.toContain('/README.md');
    await answerDialog(page, 'cancel');
    await expect(inspect(page).changes()).resolves.toEqual(changes);

    await page.locator('.change[data-path="/README.md"] [data-action="revert"]').click();
    await answerDialog(page);
    await expectChanges(page, 3);
    await expect(inspect(page).read('workspace', '/README.md')).resolves.toBe(
      await inspect(page).read('base', '/README.md'),
    );
    await page.getByTestId('undo').click();
    await expectChanges(page, 4);
    await expect(inspect(page).changes()).resolves.toEqual(changes);
    await expect(inspect(page).listing('workspace')).resolves.toEqual(listing);
    // The open buffer of /README.md followed the file back.
    await clickInTree(page, '/README.md');
    await page.waitForSelector('.editor[data-path="/README.md"]');
    await expect(editorText(page)).resolves.toContain('edited before the revert');
    await expect(page.getByTestId('title-dirty').isHidden()).resolves.toBe(true);

    // An unsaved buffer of a base file stays open through a reset (the question says so).
    await typeUnsaved(page, '/README.md', 'unsaved during the reset\n');
    await page.getByTestId('reset').click();
    const question = await page.getByTestId('confirm-message').textContent();
    await shot(page, '20-confirm-reset');
    expect(question).toContain('4 changes');
    expect(question).toContain('1 unsaved buffer stays open');
    await answerDialog(page);
    await expectChanges(page, 0);
    await expect(inspect(page).listing('workspace')).resolves.toEqual(await inspect(page).listing('base'));
    await expect(editorText(page)).resolves.toContain('unsaved during the reset');
    await expect(page.getByTestId('title-dirty').isHidden()).resolves.toBe(false);
    await page.getByTestId('undo').click();
    await expectChanges(page, 4);
    await expect(inspect(page).changes()).resolves.toEqual(changes);
    await expect(inspect(page).listing('workspace')).resolves.toEqual(listing);

    // The undo is for the last action only, and only until the workspace changes again.
    await page.getByTestId('reset').click();
    await answerDialog(page);
    await expectChanges(page, 0);
    await editAndSave(page, '/package.json', '\n');
    await expect(page.getByTestId('undo').count()).resolves.toBe(0);

    // The unsaved README buffer was typed over the edited file, which the reset took away: its
    // save asks before writing over the base's version.
    await clickInTree(page, '/README.md');
    await page.waitForSelector('.editor[data-path="/README.md"]');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+s');
    await expect(page.getByTestId('confirm-message').textContent()).resolves.toContain('another version');
    await answerDialog(page, 'overwrite');
    await page.waitForSelector('[data-testid="title-dirty"][hidden]', { state: 'attached' });
    await expect(inspect(page).read('workspace', '/README.md')).resolves.toContain(
      'unsaved during the reset',
    );
  });

  it('delete workspace asks first and can be undone on the next page, changes intact', async () => {
    await boot(page, ide.url);
    const id = await newPersistent(page, 'to be deleted');
    await editAndSave(page, '/src/app.ts', '\n// kept through delete and undo\n');
    await page.getByTestId('workspace-delete').click();
    await answerDialog(page, 'cancel');
    await expect(page.evaluate(() => document.body.dataset.workspace)).resolves.toBe(id);
    await page.getByTestId('workspace-delete').click();
    await answerDialog(page);
    await page.waitForFunction(() => document.body.dataset.workspace === 'ephemeral');
    await page.waitForSelector('body[data-ready="true"]');
    await expect(
      page.locator(`[data-testid="workspace-select"] option[value="${id}"]`).count(),
    ).resolves.toBe(0);
    await expect(statusText(page)).resolves.toContain('Deleted workspace "to be deleted"');
    await page.getByTestId('undo').click();
    await page.waitForFunction((want) => document.body.dataset.workspace === want, id);
    await page.waitForSelector('body[data-ready="true"]');
    await expect(inspect(page).read('workspace', '/src/app.ts')).resolves.toContain(
      'kept through delete and undo',
    );
    await expect(
      page.locator(`[data-testid="workspace-select"] option[value="${id}"]`).count(),
    ).resolves.toBe(1);
  });

  it('leaving with an unsaved buffer asks (beforeunload); after a save it does not', async () => {
    const tab = await openTab(ide.url);
    await typeUnsaved(tab, '/src/app.ts', '\n// not saved yet\n');
    const asked: string[] = [];
    tab.on('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.dismiss();
    });
    await tab.close({ runBeforeUnload: true });
    await expect.poll(() => asked).toEqual(['beforeunload']);
    // Dismissed: the tab stays, with its buffer.
    expect(tab.isClosed()).toBe(false);
    await expect(editorText(tab)).resolves.toContain('// not saved yet');
    await tab.keyboard.press('Control+s');
    await tab.waitForSelector('[data-testid="title-dirty"][hidden]', { state: 'attached' });
    await tab.close({ runBeforeUnload: true });
    await expect.poll(() => tab.isClosed()).toBe(true);
    expect(asked).toEqual(['beforeunload']);
    await page.bringToFront();
  });

  it('unsaved buffers stay with their workspace across a switch, and come back when switching back', async () => {
    await boot(page, ide.url);
    const id = await newPersistent(page, 'buffers');
    await typeUnsaved(page, '/src/app.ts', '\n// typed in workspace "buffers"\n');
    const asked: string[] = [];
    const onDialog = (dialog: { type(): string; accept(): Promise<void> }): void => {
      asked.push(dialog.type());
      void dialog.accept();
    };
    page.on('dialog', onDialog);
    try {
      await page.getByTestId('workspace-select').selectOption('');
      await page.waitForFunction(() => document.body.dataset.workspace === 'ephemeral');
      await page.waitForSelector('body[data-ready="true"]');
      // Not this workspace's buffer: nothing unsaved here.
      await expect(page.locator('.tree-row .dirty').count()).resolves.toBe(0);
      await page.getByTestId('workspace-select').selectOption(id);
      await page.waitForFunction((want) => document.body.dataset.workspace === want, id);
      await page.waitForSelector('body[data-ready="true"]');
      await page.waitForSelector('.editor[data-path="/src/app.ts"]');
      await expect(editorText(page)).resolves.toContain('typed in workspace "buffers"');
      await expect(page.getByTestId('title-dirty').isHidden()).resolves.toBe(false);
      // Still unsaved: the file is the base's.
      await expect(inspect(page).read('workspace', '/src/app.ts')).resolves.toBe(
        await inspect(page).read('base', '/src/app.ts'),
      );
      await page.keyboard.press('Control+s');
      await page.waitForSelector('[data-testid="title-dirty"][hidden]', { state: 'attached' });
      await expect(inspect(page).read('workspace', '/src/app.ts')).resolves.toContain('typed in workspace');
      // The IDE's own switches kept the buffer: no "leave page?" prompt.
      expect(asked).toEqual([]);
    } finally {
      page.off('dialog', onDialog);
    }
  });

  it('a save over a file that changed underneath (an imported lower) asks: keep editing, load it, or overwrite', async () => {
    await boot(page, ide.url);
    await typeUnsaved(page, '/README.md', '\nmy unsaved line\n');
    const imported = (text: string) =>
      zipLayerBytes([{ path: '/README.md', kind: 'file', data: text }], Date.UTC(2025, 2, 1));
    await importZip(page, imported('# README of the imported zip\n'));
    await page.waitForSelector(`body[data-ready="true"][data-lowers="${STACK.length + 1}"]`);
    await page.waitForSelector('.editor[data-path="/README.md"]');
    await expect(editorText(page)).resolves.toContain('my unsaved line');

    // Keep editing: nothing written.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+s');
    await expect(page.getByTestId('confirm-message').textContent()).resolves.toContain('another version');
    await shot(page, '22-save-conflict');
    await answerDialog(page, 'cancel');
    await expect(inspect(page).read('workspace', '/README.md')).resolves.toBe(
      '# README of the imported zip\n',
    );
    await expect(page.getByTestId('title-dirty').isHidden()).resolves.toBe(false);

    // Load the current version: the buffer takes the imported file, the edit is dropped.
    await page.keyboard.press('Control+s');
    await answerDialog(page, 'reload');
    await expect.poll(() => editorText(page)).toBe('# README of the imported zip');
    await expect(page.getByTestId('title-dirty').isHidden()).resolves.toBe(true);

    // Edit again, and the file changes underneath again (a second import): overwrite.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nmine wins\n');
    await importZip(page, imported('# README of the second zip\n'));
    await page.waitForSelector(`body[data-ready="true"][data-lowers="${STACK.length + 2}"]`);
    await page.waitForSelector('.editor[data-path="/README.md"]');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+s');
    await answerDialog(page, 'overwrite');
    await page.waitForSelector('[data-testid="title-dirty"][hidden]', { state: 'attached' });
    await expect(inspect(page).read('workspace', '/README.md')).resolves.toBe(
      '# README of the imported zip\n\nmine wins\n',
    );
    // A save with nothing changed underneath does not ask.
    await page.keyboard.type('and more\n');
    await page.keyboard.press('Control+s');
    await page.waitForSelector('[data-testid="title-dirty"][hidden]', { state: 'attached' });
    await expect(page.getByTestId('confirm').count()).resolves.toBe(0);
  });

  it('two tabs on one workspace: the second is read-only, follows the writer live, and takes over when it closes', async () => {
    await boot(page, ide.url);
    const id = await newPersistent(page, 'two tabs');
    // Back to the ephemeral workspace: `page` lets go of this one (its engine ends).
    await boot(page, ide.url);
    const writer = await openTab(workspaceUrl(id));
    await writer.waitForSelector('body[data-read-only="false"]');
    const reader = await openTab(workspaceUrl(id));
    await expect(reader.evaluate(() => document.body.dataset.readOnly)).resolves.toBe('true');
    await expect(reader.getByTestId('read-only').textContent()).resolves.toContain(
      'Read-only: this workspace is open for writing in another tab',
    );
    await expect(reader.getByTestId('reset').isDisabled()).resolves.toBe(true);
    await expect(reader.getByTestId('workspace-delete').isDisabled()).resolves.toBe(true);

    // The reader shows /src/app.ts and cannot change it.
    // Each tab is brought to the front before it is driven, as a user would (a page in the
    // background gets few animation frames, and Playwright waits for frames before clicking).
    await reader.bringToFront();
    await clickInTree(reader, '/src/app.ts');
    await reader.waitForSelector('.editor[data-path="/src/app.ts"] .cm-content');
    const before = await editorText(reader);
    await reader.locator('.cm-content').click();
    await reader.keyboard.type('typed in the read-only tab');
    await expect(editorText(reader)).resolves.toBe(before);
    await reader.keyboard.press('Control+s');
    await expect.poll(() => statusText(reader)).toContain('Read-only');

    // The writer saves: the reader's tree and open buffer follow without a reload.
    await writer.bringToFront();
    await editAndSave(writer, '/src/app.ts', '\n// saved by the writer tab\n');
    await expect.poll(() => editorText(reader)).toContain('saved by the writer tab');
    await expect.poll(() => row(reader, '/src/app.ts').getAttribute('data-status')).toBe('modified');
    // Its Changes panel follows too, without the Revert buttons of a tab that writes.
    await reader.locator('.change[data-path="/src/app.ts"]').waitFor();
    await shot(reader, '21-read-only-tab');
    await expect(reader.locator('.change [data-action="revert"]').count()).resolves.toBe(0);
    await clickInTree(writer, '/package.json');
    await writer.getByTestId('rename').click();
    await answerName(writer, 'package.renamed.json');
    await row(reader, '/package.renamed.json').waitFor();

    // The writer's tab closes: the reader takes over, says so, and writes.
    await writer.close();
    await reader.bringToFront();
    await reader.waitForSelector('body[data-read-only="false"][data-ready="true"]');
    await expect(statusText(reader)).resolves.toContain('took over');
    await expect(reader.getByTestId('read-only').count()).resolves.toBe(0);
    await editAndSave(reader, '/src/app.ts', '// then by the tab that took over\n');
    await reader.reload();
    await reader.waitForSelector('body[data-ready="true"]');
    await expect(reader.evaluate(() => document.body.dataset.readOnly)).resolves.toBe('false');
    const text = await inspect(reader).read('workspace', '/src/app.ts');
    expect(text).toContain('saved by the writer tab');
    expect(text).toContain('then by the tab that took over');
    await expect(row(reader, '/package.renamed.json').getAttribute('data-status')).resolves.toBe('moved');
    await reader.close();
    await page.bringToFront();
  });
});
